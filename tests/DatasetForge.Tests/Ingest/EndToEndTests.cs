using DatasetForge.Common;
using DatasetForge.Ingest;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Download;
using DatasetForge.Ingest.Scrape;
using DatasetForge.Ingest.Serve;
using DatasetForge.Ingest.Synthetic;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Ingest;

/// <summary>The MTK path end to end against a local library server: scrape the served index, fetch through faults, ingest.</summary>
public sealed class EndToEndTests
{
    private static readonly DownloadOptions FastDownloads = new()
    {
        Concurrency = 3,
        MaxRetries = 4,
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromMilliseconds(30),
        StallTimeout = TimeSpan.FromSeconds(1.5), // well under the injected stalls (3-5 s), well over a loaded CI machine's pauses
        HeaderTimeout = TimeSpan.FromSeconds(5),
    };

    private static PageFetcherOptions FastPages(string? cache) => new()
    {
        UserAgent = "ForgeTestScraper/2.0",
        MinInterval = TimeSpan.FromMilliseconds(150),
        Retries = 3,
        RetryDelay = TimeSpan.FromMilliseconds(5),
        Timeout = TimeSpan.FromSeconds(5),
        CacheDir = cache,
    };

    [Fact]
    public async Task Scrape_fetch_and_ingest_a_served_library_through_faults_into_a_schema_valid_catalog()
    {
        using var temp = new TempDir();
        await using var server = LibraryServer.Start();
        var library = SyntheticLibrary.Write(temp.File("served"), new SyntheticLibraryOptions { Songs = 5, TracksPerSong = 3, Seconds = 0.25, Seed = 11, BaseUrl = server.BaseUri.AbsoluteUri + "files" });
        foreach (var p in library)
        {
            server.Map("files/" + Path.GetFileName(p.ArchivePath), ServedResource.FromFile(p.ArchivePath));
        }

        // One project links a web page instead of an archive, one archive is missing on the server, one is broken for good.
        var projects = library.Select(p => p.Project).ToList();
        projects[3] = projects[3] with { ArchiveUrl = server.UrlOf("about/project.html") };
        var gone = Path.GetFileName(library[4].ArchivePath);
        server.Faults.Always("/files/" + gone, Fault.Http(410));
        server.Faults.Then("/files/" + Path.GetFileName(library[0].ArchivePath), Fault.Http(503), Fault.CutShort(5000));
        server.Faults.Then("/files/" + Path.GetFileName(library[1].ArchivePath), Fault.Stall(3000, TimeSpan.FromSeconds(3)));
        server.Faults.Then("/index.html", Fault.Http(500));
        server.Map("index.html", ServedResource.FromText(IndexPageWriter.Write(projects)));

        var dir = temp.File("catalog");
        var layout = new CatalogLayout(dir);
        using (var fetcher = new PageFetcher(FastPages(layout.PageCacheDir)))
        {
            var scraped = await LibraryScraper.ScrapeUrlsAsync(SourceDefinition.Load(), [server.UrlOf("index.html")], fetcher);
            LibraryScraper.Write(layout, scraped);
            Assert.Equal(5, scraped.Projects.Count);
            Assert.Equal(2, fetcher.RequestsMade); // one 500, one retry
        }

        var fetch = await LibraryFetcher.FetchAsync(layout, FastDownloads);
        Assert.Equal(3, fetch.Complete);
        Assert.Equal(1, fetch.Failed);
        Assert.Contains(fetch.Quarantined, q => q.Reason.Contains("HTTP 410", StringComparison.Ordinal));
        Assert.Contains(fetch.Quarantined, q => q.Reason.Contains("not an archive", StringComparison.Ordinal));
        Assert.True(fetch.Retries >= 3);
        foreach (var d in CsvTable.Read<DownloadRecord>(layout.DownloadsCsv).Where(d => d.Status == "complete"))
        {
            Assert.Equal(ContentHash.OfFile(layout.Resolve(d.File)), d.Sha256);
            Assert.Equal(ContentHash.OfFile(library.Single(l => Path.GetFileName(l.ArchivePath) == Path.GetFileName(d.File)).ArchivePath), d.Sha256);
        }

        // A second fetch touches nothing that is complete.
        var before = server.Requests.Count;
        var again = await LibraryFetcher.FetchAsync(layout, FastDownloads);
        Assert.Equal(3, again.Skipped);
        Assert.Equal(1, server.Requests.Count - before); // only the broken one is tried again

        var summary = await new IngestEngine(layout, new IngestOptions { Concurrency = 2 }).IngestSourceAsync(dir, null);
        var songs = CsvTable.Read<SongRecord>(layout.SongsCsv);
        Assert.Equal(projects.Select(p => p.SongId).Order(StringComparer.Ordinal), songs.Select(s => s.SongId));
        Assert.Equal(3, songs.Count(s => s.Status == "ok"));
        Assert.Equal(2, songs.Count(s => s.Status == "missing"));
        Assert.All(songs.Where(s => s.Status == "ok"), s => Assert.Equal(("mtk", 3), (s.Source, s.NTracks)));
        Assert.Equal(9, summary.Catalog.Tracks);

        // Every catalog file matches its schema.
        Assert.Empty(CatalogSchemas.Validate(CsvTable.Read<ProjectRecord>(layout.ProjectsCsv), CatalogSchemas.Project));
        Assert.Empty(CatalogSchemas.Validate(CsvTable.Read<DownloadRecord>(layout.DownloadsCsv), CatalogSchemas.Download));
        Assert.Empty(CatalogSchemas.Validate(songs, CatalogSchemas.Song));
        Assert.Empty(CatalogSchemas.Validate(CsvTable.Read<TrackRecord>(layout.TracksCsv), CatalogSchemas.Track));
        Assert.Empty(CatalogSchemas.Validate(CsvTable.Read<AsideRecord>(layout.AsideCsv), CatalogSchemas.Aside));
        Assert.Empty(CatalogSchemas.Validate(CsvTable.Read<QuarantineRecord>(layout.QuarantineCsv), CatalogSchemas.Quarantine));
        Assert.Empty(CatalogSchemas.Validate(CsvTable.Read<ScrapeWarning>(layout.ScrapeWarningsCsv), CatalogSchemas.ScrapeWarning));
        var sidecar = Downloader.ReadSidecar(Path.Combine(layout.ArchivesDir, Path.GetFileName(library[0].ArchivePath)));
        Assert.Empty(CatalogSchemas.Validate([sidecar], CatalogSchemas.DownloadSidecar));
        var quarantine = CsvTable.Read<QuarantineRecord>(layout.QuarantineCsv);
        Assert.Contains(quarantine, q => q.Stage == "fetch" && q.Item == projects[4].SongId);
    }

