using DatasetForge.Common;
using DatasetForge.Ingest.Catalog;

namespace DatasetForge.Ingest.Scrape;

/// <summary>The whole scraped library: projects with song ids, and every warning.</summary>
public sealed record ScrapeResult(IReadOnlyList<ProjectRecord> Projects, IReadOnlyList<ScrapeWarning> Warnings, int Pages, int PagesFromCache);

/// <summary>
/// Scrapes a library from live URLs (following the next-page link when the source defines one) or saved HTML
/// files, drops duplicate projects, assigns unique song ids ("Artist - Title"), and writes
/// <c>catalog/projects.csv</c> and <c>catalog/scrape_warnings.csv</c>.
/// </summary>
public static class LibraryScraper
{
    private const int MaxPages = 10_000;

    public static async Task<ScrapeResult> ScrapeUrlsAsync(
        SourceDefinition source, IEnumerable<string> urls, PageFetcher fetcher, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var scraper = new IndexScraper(source);
        var pages = new List<ScrapedPage>();
        var queue = new Queue<string>(urls);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fromCache = 0;
        while (queue.Count > 0 && pages.Count < MaxPages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var url = queue.Dequeue();
            if (!seen.Add(url))
            {
                continue;
            }

            progress?.Report(new StageProgress("scrape", url, pages.Count, 0, "fetching"));
            var page = await fetcher.GetAsync(url, cancellationToken).ConfigureAwait(false);
            fromCache += page.FromCache ? 1 : 0;
            var parsed = scraper.ParsePage(page.Html, url);
            pages.Add(parsed);
            progress?.Report(new StageProgress("scrape", url, pages.Count, 0, $"{parsed.Projects.Count} projects"));
            if (parsed.NextPageUrl is { } next)
            {
                queue.Enqueue(next);
            }
        }

        return Combine(pages, fromCache);
    }

    /// <summary>Scrapes saved pages. <paramref name="pageUrl"/>, when given, is recorded as every record's page URL and resolves relative links.</summary>
    public static ScrapeResult ScrapeFiles(SourceDefinition source, IEnumerable<string> files, string? pageUrl = null, IProgress<StageProgress>? progress = null)
    {
        var scraper = new IndexScraper(source);
        var pages = new List<ScrapedPage>();
        var list = files.ToList();
        foreach (var file in list)
        {
            string html;
            try
            {
                html = File.ReadAllText(file);
            }
            catch (IOException e)
            {
                throw new ScrapeException($"{file}: cannot read ({e.Message})", e);
            }

            pages.Add(scraper.ParsePage(html, pageUrl ?? IndexScraper.ToUri(file).AbsoluteUri));
            progress?.Report(new StageProgress("scrape", file, pages.Count, list.Count, $"{pages[^1].Projects.Count} projects"));
        }

        return Combine(pages, 0);
    }

    /// <summary>Writes projects.csv and scrape_warnings.csv under the catalog root (atomically).</summary>
    public static void Write(CatalogLayout layout, ScrapeResult result)
    {
        CsvTable.Write(layout.ProjectsCsv, result.Projects);
        CsvTable.Write(layout.ScrapeWarningsCsv, result.Warnings);
    }

    private static ScrapeResult Combine(List<ScrapedPage> pages, int fromCache)
    {
        var warnings = pages.SelectMany(p => p.Warnings).ToList();
        var projects = new List<ProjectRecord>();
        var keys = new HashSet<(string, string, string)>();
        foreach (var project in pages.SelectMany(p => p.Projects))
        {
            if (!keys.Add((project.Artist, project.Title, project.ArchiveUrl)))
            {
                warnings.Add(new ScrapeWarning($"{project.BroadGenre} > {project.Artist} > '{project.Title}'", "duplicate", "listed more than once; the first listing is kept"));
                continue;
            }

            projects.Add(project);
        }

        var allocator = new SongIdAllocator();
        var withIds = projects.Select(p => p with { SongId = allocator.Allocate(p.Artist, p.Title, Origin(p)) }).ToList();
        return new ScrapeResult(withIds, warnings, pages.Count, fromCache);
    }

    /// <summary>A project's stable identity (its archive URL, else where it is listed).</summary>
    public static string Origin(ProjectRecord p) =>
        p.ArchiveUrl.Length > 0 ? p.ArchiveUrl : $"{p.PageUrl}#{p.Artist}/{p.Title}";
}
