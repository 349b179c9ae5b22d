using System.Globalization;
using System.Text.Json;
using DatasetForge.Common;
using DatasetForge.Ingest;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Download;
using DatasetForge.Ingest.Import;
using DatasetForge.Ingest.Scrape;
using DatasetForge.Ingest.Serve;
using DatasetForge.Ingest.Synthetic;
using DatasetForge.Synth;

namespace DatasetForge.Pipeline;

/// <summary>One song as the source found it: what to ingest, and the archive downloads it needs first (url/html sources).</summary>
public sealed record SourceSong(int Index, SongSource Source, IReadOnlyList<DownloadRequest> Downloads)
{
    public string SongId => Source.SongId!;
}

/// <summary>
/// The songs of a pipeline's source, with ids assigned, in a stable order; problems of the source itself (entries an
/// importer could not use, projects without an archive link); and what must stay alive while the songs are ingested
/// (the served synthetic library's HTTP server).
/// </summary>
public sealed class PipelineSourceSet : IAsyncDisposable
{
    internal PipelineSourceSet(IReadOnlyList<SourceSong> songs, IReadOnlyList<QuarantineRecord> problems, string description, IReadOnlyList<string> warnings, LibraryServer? server, string? synthDir)
    {
        Songs = songs;
        Problems = problems;
        Description = description;
        Warnings = warnings;
        Server = server;
        SynthDir = synthDir;
    }

    public IReadOnlyList<SourceSong> Songs { get; }

    /// <summary>Refused before any song was ingested (stage import or fetch).</summary>
    public IReadOnlyList<QuarantineRecord> Problems { get; }

    public string Description { get; }

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The server publishing a synthetic library (source kind synthetic with serve), while the run lasts.</summary>
    public LibraryServer? Server { get; }

    /// <summary>The generated library (source kind synthetic): library.csv and ground_truth/.</summary>
    public string? SynthDir { get; }

    public bool HasDownloads => Songs.Any(s => s.Downloads.Count > 0);

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Opens a pipeline's source: scrapes an index (url, html), scans a folder or dataset with the ingest importers,
/// or generates a synthetic library with <see cref="SynthLibrary"/> (kept when the same one is already there) and
/// either ingests its archives directly or publishes it on 127.0.0.1 (<see cref="LibraryServer"/>, index pages by
/// <see cref="IndexPageWriter"/>) and scrapes and downloads it like the real site.
/// </summary>
public static class PipelineSources
{
    public const string Stage = "source";

