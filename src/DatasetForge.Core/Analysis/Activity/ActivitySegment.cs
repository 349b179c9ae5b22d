namespace DatasetForge.Analysis.Activity;

/// <summary>One segment of a track: where it is (seconds), whether it counts as active, and the fraction of its parts that did.</summary>
public readonly record struct ActivitySegment(double StartSeconds, double EndSeconds, bool Salient, double ActiveFraction);

/// <summary>A detector's verdict on a whole track: every segment (salient or not) and the threshold it used.</summary>
public sealed record ActivityResult(IReadOnlyList<ActivitySegment> Segments, double Threshold)
{
    /// <summary>Fraction of segments that are salient (0 when there are none).</summary>
    public double Coverage => Segments.Count == 0 ? 0 : (double)Segments.Count(s => s.Salient) / Segments.Count;
}
