namespace DatasetForge.Analysis;

/// <summary>One row of `segments.csv` (schema `analysis-segment-row.schema.json`): a BSRNN segment or MixIT clip of a stem or raw track.</summary>
public sealed record SegmentRow(string SongId, string Source, int Level, string Name, string Method, double StartS, double EndS, bool Salient);

/// <summary>One row of `saliency.csv` (schema `analysis-saliency-row.schema.json`): one frame of one node's submix.</summary>
public sealed record SaliencyRow(string SongId, int Level, string Node, int Frame, double StartS, double EndS, double RmsDb, bool Salient);

/// <summary>One row of `bleed.csv` (schema `analysis-bleed-row.schema.json`): a raw track's leakage verdict.</summary>
public sealed record BleedRow(
    string SongId,
    string File,
    double BleedProb,
    double? BleedDb,
    double? DelayMs,
    string Sources,
    bool Harmful,
    bool Detected,
    string Label,
    string Instrument,
    string TopSource,
    double? PsrQuiet,
    double? PsrAll,
    double? Coherence,
    double? EnergyR,
    double? EnergyZ,
    double ExcerptStartS,
    double ExcerptEndS,
    double SalientCoverage);

/// <summary>One row of `bleed_pairs.csv` (schema `analysis-bleed-pair-row.schema.json`): the evidence that `file` carries `source`.</summary>
public sealed record BleedPairRow(
    string SongId,
    string File,
    string Source,
    int Rank,
    double PairProb,
    double? LevelDb,
    double DelayMs,
    double PsrQuiet,
    double PsrAll,
    double Coherence,
    double EnergyR,
    double EnergyZ,
    string Relation,
    bool Harmful);

/// <summary>One row of `vocal_quality.csv` (schema `analysis-vocal-quality-row.schema.json`): a vocal track (scope track) or the song (scope song: worst of its vocal tracks).</summary>
public sealed record VocalQualityRow(
    string SongId,
    string Scope,
    string File,
    string Label,
    int VocalQuality,
    double BleedProb,
    string VocalQualityReason,
    bool Clipping,
    int ClippingRuns,
    double ClippingAtS,
    string ClippingReason,
    bool NoiseFloor,
    double? NoiseFloorDbfs,
    double NoiseFloorAtS,
    string NoiseFloorReason,
    bool Hum,
    double HumHz,
    double? HumDb,
    string HumReason,
    bool DcOffset,
    double DcOffsetDbfs,
    string DcOffsetReason);

/// <summary>One row of `songs.csv` in the analysis folder (schema `analysis-song-row.schema.json`): the song-level verdicts.</summary>
public sealed record AnalysisSongRow(
    string SongId,
    string Folder,
    int NTracks,
    bool HasBleed,
    int BleedTracks,
    int HarmfulTracks,
    string AffectedInstruments,
    string AffectedStems,
    string VocalQuality,
    double SalientCoverage,
    int Quarantined);
