namespace DatasetForge.Ingest.Catalog;

/// <summary>
/// Where everything lives under a catalog root DIR. The CSVs in <c>catalog/</c> are the contract other stages read;
/// <c>work/</c> holds the per-song unit results they are rebuilt from.
/// <code>
/// DIR/catalog/projects.csv        scrape: one row per library project
/// DIR/catalog/scrape_warnings.csv scrape: entries with missing fields
/// DIR/catalog/downloads.csv       fetch: one row per archive
/// DIR/catalog/songs.csv           ingest: one row per song
/// DIR/catalog/tracks.csv          ingest: one row per audio file
/// DIR/catalog/aside.csv           ingest: non-audio files that came with songs
/// DIR/catalog/quarantine.csv      every stage: item, stage, reason
/// DIR/archives/                   fetched archives (+ .download.json sidecars, .part while incomplete)
/// DIR/songs/&lt;song_id&gt;/audio/     extracted audio (archive folder structure kept)
/// DIR/songs/&lt;song_id&gt;/aside/     extracted non-audio files
/// DIR/work/ingest/&lt;song_id&gt;.json  one ingest unit result per song (keyed; a re-run skips it)
/// DIR/work/quarantine/&lt;stage&gt;.csv quarantine rows of whole-library stages (scrape, fetch)
/// DIR/cache/pages/                fetched index pages (scrape --url)
/// </code>
/// </summary>
public sealed class CatalogLayout
{
    public CatalogLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string CatalogDir => Path.Combine(Root, "catalog");

    public string ProjectsCsv => Path.Combine(CatalogDir, "projects.csv");

    public string ScrapeWarningsCsv => Path.Combine(CatalogDir, "scrape_warnings.csv");

    public string DownloadsCsv => Path.Combine(CatalogDir, "downloads.csv");

    public string SongsCsv => Path.Combine(CatalogDir, "songs.csv");

    public string TracksCsv => Path.Combine(CatalogDir, "tracks.csv");

    public string AsideCsv => Path.Combine(CatalogDir, "aside.csv");

    public string QuarantineCsv => Path.Combine(CatalogDir, "quarantine.csv");

    public string ArchivesDir => Path.Combine(Root, "archives");

    public string SongsDir => Path.Combine(Root, "songs");

    public string UnitsDir => Path.Combine(Root, "work", "ingest");

    public string StageQuarantineDir => Path.Combine(Root, "work", "quarantine");

    public string PageCacheDir => Path.Combine(Root, "cache", "pages");

    public string SongDir(string songId) => Path.Combine(SongsDir, songId);

    public string UnitPath(string songId) => Path.Combine(UnitsDir, songId + ".json");

    public string StageQuarantinePath(string stage) => Path.Combine(StageQuarantineDir, stage + ".csv");

    /// <summary>The catalog's way to write a path: relative to the root with '/' when inside it, else absolute.</summary>
    public string ToCatalogPath(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Root, full);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return full.Replace('\\', '/');
        }

        return relative.Replace('\\', '/');
    }

    /// <summary>The file a catalog path names (relative paths are under the root).</summary>
    public string Resolve(string catalogPath) =>
        Path.IsPathRooted(catalogPath) ? catalogPath : Path.GetFullPath(Path.Combine(Root, catalogPath));
}
