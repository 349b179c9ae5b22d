namespace DatasetForge.Analysis.Bleed;

/// <summary>Order statistics without sorting (quickselect), for quantiles inside hot loops.</summary>
internal static class Select
{
    /// <summary>The linearly interpolated quantile (numpy's default) of <paramref name="values"/>, which it reorders.</summary>
    public static double Quantile(Span<double> values, double q)
    {
        var position = q * (values.Length - 1);
        var lower = (int)Math.Floor(position);
        var low = Nth(values, lower);
        if (lower + 1 >= values.Length || position == lower)
        {
            return low;
        }

        // After Nth, everything right of `lower` is >= low: the next order statistic is their minimum.
        var high = double.MaxValue;
        foreach (var v in values[(lower + 1)..])
        {
            high = Math.Min(high, v);
        }

        return low + ((position - lower) * (high - low));
    }

    /// <summary>Puts the k-th smallest value at index k (smaller before, larger after) and returns it.</summary>
    public static double Nth(Span<double> values, int k)
    {
        var left = 0;
        var right = values.Length - 1;
        while (right > left)
        {
            var pivot = values[left + ((right - left) / 2)];
            var i = left;
            var j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                break;
            }
        }

        return values[k];
    }
}
