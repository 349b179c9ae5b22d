using System.CommandLine;
using System.Globalization;
using DatasetForge.Common.Config;
using DatasetForge.Mixing;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge mix DATASET_DIR --recipe FILE --preview N --out DIR`: the first N items of a mix stream as WAV files, for listening.</summary>
internal sealed class MixCommand : IForgeCommand
{
    public Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "rendered dataset folder (manifests/, splits.csv, analysis/)" };
        var recipe = new Option<string>("--recipe") { Description = "mix recipe YAML or built-in name (bsrnn, rms, hierarchical, mixit)", Required = true };
        var preview = new Option<int>("--preview") { Description = "number of example mixtures to write", DefaultValueFactory = _ => 8 };
        var output = new Option<string>("--out") { Description = "output folder for NNNN_mixture.wav, NNNN_<target>.wav and plans.jsonl", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "stream seed", DefaultValueFactory = _ => 0 };
        var start = new Option<long>("--start") { Description = "first batch of the stream to preview", DefaultValueFactory = _ => 0 };
        var workers = new Option<int>("--workers") { Description = "render workers (0 = one per core)", DefaultValueFactory = _ => 0 };
        var command = new Command("mix", "Write example mixtures and their targets from a mix recipe (the stream `forge train` consumes).")
        {
            dataset, recipe, preview, output, seed, start, workers,
        };
        command.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var count = parse.GetValue(preview);
                if (count < 1)
                {
                    stderr.WriteLine("error: --preview must be at least 1");
                    return 2;
                }

                var mixRecipe = MixRecipe.Load(parse.GetValue(recipe)!);
                var data = MixDataset.Load(parse.GetValue(dataset)!);
                var planner = new MixPlanner(data, mixRecipe, parse.GetValue(seed));
                foreach (var issue in data.Issues.Concat(planner.Issues))
                {
                    stderr.WriteLine($"warning: {issue.Item}: {issue.Reason}");
                }

                var batch = Math.Min(count, 8);
                var options = new MixStreamOptions
                {
                    BatchSize = batch,
                    Workers = parse.GetValue(workers) is > 0 and var w ? w : Environment.ProcessorCount,
                    StartBatch = parse.GetValue(start),
                    Batches = (count + batch - 1) / batch,
                };
                using var stream = new MixStream(planner, options);
                var outDir = parse.GetValue(output)!;
                var items = await MixPreview.WriteAsync(stream, count, outDir, token).ConfigureAwait(false);
                if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
                {
                    var table = new Table().AddColumns("item", "mixture", "targets", "sources (song, node, start s, gain dB, dropped)");
                    foreach (var item in items)
                    {
                        table.AddRow(item.Number.ToString(CultureInfo.InvariantCulture), Markup.Escape(Path.GetFileName(item.MixtureFile)),
                            Markup.Escape(string.Join(" ", item.TargetFiles.Select(Path.GetFileName))), Markup.Escape(Describe(item.Plan)));
                    }

                    AnsiConsole.Write(table);
                }
                else
                {
                    foreach (var item in items)
                    {
                        stdout.WriteLine($"{item.MixtureFile}\t{string.Join('\t', item.TargetFiles)}");
                    }
                }

                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"mix: {items.Count} items of recipe '{mixRecipe.Name}' ({planner.SampleRate} Hz, {planner.Channels} ch, {planner.ChunkFrames / (double)planner.SampleRate:0.###} s, targets {string.Join(", ", planner.TargetNames)}) in {Path.GetFullPath(outDir)}"));
                return data.Issues.Count + planner.Issues.Count == 0 ? 0 : 1;
            }
            catch (Exception e) when (e is ConfigException or IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static string Describe(MixPlan plan) => string.Join("; ", plan.Sources.Select(s => string.Create(CultureInfo.InvariantCulture,
        $"{s.SongId} {s.Node} @{s.StartFrame / (double)plan.SampleRate:0.00} {s.GainDb:+0.0;-0.0} dB{(s.Dropped ? " dropped" : string.Empty)}")));
}
