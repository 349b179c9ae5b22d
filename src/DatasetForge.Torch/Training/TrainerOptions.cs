using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>What a run trains on, stored in checkpoints so a resume can refuse a different recipe or dataset.</summary>
public sealed record TrainRunInfo(string Recipe, string RecipeHash, string DatasetKey, ulong StreamSeed, int BatchSize);

/// <summary>How the <see cref="Trainer"/> runs.</summary>
public sealed record TrainerOptions
{
    /// <summary>Total optimizer steps (a resumed run continues to this count).</summary>
    public long Steps { get; init; } = 1000;

    public Device Device { get; init; } = CPU;

    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Optimizer factory (parameters, learning rate); default Adam.</summary>
    public Func<IEnumerable<Parameter>, double, OptimizerHelper>? Optimizer { get; init; }

    /// <summary>Learning rate as a function of the step about to run (e.g. x0.98 every two epochs); null = constant.</summary>
    public Func<long, double>? LearningRateAt { get; init; }

    /// <summary>Clip the gradient norm to this value before each step (BSRNN: 5); null = no clipping.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Steps per metrics line (values are averaged over the window).</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Steps between checkpoints; 0 = only at the end. Needs <see cref="OutDir"/>.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Run folder: metrics.jsonl and checkpoints/; null writes nothing.</summary>
    public string? OutDir { get; init; }

    /// <summary>Seed of torch's generator (parameter init is the model's business; dropout etc. use this).</summary>
    public long TorchSeed { get; init; }

    public TrainRunInfo? Run { get; init; }

    /// <summary>Batches copied into tensors (and onto the device) ahead of the step, on a background task; 0 = on the training thread.</summary>
    public int TensorPrefetch { get; init; } = 2;
}

/// <summary>Progress after each step.</summary>
public readonly record struct TrainProgress(long Step, long Steps, double Loss, double StepSeconds, double DataWaitSeconds, double ItemsPerSecond);

/// <summary>What a run did. <see cref="Losses"/> holds every step's loss.</summary>
public sealed record TrainSummary(long Steps, long NextBatch, IReadOnlyList<double> Losses, TimeSpan Elapsed, double DataWaitSeconds, double ComputeSeconds, string? LastCheckpoint);
