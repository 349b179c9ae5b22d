using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Download;
using DatasetForge.Ingest.Extract;

namespace DatasetForge.Ingest.Import;

/// <summary>
/// A folder of library-style archives and/or extracted song folders. Archives at the top level are songs (parts
/// of one project, "X_Full_Part1.zip"/"X_Full_Part2.zip", are grouped); every sub-folder holding audio is a song used
/// in place. Artist and title come from a scraped <c>projects.csv</c> when one is beside the archives (matched by
/// archive file name), else from the names ("Artist - Title" folders, "Artist_Title_Full.zip" archives).
/// </summary>
public sealed class FolderImporter : IDatasetImporter
{
    public static readonly IReadOnlyList<string> ArchiveExtensions = [".zip", ".rar", ".7z", ".tar", ".tar.gz", ".tgz"];

    public string Format => "folder";

    public bool Detect(string root) => Directory.Exists(root);

    public static bool IsArchive(string path) => ArchiveExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public ImportScan Scan(string root)
    {
        root = Path.GetFullPath(root);
        var problems = new List<QuarantineRecord>();
        var byArchiveName = LoadProjects(root);
        var songs = new List<SongSource>();

        var archives = Directory.EnumerateFiles(root)
            .Where(f => IsArchive(f) && !AtomicFile.IsTempFile(f))
            .Order(StringComparer.Ordinal)
            .GroupBy(f => Naming.ArchiveStem(f), StringComparer.OrdinalIgnoreCase);
        foreach (var group in archives)
        {
            var files = group.ToList();
            var first = Path.GetFileName(files[0]);
            if (byArchiveName.TryGetValue(first, out var project))
            {
                songs.Add(new SongSource
                {
                    Origin = Scrape.LibraryScraper.Origin(project),
                    Source = "mtk",
                    Artist = project.Artist,
                    Title = project.Title,
                    BroadGenre = project.BroadGenre,
                    SubGenre = project.SubGenre,
                    SongId = project.SongId.Length > 0 ? project.SongId : null,
                    Archives = files,
                });
                continue;
            }

            var (artist, title) = Naming.FromArchiveName(first);
            songs.Add(new SongSource
            {
                Origin = "folder:" + files[0],
                Source = "folder",
                Artist = artist,
                Title = title,
                Archives = files,
            });
        }

        foreach (var dir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith('.') || EntryPolicy.IsJunk(name) || name is "catalog" or "work" or "cache" or "songs" or "archives")
            {
                continue;
            }

            var song = ScanSongFolder(dir, "folder", problems);
            if (song is not null)
            {
                songs.Add(song);
            }
        }

        return new ImportScan(songs, problems);
    }

    /// <summary>A folder of audio used in place: every readable audio file under it is a track, everything else aside.</summary>
    public static SongSource? ScanSongFolder(string dir, string source, List<QuarantineRecord> problems)
    {
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !EntryPolicy.IsJunk(Path.GetRelativePath(dir, f)) && !AtomicFile.IsTempFile(f))
            .Order(StringComparer.Ordinal)
            .ToList();
        var audio = files.Where(f => AudioFile.ReadableExtensions.Contains(Path.GetExtension(f))).ToList();
        if (audio.Count == 0)
        {
            problems.Add(new QuarantineRecord(dir, "import", "folder holds no WAV/AIFF audio; skipped"));
            return null;
        }

        var (artist, title) = Naming.FromDashed(Path.GetFileName(dir));
        return new SongSource
        {
            Origin = $"{source}:{dir}",
            Source = source,
            Artist = artist,
            Title = title,
            Tracks = audio.Select(f => new SourceTrack(f)).ToList(),
            AsideFiles = files.Except(audio).ToList(),
            Folder = dir,
        };
    }

    /// <summary>Scraped projects beside the archives (projects.csv or catalog/projects.csv), by archive file name.</summary>
    private static Dictionary<string, ProjectRecord> LoadProjects(string root)
    {
        var result = new Dictionary<string, ProjectRecord>(StringComparer.OrdinalIgnoreCase);
        foreach (var candidate in new[] { Path.Combine(root, "projects.csv"), Path.Combine(root, "catalog", "projects.csv"), Path.Combine(Path.GetDirectoryName(root) ?? root, "catalog", "projects.csv") })
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            foreach (var project in CsvTable.Read<ProjectRecord>(candidate))
            {
                foreach (var url in project.ArchivesToFetch)
                {
                    result.TryAdd(LibraryFetcher.FileNameFor(url), project);
                }
            }

            break;
        }

        return result;
    }
}
