using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DatasetForge.Cli.Support;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Pipeline;
using DatasetForge.Torch.Training;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge demo`: the whole job on a built-in example, nothing to download. Runs pipelines/demo.yaml (a synthetic
/// library published on 127.0.0.1 as index pages plus archives, scraped, downloaded, ingested, labelled, rendered,
/// analysed, split, with statistics and the audit report), streams mixes from the result into a short TorchSharp
/// training run, and prints where everything is and how the results compare with the library's ground truth.
/// </summary>
internal sealed class DemoCommand : IForgeCommand
{
    public Command Create()
    {
        var output = new Option<string?>("--out") { Description = "output folder (default: demo-output)" };
        var sets = new Option<string[]>("--set") { Description = "override a key of pipelines/demo.yaml, e.g. --set source.songs=4 (repeatable)" };
        var steps = new Option<long>("--steps") { Description = "training steps on the mix stream (0: no training)", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "mixtures per training batch", DefaultValueFactory = _ => 4 };
        var recipe = new Option<string>("--recipe") { Description = "mix recipe of the training run", DefaultValueFactory = _ => "bsrnn" };
        var command = new Command("demo", "Run the whole pipeline on a synthetic library served on 127.0.0.1 (scrape, download, ingest, label, render, analyze, split, stats, report), then a short training run; compare with the ground truth.")
        {
            output, sets, steps, batch, recipe,
        };
        command.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var clock = Stopwatch.StartNew();
            PipelineDefinition definition;
            try
            {
                definition = PipelineDefinition.Load("demo", parse.GetValue(sets) ?? []);
            }
            catch (Exception e) when (e is ConfigException or FileNotFoundException or ArgumentException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 2;
            }

            var outDir = parse.GetValue(output) ?? definition.Output ?? "demo-output";
            var layout = new PipelineLayout(outDir);
            var terminal = StageProgressView.IsTerminal(stdout);
            var trainSteps = parse.GetValue(steps);
            var trainOptions = new ShortTrainingOptions { Recipe = parse.GetValue(recipe)!, Steps = trainSteps, BatchSize = parse.GetValue(batch) };
            stdout.WriteLine($"demo: {definition.Description} -> {layout.Root}");
            try
            {
                var (summary, training, trainingError) = await StageProgressView.RunAsync<(PipelineSummary, ShortTrainingResult?, string?)>(async p =>
                {
                    var result = await new PipelineRunner(definition, outDir, p).RunAsync(token).ConfigureAwait(false);
                    if (trainSteps <= 0 || result.SongsInDataset == 0)
                    {
                        return (result, null, result.SongsInDataset == 0 ? "no song reached the dataset" : null);
                    }

                    try
                    {
                        var trainProgress = new TrainRelay(p, trainOptions.BatchSize);
                        var trained = await ShortTrainingRun.RunAsync(result.DatasetDir, Path.Combine(layout.Root, "train"), trainOptions, trainProgress, token).ConfigureAwait(false);
                        return (result, trained, null);
                    }
                    catch (Exception e) when (e is ConfigException or IOException or InvalidOperationException or ArgumentException or InvalidDataException)
                    {
                        return (result, null, e.Message);
                    }
                }, stdout, units: new Dictionary<string, string> { ["train"] = "steps", ["source"] = "items" }).ConfigureAwait(false);

                PipelinePrinter.Print(summary, stdout, stderr, terminal, maxQuarantineLines: 12);
                var inv = CultureInfo.InvariantCulture;
                if (training is { } t)
                {
                    stdout.WriteLine(t.StepsTrainedNow == 0
                        ? $"training: {t.Model} on the '{t.Recipe}' mix stream already has {t.Steps} steps ({t.Checkpoint})"
                        : string.Create(inv, $"training: {t.Model} on the '{t.Recipe}' mix stream, {t.StepsTrainedNow} steps of {t.BatchSize} mixtures: loss {t.FirstLoss:0.0000} -> {t.LastLoss:0.0000}, {t.MixturesPerSecond:0.0} mixtures/s, {100 * t.DataWaitFraction:0}% waiting for data"));
                    stdout.WriteLine($"training run: {t.RunDir} (metrics.jsonl, checkpoints/, index.html)");
                    stdout.WriteLine($"  try: ./forge separate --model \"{t.RunDir}\" SONG_MIX.wav --out est/SONG; ./forge eval --dataset \"{layout.DatasetDir}\" --estimates est");
                }
                else if (trainSteps > 0)
                {
                    stderr.WriteLine($"error: training: {trainingError}");
                }

                if (summary.SynthDir is { } synth)
                {
                    var truth = GroundTruthComparison.Compute(synth, summary.LabelsCsv, Path.Combine(summary.DatasetDir, "analysis"));
                    stdout.WriteLine(string.Create(inv,
                        $"vs ground truth ({Path.Combine(synth, "ground_truth")}): labels {truth.LabelCorrect}/{truth.LabelledTracks} tracks right ({100 * truth.LabelAccuracy:0.0}%; level-1 instrument {100 * truth.InstrumentAccuracy:0.0}%)"));
                    if (truth.TopConfusions.Count > 0)
                    {
                        stdout.WriteLine("  most frequent label errors (truth -> ours): " + string.Join("; ", truth.TopConfusions.Select(c => $"{c.Label} -> {c.Predicted} x{c.Count}")));
                    }

                    var auc = double.IsFinite(truth.BleedAuc) ? truth.BleedAuc.ToString("0.000", inv) : "n/a";
                    stdout.WriteLine(string.Create(inv,
                        $"  bleed: ROC AUC {auc} ({truth.BleedPositives} tracks with injected bleed vs {truth.BleedNegatives} clean); has_bleed right for {truth.SongBleedCorrect} of {truth.SongsCompared} songs"));
                }

                using var self = Process.GetCurrentProcess();
                var note = summary.Quarantined.Count > 0 ? $"; the {summary.Quarantined.Count} quarantined items are the library's deliberate defects (ground_truth/defects.csv)" : string.Empty;
                stdout.WriteLine(string.Create(inv, $"demo: {clock.Elapsed.TotalSeconds:0.0} s wall, {self.TotalProcessorTime.TotalSeconds:0.0} s CPU ({Environment.ProcessorCount} cores){note}"));
                return training is null && trainSteps > 0 ? 1 : 0;
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine("demo: cancelled; run `forge demo` again to resume");
                return 130;
            }
            catch (Exception e) when (e is ConfigException or IOException or ArgumentException or InvalidDataException or UnauthorizedAccessException or Ingest.Scrape.ScrapeException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Training steps as a stage of the progress view (mixture seconds as its audio throughput).</summary>
    private sealed class TrainRelay(IProgress<StageProgress> target, int batch) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) =>
            target.Report(new StageProgress("train", string.Create(CultureInfo.InvariantCulture, $"step {value.Step} loss {value.Loss:0.0000}"), value.Step, value.Steps,
                Bytes: batch));
    }
}
