using System.CommandLine;
using DatasetForge.Audio;
using DatasetForge.Cli.Support;
using DatasetForge.Render.Export;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge export musdb DATASET_DIR --out DIR`: a MUSDB18-HQ tree that the musdb tools read.</summary>
internal sealed class ExportCommand : IForgeCommand
{
    public Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "a rendered dataset folder (splits.csv decides train/test when present)" };
        var output = new Option<string>("--out") { Description = "folder for train/ and test/", Required = true };
        var encoding = new Option<string>("--encoding") { Description = "WAV encoding (MUSDB18-HQ is 16-bit PCM)", DefaultValueFactory = _ => "pcm16" };
        encoding.AcceptOnlyFromAmong("pcm16", "pcm24", "float32");
        var musdb = new Command("musdb", "Write train/ and test/ with mixture, vocals, bass, drums and other WAVs per song (MUSDB18-HQ layout).") { dataset, output, encoding };
        musdb.SetAction(async (parse, cancellationToken) =>
        {
            var enc = parse.GetValue(encoding) switch { "pcm24" => SampleEncoding.Pcm24, "float32" => SampleEncoding.Float32, _ => SampleEncoding.Pcm16 };
            MusdbExportSummary summary;
            try
            {
                summary = await StageProgressView.RunAsync(p => Task.Run(() => MusdbExporter.Export(parse.GetValue(dataset)!, parse.GetValue(output)!, enc, p, cancellationToken), cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            Console.WriteLine($"exported {summary.Train} train and {summary.Test} test songs ({summary.Files} files) to {parse.GetValue(output)}; targets: {string.Join(", ", summary.Mapping.Select(kv => $"{kv.Key} = {kv.Value}"))}");
            foreach (var p in summary.Problems)
            {
                Console.Error.WriteLine($"problem [{p.Stage}] {p.Item}: {p.Reason}");
            }

            return summary.Problems.Count == 0 ? 0 : 1;
        });
        return new Command("export", "Export a rendered dataset in another dataset's layout.") { musdb };
    }
}
