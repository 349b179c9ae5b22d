namespace DatasetForge.Evaluation;

/// <summary>Aggregations as museval/pandas do them: NaN values are skipped; all-NaN gives NaN.</summary>
public static class Statistics
{
    /// <summary>Median ignoring NaN (numpy.nanmedian; pandas median): mean of the two middle values for even counts.</summary>
    public static double NanMedian(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Mean ignoring NaN; NaN when nothing is left.</summary>
    public static double NanMean(IEnumerable<double> values)
    {
        var kept = values.Where(v => !double.IsNaN(v)).ToArray();
        return kept.Length == 0 ? double.NaN : kept.Average();
    }
}
