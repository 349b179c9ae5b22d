using DatasetForge.Common;

namespace DatasetForge.Pipeline;

/// <summary>What happened to one song in one stage.</summary>
public enum SongStageStatus
{
    /// <summary>The stage did its work (its key changed or there was no output yet).</summary>
    Done,

    /// <summary>Nothing to do: the stored output has the same key (inputs and parameters).</summary>
    Skipped,

    /// <summary>Render only: the audio was up to date, only the song's metadata was rewritten.</summary>
    Metadata,

    /// <summary>The song failed here (quarantined with the stage and the reason); later stages do not see it.</summary>
    Failed,

    /// <summary>The song had failed in an earlier stage.</summary>
    NotRun,
}

/// <summary>
/// One stage's totals over a run: songs done, skipped (same key), metadata-only (render), failed and not run; wall
/// seconds summed over the songs (<see cref="BusySeconds"/>; stages overlap, so these add up to more than the run),
/// thread CPU seconds, and seconds of song audio the stage did work on.
/// </summary>
public sealed record StageTotals(
    string Stage,
    int Songs,
    int Done,
    int Skipped,
    int Metadata,
    int Failed,
    int NotRun,
    double BusySeconds,
    double CpuSeconds,
    double AudioSeconds);

/// <summary>Archive downloads of a run: fetched now, already complete (skipped), failed.</summary>
public sealed record DownloadTotals(int Complete, int Skipped, int Failed, long BytesTransferred);

/// <summary>What a pipeline run did and where its outputs are.</summary>
public sealed record PipelineSummary(
    string Name,
    string Output,
    string Source,
    string DatasetDir,
    string LabelsCsv,
    string? StatsIndex,
    string? ReportIndex,
    string QuarantineCsv,
    string EventsPath,
    int Songs,
    int SongsInDataset,
    IReadOnlyList<StageTotals> Stages,
    DownloadTotals Downloads,
    IReadOnlyList<QuarantineRecord> Quarantined,
    IReadOnlyList<string> Warnings,
    double SongSeconds,
    TimeSpan Elapsed,
    double CpuSeconds,
    string? SynthDir)
{
    public StageTotals Stage(string name) => Stages.First(s => s.Stage == name);
}
