using DatasetForge.Common;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Download;
using DatasetForge.Ingest.Scrape;

namespace DatasetForge.Ingest.Import;

/// <summary>
/// A scraped and fetched library (<c>forge scrape</c> + <c>forge fetch</c>): one song per row of
/// <c>catalog/projects.csv</c>, its archives from <c>archives/</c> (located through <c>catalog/downloads.csv</c>).
/// A project whose archive is not there is a song with status <c>missing</c>.
/// </summary>
public sealed class MtkCatalogImporter : IDatasetImporter
{
    public string Format => "mtk";

    public bool Detect(string root) => File.Exists(new CatalogLayout(root).ProjectsCsv);

    public ImportScan Scan(string root)
    {
        var layout = new CatalogLayout(root);
        var projects = CatalogStore.ReadProjects(layout);
        var downloaded = CatalogStore.ReadDownloads(layout)
            .Where(d => d.Status is "complete" or "skipped")
            .GroupBy(d => d.Url)
            .ToDictionary(g => g.Key, g => layout.Resolve(g.Last().File), StringComparer.Ordinal);
        var rules = SourceDefinition.Load().Rules;
        var songs = new List<SongSource>();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var project in projects)
        {
            var archives = new List<string>();
            string? missing = null;
            var urls = project.ArchivesToFetch;
            if (urls.Count == 0)
            {
                missing = "no multitrack archive link was scraped";
            }

            foreach (var url in urls)
            {
                var expected = Path.Combine(layout.ArchivesDir, LibraryFetcher.FileNameFor(url, names));
                var file = downloaded.TryGetValue(url, out var known) ? known : expected;
                if (File.Exists(file))
                {
                    archives.Add(file);
                }
                else
                {
                    missing ??= rules.IsArchiveUrl(url)
                        ? $"archive not downloaded: {url} (run `forge fetch {root}`)"
                        : $"the archive link is not an archive ({url}); put the archive into {layout.ArchivesDir} by hand";
                }
            }

            songs.Add(new SongSource
            {
                Origin = LibraryScraper.Origin(project),
                Source = "mtk",
                Artist = project.Artist,
                Title = project.Title,
                BroadGenre = project.BroadGenre,
                SubGenre = project.SubGenre,
                SongId = project.SongId.Length > 0 ? project.SongId : null,
                Archives = missing is null ? archives : [],
                MissingReason = missing,
            });
        }

        return new ImportScan(songs, []);
    }
}
