using System.CommandLine;
using DatasetForge.Cli.Support;
using DatasetForge.Ingest;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Extract;
using DatasetForge.Ingest.Import;
using DatasetForge.Ingest.Probe;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge ingest SOURCE --out DIR [--format ...]`: extract, probe and catalog every song.</summary>
internal sealed class IngestCommand : IForgeCommand
{
    public Command Create()
    {
        var source = new Argument<string>("source") { Description = "a scraped+fetched catalog folder, a folder of archives/song folders, or a dataset root" };
        var output = new Option<string?>("--out") { Description = "catalog folder (default: SOURCE when it is a scraped catalog)" };
        var format = new Option<string?>("--format") { Description = "layout of SOURCE (default: detected)" };
        format.AcceptOnlyFromAmong([.. DatasetImporters.Formats]);
        var concurrency = new Option<int>("--concurrency") { Description = "songs at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var force = new Option<bool>("--force") { Description = "redo songs already ingested with the same inputs and parameters" };
        var maxRatio = new Option<double>("--max-ratio") { Description = "refuse archives whose uncompressed/compressed ratio exceeds this (zip bomb)", DefaultValueFactory = _ => new ExtractOptions().MaxRatio };
        var maxGb = new Option<double>("--max-gb") { Description = "refuse archives that unpack to more than this many GB (zip bomb)", DefaultValueFactory = _ => new ExtractOptions().MaxTotalBytes / 1e9 };
        var tolerance = new Option<double>("--length-tolerance") { Description = "seconds a track may differ from the song's median length", DefaultValueFactory = _ => new ProbeOptions().LengthToleranceSeconds };
        var command = new Command("ingest", "Extract, probe and catalog every song of SOURCE into DIR/catalog (songs.csv, tracks.csv, quarantine.csv).")
        {
            source, output, format, concurrency, force, maxRatio, maxGb, tolerance,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var sourceDir = parse.GetValue(source)!;
            var outDir = parse.GetValue(output);
            if (outDir is null)
            {
                if (!File.Exists(new CatalogLayout(sourceDir).ProjectsCsv))
                {
                    Console.Error.WriteLine("error: --out DIR is required (SOURCE is not a scraped catalog)");
                    return 2;
                }

                outDir = sourceDir;
            }

            var options = new IngestOptions
            {
                Concurrency = Math.Max(1, parse.GetValue(concurrency)),
                Force = parse.GetValue(force),
                Extract = new ExtractOptions { MaxRatio = parse.GetValue(maxRatio), MaxTotalBytes = (long)(parse.GetValue(maxGb) * 1e9) },
                Probe = new ProbeOptions { LengthToleranceSeconds = parse.GetValue(tolerance) },
            };
            var engine = new IngestEngine(new CatalogLayout(outDir), options);
            IngestSummary summary;
            try
            {
                var importer = DatasetImporters.For(sourceDir, parse.GetValue(format));
                Console.WriteLine($"ingesting {sourceDir} as '{importer.Format}' into {engine.Layout.Root}");
                summary = await StageProgressView.RunAsync(p => engine.IngestSourceAsync(sourceDir, importer.Format, p, cancellationToken)).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            PrintSummary(summary, engine.Layout);
            return summary.Catalog.Quarantined == 0 ? 0 : 1;
        });
        return command;
    }

    private static void PrintSummary(IngestSummary s, CatalogLayout layout)
    {
        var seconds = Math.Max(1e-9, s.Elapsed.TotalSeconds);
        Console.WriteLine($"songs: {s.Songs} ({s.Ingested} ingested now, {s.Skipped} done before); tracks probed now: {s.TracksProbed}");
        if (s.Ingested > 0)
        {
            Console.WriteLine($"throughput: {s.ArchiveBytes / 1e6 / seconds:0.0} MB/s of archives, {s.AudioBytes / 1e6 / seconds:0.0} MB/s of audio probed, {s.TracksProbed / seconds:0.0} tracks/s ({seconds:0.0} s)");
        }

        var statuses = string.Join(", ", s.Catalog.SongsByStatus.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"));
        Console.WriteLine($"catalog: {s.Catalog.Songs} songs ({statuses}), {s.Catalog.Tracks} tracks, {s.Catalog.Aside} files aside, {s.Catalog.Quarantined} quarantined");
        var quarantine = Common.CsvTable.Read<Common.QuarantineRecord>(layout.QuarantineCsv);
        foreach (var q in quarantine.Take(30))
        {
            Console.Error.WriteLine($"quarantined [{q.Stage}] {q.Item}: {q.Reason}");
        }

        if (quarantine.Count > 30)
        {
            Console.Error.WriteLine($"... {quarantine.Count - 30} more in {layout.QuarantineCsv}");
        }

        if (StageProgressView.Interactive)
        {
            AnsiConsole.MarkupLine($"[grey]catalog: {Markup.Escape(layout.CatalogDir)}[/]");
        }
        else
        {
            Console.WriteLine($"catalog: {layout.CatalogDir}");
        }
    }
}