    public static async Task<PipelineSourceSet> OpenAsync(
        PipelineDefinition definition, PipelineLayout layout, IngestEngine engine, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var source = definition.Source;
        var catalog = new CatalogLayout(layout.LibraryDir);
        LibraryServer? server = null;
        try
        {
            switch (source.Kind)
            {
                case "url":
                    {
                        var site = SourceDefinition.Load(definition.ResolvePath(source.Definition));
                        var urls = source.Urls is { Count: > 0 } given ? given
                            : site.StartUrls is { Count: > 0 } start ? start
                            : throw new Common.Config.ConfigException(definition.Origin, $"source.urls: none given, and {site.Name} has no start_urls");
                        var scraped = await ScrapeAsync(definition, site, urls, catalog, progress, cancellationToken).ConfigureAwait(false);
                        return Projects(definition, site, catalog, engine, scraped, $"{string.Join(", ", urls)} ({site.Name})", null, null);
                    }

                case "html":
                    {
                        var site = SourceDefinition.Load(definition.ResolvePath(source.Definition));
                        var files = source.Files!.Select(definition.ResolvePath).ToList();
                        var scraped = LibraryScraper.ScrapeFiles(site, files, source.PageUrl, progress);
                        LibraryScraper.Write(catalog, scraped);
                        return Projects(definition, site, catalog, engine, scraped, $"{files.Count} saved page(s) ({site.Name})", null, null);
                    }

                case "folder" or "dataset":
                    {
                        var path = definition.ResolvePath(source.Path!);
                        var format = source.Format == "auto" ? (source.Kind == "folder" ? "folder" : null) : source.Format;
                        var importer = DatasetImporters.For(path, format);
                        var scan = importer.Scan(path);
                        var songs = Limit(definition, scan.Songs);
                        return new PipelineSourceSet(Assign(engine, songs), scan.Problems, $"{Path.GetFullPath(path)} ({importer.Format})", [], null, null);
                    }

                case "synthetic":
                    {
                        var synthDir = layout.SourceDir;
                        await GenerateAsync(source, synthDir, progress, cancellationToken).ConfigureAwait(false);
                        var described = string.Create(CultureInfo.InvariantCulture, $"synthetic library: {source.Songs} songs of {source.Seconds:0.#} s, seed {source.Seed}");
                        if (!source.Serve)
                        {
                            var scan = new SynthLibraryImporter().Scan(synthDir);
                            return new PipelineSourceSet(Assign(engine, Limit(definition, scan.Songs)), scan.Problems, described, [], null, synthDir);
                        }

                        var rows = CsvTable.Read<LibraryRow>(Path.Combine(synthDir, "library.csv"));

                        var (started, warning) = StartServer(source.Port);
                        server = started;
                        var projects = rows.Select(r => new SyntheticProject(
                            new ProjectRecord(
                                BroadGenre: r.BroadGenre,
                                SubGenre: r.SubGenre,
                                Title: r.Title,
                                Artist: r.Artist,
                                ArchiveUrl: server.UrlOf(r.ArchiveFile),
                                PreviewUrl: server.UrlOf(r.PreviewFile),
                                PageUrl: server.UrlOf("index.html"),
                                OtherArchiveUrls: string.Empty,
                                ArchiveKind: r.ArchiveKind.ToLowerInvariant(),
                                OtherArchiveKinds: string.Empty,
                                PreviewKind: r.PreviewKind.StartsWith("Full", StringComparison.OrdinalIgnoreCase) ? "full" : "excerpt",
                                ListedTracks: r.NTracks,
                                ListedSizeBytes: r.ArchiveBytes,
                                SongId: r.SongId),
                            Path.Combine(synthDir, r.ArchiveFile),
                            [])).ToList();
                        var index = SyntheticLibraryPublisher.Publish(server, projects);
                        foreach (var row in rows)
                        {
                            server.Map(row.PreviewFile, ServedResource.FromFile(Path.Combine(synthDir, row.PreviewFile), "audio/mpeg"));
                        }

                        var site = SourceDefinition.Load(definition.ResolvePath(source.Definition));
                        var scraped = await ScrapeAsync(definition with { Download = definition.Download with { MinIntervalS = 0 } }, site, [index], catalog, progress, cancellationToken)
                            .ConfigureAwait(false);
                        // The songs' origins name the archive, not the server's URL: a run on another port keeps the song ids
                        // (its archives are downloaded again, with the same content, so nothing after the download is redone).
                        var archiveOf = rows.ToDictionary(r => server.UrlOf(r.ArchiveFile), r => r.ArchiveFile, StringComparer.Ordinal);
                        return Projects(definition, site, catalog, engine, scraped, $"{described}, served at {server.BaseUri}", server, synthDir, warning,
                            p => archiveOf.TryGetValue(p.ArchiveUrl, out var file) ? "synthetic:" + file : LibraryScraper.Origin(p));
                    }

                default:
                    throw new ArgumentException($"{definition.Origin}: source.kind '{source.Kind}' is not known");
            }
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Generates the synthetic library unless the same one (seed, songs, seconds; complete) is already there.</summary>
    private static async Task GenerateAsync(PipelineSource source, string dir, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var marker = Path.Combine(dir, "synth.json");
        if (File.Exists(marker) && File.Exists(Path.Combine(dir, "library.csv")))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(marker));
                var r = doc.RootElement;
                if (r.GetProperty("complete").GetBoolean() && r.GetProperty("seed").GetInt32() == source.Seed && r.GetProperty("songs").GetInt32() == source.Songs
                    && Math.Abs(r.GetProperty("seconds").GetDouble() - source.Seconds) < 1e-9)
                {
                    progress?.Report(new StageProgress(Stage, "synthetic library", source.Songs, source.Songs, "done before"));
                    return;
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // regenerate
            }
        }

        var relay = progress is null ? null : new RelayProgress(p => progress.Report(p with { Stage = Stage, Item = "synth " + p.Item }));
        await SynthLibrary.GenerateAsync(dir, new SynthOptions(source.Songs, source.Seed, source.Seconds), relay, cancellationToken).ConfigureAwait(false);
    }

