using System.CommandLine;
using DatasetForge.Cli.Support;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Download;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge fetch DIR`: downloads the archives a scraped catalog lists, resumably.</summary>
internal sealed class FetchCommand : IForgeCommand
{
    public Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "catalog folder written by `forge scrape`" };
        var concurrency = new Option<int>("--concurrency") { Description = "downloads at once", DefaultValueFactory = _ => 4 };
        var retries = new Option<int>("--retries") { Description = "retries per file (exponential backoff with jitter)", DefaultValueFactory = _ => 6 };
        var timeout = new Option<double>("--timeout") { Description = "seconds without data before a transfer is dropped and resumed", DefaultValueFactory = _ => 60 };
        var rehash = new Option<bool>("--rehash") { Description = "re-hash complete files instead of trusting their recorded size" };
        var command = new Command("fetch", "Download the archives listed in DIR/catalog/projects.csv into DIR/archives (resumable).") { dir, concurrency, retries, timeout, rehash };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var layout = new CatalogLayout(parse.GetValue(dir)!);
            if (!File.Exists(layout.ProjectsCsv))
            {
                Console.Error.WriteLine($"error: {layout.ProjectsCsv}: not found (run `forge scrape --out {layout.Root}` first)");
                return 2;
            }

            var options = new DownloadOptions
            {
                Concurrency = Math.Max(1, parse.GetValue(concurrency)),
                MaxRetries = Math.Max(0, parse.GetValue(retries)),
                StallTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                HeaderTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                RehashExisting = parse.GetValue(rehash),
            };
            var started = DateTime.UtcNow;
            var summary = await StageProgressView.RunAsync(p => LibraryFetcher.FetchAsync(layout, options, p, cancellationToken)).ConfigureAwait(false);
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            foreach (var q in summary.Quarantined)
            {
                Console.Error.WriteLine($"failed: {q.Item}: {q.Reason}");
            }

            Console.WriteLine($"fetched {summary.Complete} archive(s), {summary.Skipped} already complete, {summary.Failed} failed, {summary.Quarantined.Count - summary.Failed} not fetchable; " +
                $"{summary.BytesTransferred / 1e6:0.0} MB in {seconds:0.0} s, {summary.Retries} retries");
            Console.WriteLine($"wrote {layout.DownloadsCsv}");
            return summary.Quarantined.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
