namespace DatasetForge.Common;

/// <summary>
/// Progress of long work, reported through <see cref="IProgress{T}"/>: which stage, which item (song, file),
/// how many units are done of how many (Total 0 = unknown), and optional bytes/seconds for throughput: Bytes and
/// AudioSeconds are what this report's item added (increments; a viewer sums them for rates).
/// </summary>
public readonly record struct StageProgress(
    string Stage,
    string Item,
    long Done,
    long Total,
    string? Message = null,
    long Bytes = 0,
    double AudioSeconds = 0);
