namespace DatasetForge.Common;

/// <summary>
/// Something refused or broken (a file, an archive, a song): what it is, which stage refused it and why.
/// Stages collect these instead of failing the run; `quarantine.csv` (item, stage, reason) lists them.
/// </summary>
public sealed record QuarantineRecord(string Item, string Stage, string Reason);
