namespace DatasetForge.Common;

/// <summary>Area under the ROC curve of a score that should be higher for positives (bleed benchmark, demo ground truth).</summary>
public static class RocAuc
{
    /// <summary>ROC AUC = P(score of a positive > score of a negative), ties counted half (Mann-Whitney).</summary>
    public static double Of(IEnumerable<double> positives, IEnumerable<double> negatives)
    {
        var p = positives.ToList();
        var n = negatives.Order().ToList();
        if (p.Count == 0 || n.Count == 0)
        {
            return double.NaN;
        }

        double wins = 0;
        foreach (var x in p)
        {
            var below = LowerBound(n, x);
            var upTo = UpperBound(n, x);
            wins += below + (0.5 * (upTo - below));
        }

        return wins / ((double)p.Count * n.Count);

        static int LowerBound(List<double> s, double v)
        {
            int lo = 0, hi = s.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (s[mid] < v)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }

        static int UpperBound(List<double> s, double v)
        {
            int lo = 0, hi = s.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (s[mid] <= v)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
