using System.CommandLine;
using DatasetForge.Cli.Support;
using DatasetForge.Common.Config;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Scrape;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge scrape (--url URL... | --html FILE...) --out DIR`: the library index into catalog/projects.csv.</summary>
internal sealed class ScrapeCommand : IForgeCommand
{
    public Command Create()
    {
        var urls = new Option<string[]>("--url") { Description = "index page URL(s) to fetch (politely: rate limit, retries, page cache); default: the source's start_urls", AllowMultipleArgumentsPerToken = true };
        var html = new Option<string[]>("--html") { Description = "saved index page(s) to read instead of fetching", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "catalog folder (writes catalog/projects.csv, catalog/scrape_warnings.csv)", Required = true };
        var source = new Option<string>("--source") { Description = "source definition YAML (selectors and rules)", DefaultValueFactory = _ => SourceDefinition.DefaultPath };
        var pageUrl = new Option<string?>("--page-url") { Description = "with --html: the page's original URL (recorded as page_url, resolves relative links)" };
        var refresh = new Option<bool>("--refresh") { Description = "with --url: ignore cached pages and fetch again" };
        var interval = new Option<double?>("--min-interval") { Description = "with --url: seconds between requests (default from the source definition)" };
        var command = new Command("scrape", "Scrape a multitrack library index into DIR/catalog/projects.csv.") { urls, html, output, source, pageUrl, refresh, interval };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var layout = new CatalogLayout(parse.GetValue(output)!);
            try
            {
                var definition = SourceDefinition.Load(parse.GetValue(source)!);
                var files = parse.GetValue(html) ?? [];
                if (files.Length > 0 && parse.GetValue(urls) is { Length: > 0 })
                {
                    Console.Error.WriteLine("error: give either --url or --html, not both");
                    return 2;
                }

                ScrapeResult result;
                if (files.Length > 0)
                {
                    result = LibraryScraper.ScrapeFiles(definition, files, parse.GetValue(pageUrl));
                }
                else
                {
                    var targets = parse.GetValue(urls) is { Length: > 0 } given ? given : definition.StartUrls?.ToArray() ?? [];
                    if (targets.Length == 0)
                    {
                        Console.Error.WriteLine("error: give --url URL or --html FILE (the source definition has no start_urls)");
                        return 2;
                    }

                    var options = PageFetcherOptions.From(definition.HttpOrDefault, layout.PageCacheDir) with { Refresh = parse.GetValue(refresh) };
                    if (parse.GetValue(interval) is { } seconds)
                    {
                        options = options with { MinInterval = TimeSpan.FromSeconds(seconds) };
                    }

                    using var fetcher = new PageFetcher(options);
                    result = await StageProgressView.RunAsync(p => LibraryScraper.ScrapeUrlsAsync(definition, targets, fetcher, p, cancellationToken)).ConfigureAwait(false);
                }

                LibraryScraper.Write(layout, result);
                foreach (var warning in result.Warnings.Take(50))
                {
                    Console.Error.WriteLine($"warning: {warning}");
                }

                if (result.Warnings.Count > 50)
                {
                    Console.Error.WriteLine($"warning: ... {result.Warnings.Count - 50} more in {layout.ScrapeWarningsCsv}");
                }

                var genres = result.Projects.Select(p => p.BroadGenre).Distinct().Count();
                var artists = result.Projects.Select(p => p.Artist).Distinct().Count();
                var multi = result.Projects.Count(p => p.OtherArchiveUrls.Length > 0);
                Console.WriteLine($"scraped {result.Projects.Count} projects ({artists} artists, {genres} genres, {multi} with several archives) from {result.Pages} page(s){(result.PagesFromCache > 0 ? $" ({result.PagesFromCache} from cache)" : string.Empty)}; {result.Warnings.Count} warning(s)");
                Console.WriteLine($"wrote {layout.ProjectsCsv}");
                return 0;
            }
            catch (Exception e) when (e is ScrapeException or ConfigException or FileNotFoundException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