    [Fact]
    public async Task Page_fetcher_is_polite_rate_limited_cached_and_follows_next_pages()
    {
        using var temp = new TempDir();
        await using var server = LibraryServer.Start();
        ProjectRecord P(int i) => new("Rock", "Indie", $"Song {i}", $"Band {i}", server.UrlOf($"a{i}.zip"), string.Empty, string.Empty, string.Empty, "full", string.Empty, string.Empty, 4, null, string.Empty);
        server.Map("p1.html", ServedResource.FromText(IndexPageWriter.Write([P(1), P(2)], new IndexPageOptions { NextPageUrl = "p2.html" })));
        server.Map("p2.html", ServedResource.FromText(IndexPageWriter.Write([P(3)], new IndexPageOptions { NextPageUrl = "p3.html" })));
        server.Map("p3.html", ServedResource.FromText(IndexPageWriter.Write([P(4)])));
        var definition = SourceDefinition.Load() with { Structure = SourceDefinition.Load().Structure with { NextPage = "a." + IndexPageWriter.NextPageClass } };

        var cache = temp.File("cache");
        using (var fetcher = new PageFetcher(FastPages(cache)))
        {
            var result = await LibraryScraper.ScrapeUrlsAsync(definition, [server.UrlOf("p1.html")], fetcher);
            Assert.Equal(["Song 1", "Song 2", "Song 3", "Song 4"], result.Projects.Select(p => p.Title));
            Assert.Equal(3, result.Pages);
            Assert.Equal(server.UrlOf("p2.html"), result.Projects[2].PageUrl);
        }

        var log = server.Requests.OrderBy(r => r.Started).ToList();
        Assert.Equal(3, log.Count);
        Assert.All(log, r => Assert.Equal("ForgeTestScraper/2.0", r.UserAgent));
        for (var i = 1; i < log.Count; i++)
        {
            Assert.True((log[i].Started - log[i - 1].Started).TotalMilliseconds >= 140, $"requests {i - 1} and {i} only {(log[i].Started - log[i - 1].Started).TotalMilliseconds:0} ms apart");
        }

        // Re-run: every page from the cache, no request.
        using (var fetcher = new PageFetcher(FastPages(cache)))
        {
            var again = await LibraryScraper.ScrapeUrlsAsync(definition, [server.UrlOf("p1.html")], fetcher);
            Assert.Equal(3, again.PagesFromCache);
            Assert.Equal(0, fetcher.RequestsMade);
        }

        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Page_fetch_failures_name_the_url_and_status()
    {
        await using var server = LibraryServer.Start();
        using var fetcher = new PageFetcher(FastPages(null));
        var e = await Assert.ThrowsAsync<ScrapeException>(() => LibraryScraper.ScrapeUrlsAsync(SourceDefinition.Load(), [server.UrlOf("gone.html")], fetcher));
        Assert.Contains("gone.html", e.Message);
        Assert.Contains("HTTP 404", e.Message);
        Assert.Equal(1, fetcher.RequestsMade); // 404 is not retried

        server.Faults.Always("/busy.html", Fault.Http(503));
        server.Map("busy.html", ServedResource.FromText("<html></html>"));
        using var fetcher2 = new PageFetcher(FastPages(null));
        var e2 = await Assert.ThrowsAsync<ScrapeException>(() => LibraryScraper.ScrapeUrlsAsync(SourceDefinition.Load(), [server.UrlOf("busy.html")], fetcher2));
        Assert.Contains("HTTP 503", e2.Message);
        Assert.Equal(4, fetcher2.RequestsMade); // first try + 3 retries
    }

    [Fact]
    public async Task A_published_synthetic_library_is_scraped_back_across_pages()
    {
        using var temp = new TempDir();
        await using var server = LibraryServer.Start();
        var library = SyntheticLibrary.Write(temp.File("lib"), new SyntheticLibraryOptions { Songs = 5, TracksPerSong = 1, Seconds = 0.1, BaseUrl = server.UrlOf("mtk/files") });
        var index = SyntheticLibraryPublisher.Publish(server, library, pageSize: 2);
        var definition = SourceDefinition.Load() with { Structure = SourceDefinition.Load().Structure with { NextPage = "a." + IndexPageWriter.NextPageClass } };
        using var fetcher = new PageFetcher(FastPages(null) with { MinInterval = TimeSpan.Zero });
        var result = await LibraryScraper.ScrapeUrlsAsync(definition, [index], fetcher);
        Assert.Equal(3, result.Pages);
        Assert.Equal(library.Select(l => l.Project with { PageUrl = string.Empty, ListedSizeBytes = null }), result.Projects.Select(p => p with { PageUrl = string.Empty, ListedSizeBytes = null }));
        using var downloader = new Downloader(FastDownloads);
        var download = await downloader.DownloadAsync(new DownloadRequest(result.Projects[4].ArchiveUrl, temp.File("x.zip")));
        Assert.Equal(ContentHash.OfFile(library[4].ArchivePath), download.Sha256);
    }
}
