using System.CommandLine;
using System.Globalization;
using DatasetForge.Common.Config;
using DatasetForge.Mixing;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge train CONFIG.yaml [--steps N] [--device cpu|cuda] [--resume]` trains what a training config describes
/// (pipelines/train/*.yaml, schema train.schema.json); `forge train DATASET_DIR --recipe R [--model KIND]` trains a
/// model on a dataset's mix stream with the paper defaults of the model (a directory argument = dataset mode). Both
/// show progress and write metrics.jsonl, validation.jsonl, checkpoints/ and a report (index.html) to the run folder.
/// </summary>
internal sealed class TrainCommand : IForgeCommand
{
    public Command Create()
    {
        var input = new Argument<string>("input") { Description = "a training config (.yaml file or built-in name), or a rendered dataset folder (then --recipe is required)" };
        var recipe = new Option<string?>("--recipe") { Description = "dataset mode: mix recipe YAML or built-in name (bsrnn, rms, hierarchical, mixit)" };
        var steps = new Option<long?>("--steps") { Description = "optimizer steps (dataset mode default 1000)" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default cpu)" };
        var dataset = new Option<string?>("--dataset") { Description = "config mode: the dataset folder (overrides the config's)" };
        var model = new Option<string>("--model") { Description = $"dataset mode: model kind ({string.Join(", ", SeparationModels.Names)})", DefaultValueFactory = _ => ModelSpec.TinyMaskNet };
        var target = new Option<string?>("--target") { Description = "dataset mode, bsrnn: the recipe target to separate (default: the first)" };
        var batch = new Option<int>("--batch") { Description = "dataset mode: mixtures per batch", DefaultValueFactory = _ => 8 };
        var workers = new Option<int>("--workers") { Description = "dataset mode: mix stream workers (0 = one per core)", DefaultValueFactory = _ => 0 };
        var prefetch = new Option<int>("--prefetch") { Description = "dataset mode: batches rendered ahead (0 = 2 x workers)", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "dataset mode: stream seed (and torch seed)", DefaultValueFactory = _ => 0 };
        var lr = new Option<double>("--lr") { Description = "dataset mode: learning rate (Adam)", DefaultValueFactory = _ => 1e-3 };
        var clip = new Option<double?>("--clip") { Description = "dataset mode: gradient norm clip (none by default)" };
        var output = new Option<string?>("--out") { Description = "run folder (default runs/<config name or recipe name>)" };
        var logEvery = new Option<int>("--log-every") { Description = "dataset mode: steps per metrics line", DefaultValueFactory = _ => 10 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "dataset mode: steps between checkpoints (0 = at the end only)", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "continue from the run folder's latest checkpoint (model, optimizer, RNG, stream position)" };
        var threads = new Option<int?>("--torch-threads") { Description = "libtorch CPU threads (0 = libtorch's default)" };
        var command = new Command("train", "Train a separation model on the mix stream: `forge train CONFIG.yaml` (pipelines/train/) or `forge train DATASET_DIR --recipe R`.")
        {
            input, recipe, steps, device, dataset, model, target, batch, workers, prefetch, seed, lr, clip, output, logEvery, checkpointEvery, resume, threads,
        };
        Option[] datasetOnly = [recipe, model, target, batch, workers, prefetch, seed, lr, clip, logEvery, checkpointEvery];
        command.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var argument = parse.GetValue(input)!;
                var overrides = new TrainOverrides
                {
                    Steps = parse.GetValue(steps),
                    Device = parse.GetValue(device),
                    OutDir = parse.GetValue(output),
                    Resume = parse.GetValue(resume),
                    TorchThreads = parse.GetValue(threads),
                };
                TrainConfig config;
                if (TrainConfig.IsConfig(argument))
                {
                    var given = datasetOnly.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                    if (given.Count > 0)
                    {
                        throw new ArgumentException($"{string.Join(", ", given)}: dataset-mode options; in config mode set them in {argument}");
                    }

                    config = TrainConfig.Load(argument);
                    overrides = overrides with { Dataset = parse.GetValue(dataset) };
                }
                else
                {
                    if (!Directory.Exists(argument))
                    {
                        throw new DirectoryNotFoundException($"{argument}: neither a dataset folder nor a training config (.yaml, or one of: {string.Join(", ", TrainConfig.PresetNames)})");
                    }

                    var recipeName = parse.GetValue(recipe) ?? throw new ArgumentException("dataset mode needs --recipe (or give a training config instead of a folder)");
                    var mixRecipe = MixRecipe.Load(recipeName);
                    config = new TrainConfig
                    {
                        Name = mixRecipe.Name,
                        Dataset = argument,
                        Recipe = recipeName,
                        Seed = parse.GetValue(seed),
                        BatchSize = parse.GetValue(batch),
                        Workers = parse.GetValue(workers),
                        Prefetch = parse.GetValue(prefetch),
                        Steps = 1000,
                        Model = new ModelSpec { Kind = parse.GetValue(model)!, Target = parse.GetValue(target) ?? (parse.GetValue(model) == ModelSpec.Bsrnn ? mixRecipe.Targets?.FirstOrDefault() : null) },
                        Optimizer = new OptimizerConfig { Lr = parse.GetValue(lr) },
                        ClipGradNorm = parse.GetValue(clip),
                        Output = new OutputConfig { LogEvery = Math.Max(1, parse.GetValue(logEvery)), CheckpointEvery = parse.GetValue(checkpointEvery) },
                        Origin = "(command line)",
                    };
                }

                var result = await Run(config, overrides, stdout, token).ConfigureAwait(false);
                var summary = result.Summary;
                var trained = summary.Losses.Count;
                var seconds = summary.Elapsed.TotalSeconds;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"train: {trained} steps in {seconds:0.0} s ({trained * result.BatchSize / Math.Max(seconds, 1e-9):0.0} mixtures/s), waiting for data {100 * summary.DataWaitSeconds / Math.Max(summary.DataWaitSeconds + summary.ComputeSeconds, 1e-9):0.0}% of the time; " +
                    $"loss {(trained > 0 ? summary.Losses.TakeLast(Math.Min(trained, config.Output.LogEvery)).Average() : double.NaN):0.000000}"));
                if (summary.Validations.Count > 0)
                {
                    var last = summary.Validations[^1];
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"train: validation uSDR {last.GetValueOrDefault("val_usdr", double.NaN):0.00} dB, SI-SDR {last.GetValueOrDefault("val_si_sdr", double.NaN):0.00} dB (mixture {last.GetValueOrDefault("val_si_sdr_mix", double.NaN):0.00} dB){(summary.StoppedEarly ? "; stopped early" : string.Empty)}"));
                }

                stdout.WriteLine($"train: metrics {Path.Combine(result.OutDir, "metrics.jsonl")}, report {Path.Combine(result.OutDir, "index.html")}, checkpoint {summary.LastCheckpoint}" +
                    (summary.BestCheckpoint is { } best ? $", best {best}" : string.Empty));
                return 0;
            }
            catch (Exception e) when (e is ConfigException or IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or InvalidDataException)
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

    private static async Task<TrainRunResult> Run(TrainConfig config, TrainOverrides overrides, TextWriter stdout, CancellationToken token)
    {
        var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (interactive)
        {
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("train", maxValue: overrides.Steps ?? config.Steps);
                    var progress = new Progress<TrainProgress>(p =>
                    {
                        task.MaxValue = p.Steps;
                        task.Value = p.Step;
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"step {p.Step} loss {p.Loss:0.00000} {p.ItemsPerSecond:0} mix/s wait {p.DataWaitSeconds * 1000:0} ms");
                    });
                    return await TrainRunner.RunAsync(config, overrides, stdout, progress, token).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }

        var every = config.Output.LogEvery;
        var window = new List<double>();
        var plain = new SyncProgress(p =>
        {
            window.Add(p.Loss);
            if (p.Step % every == 0 || p.Step == p.Steps)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {p.Step}/{p.Steps} loss {window.Average():0.000000} {p.ItemsPerSecond:0.0} mix/s step {p.StepSeconds * 1000:0} ms wait {p.DataWaitSeconds * 1000:0} ms"));
                window.Clear();
            }
        });
        return await TrainRunner.RunAsync(config, overrides, stdout, plain, token).ConfigureAwait(false);
    }

    private sealed class SyncProgress(Action<TrainProgress> action) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => action(value);
    }
}
