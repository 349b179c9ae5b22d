namespace DatasetForge.Ingest.Import;

/// <summary>An audio file of a dataset that is used where it lies (not extracted).</summary>
/// <param name="Path">The file.</param>
/// <param name="Kind"><c>raw</c> (a recorded track), <c>stem</c> or <c>mix</c>.</param>
/// <param name="Label">The instrument or stem name the dataset's own metadata gives, if any.</param>
public sealed record SourceTrack(string Path, string Kind = "raw", string Label = "");

/// <summary>
/// One song to ingest, as an importer found it: either archives to extract (<see cref="Archives"/>) or audio files
/// used in place (<see cref="Tracks"/>, plus non-audio files in <see cref="AsideFiles"/>). <see cref="Origin"/> is
/// a stable identity (archive URL, dataset folder) that keeps its song id across runs. <see cref="SongId"/>, when
/// set, is used as is (a scraped catalog already assigned it); else the engine allocates "Artist - Title".
/// <see cref="MissingReason"/> marks a song that cannot be ingested (its archive was never downloaded).
/// </summary>
public sealed record SongSource
{
    public required string Origin { get; init; }

    /// <summary><c>mtk</c>, <c>folder</c>, <c>musdb18hq</c>, <c>medleydb</c>, <c>slakh2100</c>.</summary>
    public required string Source { get; init; }

    public required string Artist { get; init; }

    public required string Title { get; init; }

    public string BroadGenre { get; init; } = string.Empty;

    public string SubGenre { get; init; } = string.Empty;

    /// <summary>The dataset's own split (MUSDB18 train/test, Slakh train/validation/test), else empty.</summary>
    public string Split { get; init; } = string.Empty;

    public string? SongId { get; init; }

    public IReadOnlyList<string> Archives { get; init; } = [];

    /// <summary>
    /// Content hashes of <see cref="Archives"/> (same order) that the source vouches for (a synthetic library's index):
    /// the song's key then depends on the archives' content rather than on their size and write time. Empty: unknown.
    /// </summary>
    public IReadOnlyList<string> ArchiveHashes { get; init; } = [];

    public IReadOnlyList<SourceTrack> Tracks { get; init; } = [];

    public IReadOnlyList<string> AsideFiles { get; init; } = [];

    /// <summary>For in-place songs: the folder paths are reported relative to (the song folder), for the <c>file</c> column.</summary>
    public string? Folder { get; init; }

    public string? MissingReason { get; init; }
}

/// <summary>Finds the songs of one dataset layout under a root folder.</summary>
public interface IDatasetImporter
{
    /// <summary><c>mtk</c>, <c>folder</c>, <c>musdb</c>, <c>medleydb</c>, <c>slakh</c>.</summary>
    string Format { get; }

    /// <summary>True when <paramref name="root"/> looks like this layout.</summary>
    bool Detect(string root);

    /// <summary>The songs under <paramref name="root"/>, in a stable order. Problems with single songs are in <c>Problems</c>.</summary>
    ImportScan Scan(string root);
}

/// <summary>What an importer found: songs, and entries it could not make sense of (quarantined by the caller).</summary>
public sealed record ImportScan(IReadOnlyList<SongSource> Songs, IReadOnlyList<Common.QuarantineRecord> Problems);
