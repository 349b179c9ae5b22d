using DatasetForge.Mixing;
using DatasetForge.Torch.Models;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>Options of <see cref="ShortTrainingRun"/>.</summary>
public sealed record ShortTrainingOptions
{
    /// <summary>Mix recipe (file or built-in name).</summary>
    public string Recipe { get; init; } = "bsrnn";

    public string Model { get; init; } = "tiny-masknet";

    public long Steps { get; init; } = 20;

    public int BatchSize { get; init; } = 4;

    /// <summary>Mix stream workers (0: one per core).</summary>
    public int Workers { get; init; }

    public ulong Seed { get; init; } = 1;

    public double LearningRate { get; init; } = 1e-3;

    /// <summary>libtorch CPU threads (0: libtorch's default).</summary>
    public int TorchThreads { get; init; }

    public string Device { get; init; } = "cpu";
}

/// <summary>What a short run did: steps trained now (0 when the run folder already held them), the loss at the start and end, speed.</summary>
public sealed record ShortTrainingResult(
    string RunDir,
    string Recipe,
    string Model,
    long Steps,
    long StepsTrainedNow,
    int BatchSize,
    double FirstLoss,
    double LastLoss,
    double MixturesPerSecond,
    double DataWaitFraction,
    string? Checkpoint,
    IReadOnlyList<string> Issues);

/// <summary>
/// A few steps of the mix stream into the TorchSharp training loop (what `forge demo` shows): loads the dataset's mix
/// stream with a recipe, builds a model, and trains with <see cref="Trainer"/>, logging to RUN/metrics.jsonl and
/// checkpointing to RUN/checkpoints/. A run folder whose latest checkpoint (same recipe, same dataset) already has the
/// steps is not trained again; one with fewer resumes from it.
/// </summary>
public static class ShortTrainingRun
{
    public static async Task<ShortTrainingResult> RunAsync(
        string datasetDir, string runDir, ShortTrainingOptions options, IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var recipe = MixRecipe.Load(options.Recipe);
        var device = TorchDevice.Resolve(options.Device);
        if (options.TorchThreads > 0)
        {
            set_num_threads(options.TorchThreads);
        }

        var data = MixDataset.Load(datasetDir);
        var planner = new MixPlanner(data, recipe, options.Seed);
        var issues = data.Issues.Concat(planner.Issues).Select(i => $"{i.Item}: {i.Reason}").ToList();
        var trainerOptions = new TrainerOptions
        {
            Steps = options.Steps,
            Device = device,
            LearningRate = options.LearningRate,
            LogEvery = (int)Math.Clamp(options.Steps / 5, 1, 10),
            OutDir = runDir,
            TorchSeed = (long)(options.Seed & long.MaxValue),
            Run = new TrainRunInfo(recipe.Name, recipe.Hash, data.Key, options.Seed, options.BatchSize),
        };
        manual_seed(trainerOptions.TorchSeed);
        var shape = new StreamShape(planner.SampleRate, planner.Channels, planner.TargetNames);
        var config = new TrainConfig { Name = "demo", Recipe = options.Recipe, Model = new ModelSpec { Kind = options.Model }, Origin = "(short training run)" };
        var model = ModelFactory.Create(config.Model, shape);
        using var modelScope = model;
        var loss = TrainSetup.BuildLoss(config, model, recipe, shape);

        // model.json beside the checkpoints, so `forge separate --model RUN` and `forge eval` can use the result.
        trainerOptions = trainerOptions with { Description = ModelFactory.Describe(config.Model, model, shape, recipe.Name) };
        using var trainer = new Trainer(model, loss, trainerOptions);
        if (Checkpoint.Latest(runDir) is { } latest)
        {
            var state = Checkpoint.ReadState(latest);
            if (state.RecipeHash == recipe.Hash && state.DatasetKey == data.Key && state.Model == model.Name)
            {
                trainer.Resume(latest);
                if (trainer.Step >= options.Steps)
                {
                    return new ShortTrainingResult(runDir, recipe.Name, model.Name, trainer.Step, 0, options.BatchSize, double.NaN, double.NaN, 0, 0, latest, issues);
                }
            }
        }

        var streamOptions = new MixStreamOptions
        {
            BatchSize = options.BatchSize,
            Workers = options.Workers > 0 ? options.Workers : Environment.ProcessorCount,
            StartBatch = trainer.NextBatch,
        };
        using var stream = new MixStream(planner, streamOptions);
        var summary = await trainer.RunAsync(stream.ReadAllAsync(cancellationToken), progress, cancellationToken).ConfigureAwait(false);
        var losses = summary.Losses;
        var window = Math.Max(1, Math.Min(5, losses.Count / 2));
        var seconds = summary.Elapsed.TotalSeconds;
        return new ShortTrainingResult(
            runDir,
            recipe.Name,
            model.Name,
            summary.Steps,
            losses.Count,
            options.BatchSize,
            losses.Count > 0 ? losses.Take(window).Average() : double.NaN,
            losses.Count > 0 ? losses.TakeLast(window).Average() : double.NaN,
            losses.Count * options.BatchSize / Math.Max(seconds, 1e-9),
            summary.DataWaitSeconds / Math.Max(summary.DataWaitSeconds + summary.ComputeSeconds, 1e-9),
            summary.LastCheckpoint,
            issues);
    }
}
