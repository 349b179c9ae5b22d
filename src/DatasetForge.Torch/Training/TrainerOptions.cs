using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>What a run trains on, stored in checkpoints so a resume can refuse a different recipe or dataset.</summary>
public sealed record TrainRunInfo(string Recipe, string RecipeHash, string DatasetKey, ulong StreamSeed, int BatchSize);

public enum TrainPrecision
{
    /// <summary>float32 everywhere.</summary>
    Float32,

    /// <summary>
    /// bfloat16 compute with float32 master weights: the module runs in bf16 (models cast their input to the
    /// parameters' type and their output back to float32; STFTs and losses stay float32), gradients are copied to
    /// float32 masters, the optimizer steps the masters and the module gets them back (TorchSharp 0.107 has no
    /// autocast; this is the classic master-weights scheme). Checkpoints hold the float32 masters.
    /// </summary>
    BFloat16,
}

/// <summary>Early stopping on a validation metric: stop after <see cref="Patience"/> validations without improvement.</summary>
public sealed record EarlyStopping(string Metric = "val_usdr", int Patience = 10)
{
    /// <summary>Losses go down, SDRs go up.</summary>
    public bool LowerIsBetter => Metric.Contains("loss", StringComparison.Ordinal);
}

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

    /// <summary>Steps between checkpoints; 0 = only at the end (and at each validation improvement). Needs <see cref="OutDir"/>.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Run folder: metrics.jsonl, validation.jsonl, checkpoints/, metrics.csv and the report; null writes nothing.</summary>
    public string? OutDir { get; init; }

    /// <summary>Seed of torch's generator (parameter init is the model's business; dropout etc. use this).</summary>
    public long TorchSeed { get; init; }

    public TrainRunInfo? Run { get; init; }

    /// <summary>Batches copied into tensors (and onto the device) ahead of the step, on a background task; 0 = on the training thread.</summary>
    public int TensorPrefetch { get; init; } = 2;

    public TrainPrecision Precision { get; init; } = TrainPrecision.Float32;

    /// <summary>Validation on held-out batches (uSDR, SI-SDR of forge eval) every <see cref="ValidateEvery"/> steps and at the end.</summary>
    public Validator? Validator { get; init; }

    public int ValidateEvery { get; init; }

    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Written as model.json into every checkpoint, so `forge separate --model CHECKPOINT` can rebuild the model.</summary>
    public Models.ModelDescription? Description { get; init; }

    /// <summary>Rewrite metrics.csv, validation.csv, loss.png, validation.png and index.html in the run folder at the end of the run.</summary>
    public bool WriteReport { get; init; } = true;
}

/// <summary>Progress after each step.</summary>
public readonly record struct TrainProgress(long Step, long Steps, double Loss, double StepSeconds, double DataWaitSeconds, double ItemsPerSecond);

/// <summary>What a run did. <see cref="Losses"/> holds every step's loss; <see cref="Validations"/> every validation's metrics.</summary>
public sealed record TrainSummary(long Steps, long NextBatch, IReadOnlyList<double> Losses, TimeSpan Elapsed, double DataWaitSeconds, double ComputeSeconds, string? LastCheckpoint)
{
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Validations { get; init; } = [];

    public bool StoppedEarly { get; init; }

    public string? BestCheckpoint { get; init; }
}
