using DatasetForge.Common;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Scrape;

namespace DatasetForge.Ingest.Download;

/// <summary>What <see cref="LibraryFetcher.FetchAsync"/> did.</summary>
public sealed record FetchSummary(IReadOnlyList<DownloadRecord> Downloads, IReadOnlyList<QuarantineRecord> Quarantined, IReadOnlyList<DownloadResult> Results)
{
    public int Complete => Downloads.Count(d => d.Status == "complete");

    public int Skipped => Downloads.Count(d => d.Status == "skipped");

    public int Failed => Downloads.Count(d => d.Status == "failed");

    public int Retries => Results.Sum(r => r.Retries);

    public long BytesTransferred => Results.Sum(r => r.BytesTransferred);
}

/// <summary>
/// <c>forge fetch DIR</c>: downloads the archives a scraped catalog lists (<c>catalog/projects.csv</c>) into
/// <c>DIR/archives/</c>, writes <c>catalog/downloads.csv</c>, and quarantines what cannot be fetched (failed downloads,
/// links to web pages instead of archives, projects without an archive). Re-runs skip complete files.
/// </summary>
public static class LibraryFetcher
{
    public const string Stage = "fetch";

    /// <summary>The download requests for a catalog's projects, plus the projects that cannot be fetched and why.</summary>
    public static (IReadOnlyList<DownloadRequest> Requests, IReadOnlyList<QuarantineRecord> Refused) Plan(
        CatalogLayout layout, IReadOnlyList<ProjectRecord> projects, SourceRules? rules = null)
    {
        rules ??= SourceDefinition.Load().Rules;
        var requests = new List<DownloadRequest>();
        var refused = new List<QuarantineRecord>();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var project in projects)
        {
            var urls = project.ArchivesToFetch;
            if (urls.Count == 0)
            {
                refused.Add(new QuarantineRecord(project.SongId, Stage, "no multitrack archive link was scraped"));
                continue;
            }

            foreach (var url in urls)
            {
                if (!rules.IsArchiveUrl(url))
                {
                    refused.Add(new QuarantineRecord(project.SongId, Stage, $"the archive link is not an archive ({url}); fetch it by hand into archives/"));
                    continue;
                }

                requests.Add(new DownloadRequest(url, Path.Combine(layout.ArchivesDir, FileNameFor(url, names)), project.SongId));
            }
        }

        return (requests, refused);
    }

    /// <summary>The local file name of an archive URL (its last path segment, made safe; unique within the catalog).</summary>
    public static string FileNameFor(string url, Dictionary<string, string>? taken = null)
    {
        var segment = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Uri.UnescapeDataString(uri.AbsolutePath.TrimEnd('/')) : url;
        var name = SongIds.Safe(Path.GetFileName(segment));
        if (name.Length == 0 || name == "Unknown")
        {
            name = ContentHash.OfText(url)[..12] + ".zip";
        }

        if (taken is null)
        {
            return name;
        }

        if (taken.TryGetValue(name, out var holder) && holder != url)
        {
            var ext = name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ? ".tar.gz" : Path.GetExtension(name);
            name = $"{name[..^ext.Length]}-{ContentHash.OfText(url)[..8]}{ext}";
        }

        taken[name] = url;
        return name;
    }

    public static async Task<FetchSummary> FetchAsync(
        CatalogLayout layout, DownloadOptions options, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default, HttpMessageHandler? handler = null)
    {
        var projects = CatalogStore.ReadProjects(layout);
        var (requests, refused) = Plan(layout, projects);
        using var downloader = new Downloader(options, handler);
        var results = await downloader.DownloadAllAsync(requests, progress, cancellationToken).ConfigureAwait(false);
        var records = results.Select(r => new DownloadRecord(
            r.Request.Item ?? string.Empty,
            r.Request.Url,
            layout.ToCatalogPath(r.Request.TargetPath),
            r.Bytes,
            r.Sha256 ?? string.Empty,
            r.Status.ToString().ToLowerInvariant(),
            r.Attempts,
            r.Reason ?? string.Empty)).ToList();
        var quarantine = refused
            .Concat(results.Where(r => r.Status == DownloadStatus.Failed)
                .Select(r => new QuarantineRecord(r.Request.Item ?? r.Request.Url, Stage, $"{r.Request.Url}: {r.Reason}")))
            .ToList();
        CsvTable.Write(layout.DownloadsCsv, records);
        CatalogStore.WriteStageQuarantine(layout, Stage, quarantine);
        return new FetchSummary(records, quarantine, results);
    }
}
