using CsvHelper.Configuration.Attributes;

namespace DatasetForge.Synth;

/// <summary>A row of DIR/library.csv (schemas/synth-library.schema.json): what the demo server lists and serves.</summary>
public sealed record LibraryRow(
    string BroadGenre,
    string SubGenre,
    string Title,
    string Artist,
    string ArchiveFile,
    string PreviewFile,
    int NTracks,
    long ArchiveBytes,
    string ArchiveKind,
    string PreviewKind,
    string ArchiveSha256,
    string SongId);

/// <summary>A row of ground_truth/labels.csv (same columns as the MS21 labels fixture).</summary>
public sealed record LabelTruthRow(string SongId, string Artist, string File, string Label, string Instrument);

/// <summary>A row of ground_truth/activity.csv: one interval where a track's own source sounds.</summary>
public sealed record ActivityTruthRow(string SongId, string File, [property: Name("start_s")] double StartS, [property: Name("end_s")] double EndS);

/// <summary>A row of ground_truth/bleed.csv.</summary>
public sealed record BleedTruthRow(string SongId, string Track, string Source, double? DelayMs, double? LevelDb, double? LowpassHz, string Kind);

/// <summary>A row of ground_truth/defects.csv: an item ingest must refuse, and (part of) the reason it should give.</summary>
public sealed record DefectTruthRow(string SongId, string ArchiveFile, string Entry, string File, string Kind, string ExpectedReason);

/// <summary>A row of ground_truth/songs.csv: the song-level truth (MS21 songs.csv columns first).</summary>
public sealed record SongTruthRow(
    string SongId,
    string Artist,
    string Title,
    string BroadGenre,
    string SubGenre,
    int? VocalQuality,
    int LeadBackBoth,
    int GuitarBoth,
    string Status,
    int HasBleed,
    double Bpm,
    string Key,
    double Seconds,
    int SampleRate,
    string Encoding,
    string NamingStyle,
    int NTracks,
    string ArchiveFile,
    string Folder);
