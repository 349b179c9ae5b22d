using System.CommandLine;
using System.Globalization;
using DatasetForge.Common.Config;
using DatasetForge.Mixing;
using DatasetForge.Torch;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;
using Spectre.Console;
using TorchSharp;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge train DATASET_DIR --recipe FILE --steps N [--device cpu|cuda]`: trains a separation model on the mix
/// stream, with a progress bar, a metrics log (OUT/metrics.jsonl) and checkpoints (OUT/checkpoints/).
/// </summary>
internal sealed class TrainCommand : IForgeCommand
{
    public Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "rendered dataset folder (manifests/, splits.csv, analysis/)" };
        var recipe = new Option<string>("--recipe") { Description = "mix recipe YAML or built-in name (bsrnn, rms, hierarchical, mixit)", Required = true };
        var steps = new Option<long>("--steps") { Description = "optimizer steps", DefaultValueFactory = _ => 1000 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var model = new Option<string>("--model") { Description = $"model ({string.Join(", ", SeparationModels.Names)})", DefaultValueFactory = _ => "tiny-masknet" };
        var batch = new Option<int>("--batch") { Description = "mixtures per batch", DefaultValueFactory = _ => 8 };
        var workers = new Option<int>("--workers") { Description = "mix stream workers (0 = one per core)", DefaultValueFactory = _ => 0 };
        var prefetch = new Option<int>("--prefetch") { Description = "batches rendered ahead (0 = 2 x workers)", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "stream seed (and torch seed)", DefaultValueFactory = _ => 0 };
        var lr = new Option<double>("--lr") { Description = "learning rate (Adam)", DefaultValueFactory = _ => 1e-3 };
        var clip = new Option<double?>("--clip") { Description = "gradient norm clip (none by default)" };
        var output = new Option<string?>("--out") { Description = "run folder (metrics.jsonl, checkpoints/); default runs/<recipe>" };
        var logEvery = new Option<int>("--log-every") { Description = "steps per metrics line", DefaultValueFactory = _ => 10 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "steps between checkpoints (0 = at the end only)", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "continue from the run folder's latest checkpoint (model, optimizer, RNG, stream position)" };
        var threads = new Option<int>("--torch-threads") { Description = "libtorch CPU threads (0 = libtorch's default)", DefaultValueFactory = _ => 0 };
        var command = new Command("train", "Train a separation model on the mix stream of a dataset (progress bar, metrics log, checkpoints).")
        {
            dataset, recipe, steps, device, model, batch, workers, prefetch, seed, lr, clip, output, logEvery, checkpointEvery, resume, threads,
        };
        command.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var mixRecipe = MixRecipe.Load(parse.GetValue(recipe)!);
                var torchDevice = TorchDevice.Resolve(parse.GetValue(device)!);
                if (parse.GetValue(threads) is > 0 and var n)
                {
                    torch.set_num_threads(n);
                }

                var data = MixDataset.Load(parse.GetValue(dataset)!);
                var streamSeed = parse.GetValue(seed);
                var planner = new MixPlanner(data, mixRecipe, streamSeed);
                foreach (var issue in data.Issues.Concat(planner.Issues))
                {
                    stderr.WriteLine($"warning: {issue.Item}: {issue.Reason}");
                }

                var outDir = parse.GetValue(output) ?? Path.Combine("runs", mixRecipe.Name);
                var batchSize = parse.GetValue(batch);
                var options = new TrainerOptions
                {
                    Steps = parse.GetValue(steps),
                    Device = torchDevice,
                    LearningRate = parse.GetValue(lr),
                    GradientClipNorm = parse.GetValue(clip),
                    LogEvery = Math.Max(1, parse.GetValue(logEvery)),
                    CheckpointEvery = parse.GetValue(checkpointEvery),
                    OutDir = outDir,
                    TorchSeed = (long)(streamSeed & long.MaxValue),
                    Run = new TrainRunInfo(mixRecipe.Name, mixRecipe.Hash, data.Key, streamSeed, batchSize),
                };
                torch.manual_seed(options.TorchSeed);
                var (separationModel, loss) = SeparationModels.Create(parse.GetValue(model)!, planner.Channels, planner.TargetCount);
                using var modelScope = separationModel;
                using var trainer = new Trainer(separationModel, loss, options);
                if (parse.GetValue(resume))
                {
                    var latest = Checkpoint.Latest(outDir) ?? throw new FileNotFoundException($"{outDir}: no checkpoint to resume from");
                    var state = trainer.Resume(latest);
                    stdout.WriteLine($"train: resumed {latest} at step {state.Step}, stream batch {state.NextBatch}");
                }

                var streamOptions = new MixStreamOptions
                {
                    BatchSize = batchSize,
                    Workers = parse.GetValue(workers) is > 0 and var w ? w : Environment.ProcessorCount,
                    Prefetch = parse.GetValue(prefetch),
                    StartBatch = trainer.NextBatch,
                };
                using var stream = new MixStream(planner, streamOptions);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"train: {separationModel.Name} on '{mixRecipe.Name}' ({planner.SampleRate} Hz, {planner.Channels} ch, {planner.ChunkFrames / (double)planner.SampleRate:0.###} s, targets {string.Join(", ", planner.TargetNames)}), batch {batchSize}, {streamOptions.Workers} stream workers, device {torchDevice}"));

                TrainSummary summary;
                var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
                if (interactive)
                {
                    summary = await AnsiConsole.Progress()
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                        .StartAsync(async ctx =>
                        {
                            var task = ctx.AddTask("train", maxValue: options.Steps);
                            task.Value = trainer.Step;
                            var progress = new Progress<TrainProgress>(p =>
                            {
                                task.Value = p.Step;
                                task.Description = string.Create(CultureInfo.InvariantCulture, $"step {p.Step} loss {p.Loss:0.00000} {p.ItemsPerSecond:0} mix/s wait {p.DataWaitSeconds * 1000:0} ms");
                            });
                            return await trainer.RunAsync(stream.ReadAllAsync(token), progress, token).ConfigureAwait(false);
                        }).ConfigureAwait(false);
                }
                else
                {
                    var every = options.LogEvery;
                    var window = new List<double>();
                    var progress = new SyncProgress(p =>
                    {
                        window.Add(p.Loss);
                        if (p.Step % every == 0 || p.Step == p.Steps)
                        {
                            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"step {p.Step}/{p.Steps} loss {window.Average():0.000000} {p.ItemsPerSecond:0.0} mix/s step {p.StepSeconds * 1000:0} ms wait {p.DataWaitSeconds * 1000:0} ms"));
                            window.Clear();
                        }
                    });
                    summary = await trainer.RunAsync(stream.ReadAllAsync(token), progress, token).ConfigureAwait(false);
                }

                var trained = summary.Losses.Count;
                var seconds = summary.Elapsed.TotalSeconds;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"train: {trained} steps in {seconds:0.0} s ({trained * batchSize / Math.Max(seconds, 1e-9):0.0} mixtures/s), waiting for data {100 * summary.DataWaitSeconds / Math.Max(summary.DataWaitSeconds + summary.ComputeSeconds, 1e-9):0.0}% of the time; " +
                    $"loss {(trained > 0 ? summary.Losses.TakeLast(Math.Min(trained, options.LogEvery)).Average() : double.NaN):0.000000}"));
                stdout.WriteLine($"train: metrics {Path.Combine(outDir, "metrics.jsonl")}, checkpoint {summary.LastCheckpoint}");
                return 0;
            }
            catch (Exception e) when (e is ConfigException or IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine("train: cancelled");
                return 130;
            }
        });
        return command;
    }

    private sealed class SyncProgress(Action<TrainProgress> action) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => action(value);
    }
}
