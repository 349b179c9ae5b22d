using System.Text.Json.Serialization;
using CsvHelper.Configuration.Attributes;

namespace DatasetForge.Ingest.Catalog;

/// <summary>
/// One library project as scraped (`catalog/projects.csv`, schema `catalog-project.schema.json`).
/// <see cref="ArchiveUrl"/> is the full multitrack archive (or else the edited one); every further archive (parts,
/// the edited version) is in <see cref="OtherArchiveUrls"/> (space-separated), with its kind in
/// <see cref="OtherArchiveKinds"/> at the same position. Kinds: <c>full</c>, <c>edited</c>, <c>other</c>.
/// </summary>
public sealed record ProjectRecord(
    string BroadGenre,
    string SubGenre,
    string Title,
    string Artist,
    string ArchiveUrl,
    string PreviewUrl,
    string PageUrl,
    string OtherArchiveUrls,
    string ArchiveKind,
    string OtherArchiveKinds,
    string PreviewKind,
    int? ListedTracks,
    long? ListedSizeBytes,
    string SongId)
{
    /// <summary>The other archive URLs as a list (empty when there are none).</summary>
    [JsonIgnore]
    [Ignore]
    public IReadOnlyList<string> OtherArchives => Split(OtherArchiveUrls);

    /// <summary>
    /// The archives to download for this song: <see cref="ArchiveUrl"/> plus the others of the same kind (the parts
    /// of a multi-part set). The edited version of a project that has a full one is not fetched.
    /// </summary>
    [JsonIgnore]
    [Ignore]
    public IReadOnlyList<string> ArchivesToFetch
    {
        get
        {
            if (ArchiveUrl.Length == 0)
            {
                return [];
            }

            var urls = Split(OtherArchiveUrls);
            var kinds = Split(OtherArchiveKinds);
            var result = new List<string> { ArchiveUrl };
            for (var i = 0; i < urls.Count; i++)
            {
                var kind = i < kinds.Count ? kinds[i] : "other";
                if (kind == ArchiveKind)
                {
                    result.Add(urls[i]);
                }
            }

            return result;
        }
    }

    internal static IReadOnlyList<string> Split(string list) =>
        list.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// One song in the catalog (`catalog/songs.csv`, schema `catalog-song.schema.json`). <see cref="SampleRate"/> is the
/// rate most tracks have; <see cref="DurationS"/> the median track length; <see cref="Status"/> is <c>ok</c>,
/// <c>flagged</c> (usable, see <see cref="Flags"/>), <c>failed</c> (nothing usable; see quarantine.csv) or
/// <c>missing</c> (its archive was not downloaded).
/// </summary>
public sealed record SongRecord(
    string SongId,
    string Artist,
    string Title,
    string BroadGenre,
    string SubGenre,
    string Source,
    int NTracks,
    int? SampleRate,
    double? DurationS,
    string Status,
    string Split,
    int NAside,
    string Flags,
    string Origin,
    string Key);

/// <summary>
/// One audio file of a song (`catalog/tracks.csv`, schema `catalog-track.schema.json`). <see cref="File"/> is the
/// file name as the recording engineer named it; <see cref="Path"/> is where the audio is (relative to the catalog
/// root, forward slashes, or absolute for datasets imported in place). <see cref="Kind"/> is <c>raw</c> (a recorded
/// track), <c>stem</c> or <c>mix</c>; <see cref="SourceLabel"/> is the instrument the dataset's own metadata gives
/// (MedleyDB, Slakh, MUSDB stem name), empty for library archives. Numbers are empty when the file is unreadable.
/// <see cref="PeakDbfs"/> is -200 for digital silence. <see cref="Flags"/>: "; "-separated <c>code (reason)</c>.
/// </summary>
public sealed record TrackRecord(
    string SongId,
    string File,
    string Path,
    int? Channels,
    int? SampleRate,
    int? BitDepth,
    string Encoding,
    long? Frames,
    double? DurationS,
    double? PeakDbfs,
    double? SilentFraction,
    string Flags,
    double? DcOffset,
    string Kind,
    string SourceLabel,
    long SizeBytes);

/// <summary>
/// A non-audio file that came with a song (readme, preview MP3, DAW session, image), listed aside
/// (`catalog/aside.csv`). <see cref="Kind"/>: document, preview_audio, session, image, other.
/// </summary>
public sealed record AsideRecord(string SongId, string File, string Path, string Kind, long SizeBytes);

/// <summary>
/// One archive download (`catalog/downloads.csv`): <see cref="Status"/> <c>complete</c> (fetched and verified now),
/// <c>skipped</c> (complete from an earlier run), <c>failed</c> (with <see cref="Reason"/>).
/// </summary>
public sealed record DownloadRecord(
    string SongId,
    string Url,
    string File,
    long Bytes,
    string Sha256,
    string Status,
    int Attempts,
    string Reason);

/// <summary>A scraped entry with a missing or odd field (`catalog/scrape_warnings.csv`).</summary>
public sealed record ScrapeWarning(string Entry, string Field, string Message)
{
    public override string ToString() => $"{Entry}: {Message}";
}