    private static (LibraryServer Server, string? Warning) StartServer(int port)
    {
        if (port == 0)
        {
            return (LibraryServer.Start(), null);
        }

        try
        {
            return (LibraryServer.Start(port), null);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            var server = LibraryServer.Start();
            return (server, $"port {port} on 127.0.0.1 is taken ({e.Message}); serving at {server.BaseUri} instead: the archives' URLs changed, so they are downloaded again");
        }
    }

    private static async Task<ScrapeResult> ScrapeAsync(
        PipelineDefinition definition, SourceDefinition site, IReadOnlyList<string> urls, CatalogLayout catalog, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var options = PageFetcherOptions.From(site.HttpOrDefault, catalog.PageCacheDir) with { Refresh = definition.Download.RefreshPages };
        if (definition.Download.MinIntervalS is { } interval)
        {
            options = options with { MinInterval = TimeSpan.FromSeconds(interval) };
        }

        using var fetcher = new PageFetcher(options);
        var result = await LibraryScraper.ScrapeUrlsAsync(site, urls, fetcher, progress, cancellationToken).ConfigureAwait(false);
        LibraryScraper.Write(catalog, result);
        return result;
    }

    /// <summary>One song per scraped project, with the downloads it needs (the fetch plan of <see cref="LibraryFetcher.Plan"/>).</summary>
    private static PipelineSourceSet Projects(
        PipelineDefinition definition, SourceDefinition site, CatalogLayout catalog, IngestEngine engine, ScrapeResult scraped, string description,
        LibraryServer? server, string? synthDir, string? warning = null, Func<ProjectRecord, string>? origin = null)
    {
        var projects = definition.Source.Limit is { } limit ? scraped.Projects.Take(limit).ToList() : scraped.Projects;
        var (requests, refused) = LibraryFetcher.Plan(catalog, projects, site.Rules);
        var bySong = requests.GroupBy(r => r.Item ?? string.Empty, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<DownloadRequest>)g.ToList(), StringComparer.Ordinal);
        var refusedBySong = refused.GroupBy(r => r.Item, StringComparer.Ordinal).ToDictionary(g => g.Key, g => string.Join("; ", g.Select(r => r.Reason)), StringComparer.Ordinal);
        var sources = projects.Select(p => new SongSource
        {
            Origin = origin?.Invoke(p) ?? LibraryScraper.Origin(p),
            Source = "mtk",
            Artist = p.Artist,
            Title = p.Title,
            BroadGenre = p.BroadGenre,
            SubGenre = p.SubGenre,
            SongId = p.SongId.Length > 0 ? p.SongId : null,
            Archives = bySong.TryGetValue(p.SongId, out var list) ? list.Select(r => r.TargetPath).ToList() : [],
            MissingReason = bySong.ContainsKey(p.SongId) ? null : refusedBySong.GetValueOrDefault(p.SongId, "no multitrack archive link was scraped"),
        }).ToList();
        var assigned = engine.AssignIds(sources);
        var songs = assigned.Select((s, i) => new SourceSong(i, s, bySong.GetValueOrDefault(projects[i].SongId) ?? [])).ToList();
        var warnings = scraped.Warnings.Select(w => $"{w.Entry}: {w.Field}: {w.Message}").ToList();
        if (warning is not null)
        {
            warnings.Insert(0, warning);
        }

        return new PipelineSourceSet(songs, refused, description, warnings, server, synthDir);
    }

    private static IReadOnlyList<SongSource> Limit(PipelineDefinition definition, IReadOnlyList<SongSource> songs) =>
        definition.Source.Limit is { } limit ? songs.Take(limit).ToList() : songs;

    private static List<SourceSong> Assign(IngestEngine engine, IReadOnlyList<SongSource> songs) =>
        engine.AssignIds(songs).Select((s, i) => new SourceSong(i, s, [])).ToList();

    private sealed class RelayProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
