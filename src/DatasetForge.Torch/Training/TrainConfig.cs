using DatasetForge.Common.Config;
using DatasetForge.Mixing;
using DatasetForge.Torch.Models;

namespace DatasetForge.Torch.Training;

public enum PrecisionSetting
{
    Auto,
    Fp32,
    Bf16,
}

public sealed record RecipeOverrides
{
    public double? ChunkSeconds { get; init; }

    public string? Split { get; init; }

    public IReadOnlyList<string>? Leaves { get; init; }

    /// <summary>A stems recipe's targets (level-2 nodes), e.g. for a dataset without all four of the bsrnn recipe's.</summary>
    public IReadOnlyList<string>? Targets { get; init; }

    public int? EpochSize { get; init; }

    public int? SampleRate { get; init; }

    public int? Channels { get; init; }

    public MixRecipe Apply(MixRecipe recipe) => recipe with
    {
        ChunkSeconds = ChunkSeconds ?? recipe.ChunkSeconds,
        Split = Split ?? recipe.Split,
        Leaves = Leaves ?? recipe.Leaves,
        Targets = Targets ?? recipe.Targets,
        EpochSize = EpochSize ?? recipe.EpochSize,
        SampleRate = SampleRate ?? recipe.SampleRate,
        Channels = Channels ?? recipe.Channels,
    };
}

public sealed record LossConfig
{
    public required string Kind { get; init; }

    public TpsaDomain Domain { get; init; } = TpsaDomain.Signal;

    public double SnrMaxDb { get; init; } = 30;
}

public sealed record OptimizerConfig
{
    public string Kind { get; init; } = "adam";

    public double Lr { get; init; } = 1e-3;

    public double WeightDecay { get; init; }
}

public sealed record ScheduleConfig
{
    public string Kind { get; init; } = "constant";

    public double Factor { get; init; } = 0.98;

    public double? EveryEpochs { get; init; }

    public int? EverySteps { get; init; }
}

public sealed record EarlyStoppingConfig
{
    public string Metric { get; init; } = "val_usdr";

    public int Patience { get; init; } = 10;
}

public sealed record ValidationConfig
{
    public int Every { get; init; } = 500;

    public int Batches { get; init; } = 4;

    public int? BatchSize { get; init; }

    public string Split { get; init; } = "validation";

    public ulong Seed { get; init; } = 1000;

    public EarlyStoppingConfig? EarlyStopping { get; init; }
}

public sealed record OutputConfig
{
    public string? Dir { get; init; }

    public int LogEvery { get; init; } = 10;

    public int CheckpointEvery { get; init; }
}

public sealed record SemiSupervisedConfig
{
    public required string Teacher { get; init; }

    public required string Unlabeled { get; init; }

    public double SegmentSeconds { get; init; } = 6;

    public double ThresholdDb { get; init; } = 30;

    public int Rounds { get; init; } = 1;

    public int? StepsPerRound { get; init; }

    public int PseudoEvery { get; init; } = 2;

    public double Chunk { get; init; } = 6;

    public double Hop { get; init; } = 3;
}

/// <summary>
/// A training config (`pipelines/train/*.yaml`, schema `train.schema.json`): dataset, recipe, model, loss, loss
/// masking, optimizer, schedule, validation, output, and optionally semi-supervised fine-tuning. Load with
/// <see cref="Load"/> (a file or a built-in name); <see cref="TrainRunner"/> runs it.
/// </summary>
public sealed record TrainConfig
{
    public const string SchemaName = "train.schema.json";

    public required string Name { get; init; }

    public string? Description { get; init; }

    public string? Dataset { get; init; }

    public required string Recipe { get; init; }

    public RecipeOverrides? RecipeOverrides { get; init; }

    public ulong Seed { get; init; }

    public int BatchSize { get; init; } = 8;

    public int Workers { get; init; }

    public int Prefetch { get; init; }

    public long Steps { get; init; } = 1000;

    public string Device { get; init; } = "cpu";

    public PrecisionSetting Precision { get; init; } = PrecisionSetting.Auto;

    public int TorchThreads { get; init; }

    public required ModelSpec Model { get; init; }

    public LossConfig? Loss { get; init; }

    public LossMaskingOptions? Masking { get; init; }

    public OptimizerConfig Optimizer { get; init; } = new();

    public ScheduleConfig Schedule { get; init; } = new();

    public double? ClipGradNorm { get; init; }

    public string? InitFrom { get; init; }

    public ValidationConfig? Validation { get; init; }

    public OutputConfig Output { get; init; } = new();

    public SemiSupervisedConfig? SemiSupervised { get; init; }

    /// <summary>Where the config was read from.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Origin { get; init; } = string.Empty;

    public static IReadOnlyList<string> PresetNames =>
        EmbeddedAssets.Names.Where(n => n.StartsWith("pipelines/train/", StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n)).ToList();

    /// <summary>True when <paramref name="argument"/> names a config (a .yaml/.yml file, or a built-in config) rather than a dataset folder.</summary>
    public static bool IsConfig(string argument) =>
        !Directory.Exists(argument) && (argument.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || argument.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || EmbeddedAssets.Exists($"pipelines/train/{argument}.yaml"));

    /// <summary>A config file, or a built-in config by name (pipelines/train/NAME.yaml).</summary>
    public static TrainConfig Load(string pathOrName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrName);
        var path = !File.Exists(pathOrName) && EmbeddedAssets.Exists($"pipelines/train/{pathOrName}.yaml") ? $"pipelines/train/{pathOrName}.yaml" : pathOrName;
        var (text, origin) = EmbeddedAssets.ReadFileOrEmbedded(path);
        var config = SchemaValidatedConfig.Load<TrainConfig>(text, origin, SchemaName) with { Origin = origin };
        try
        {
            config.Masking?.Validate();
            if (config.Schedule.Kind == "step" && config.Schedule.EveryEpochs is null == config.Schedule.EverySteps is null)
            {
                throw new ArgumentException("schedule 'step' needs exactly one of every_epochs and every_steps");
            }
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(origin, e.Message);
        }

        return config;
    }
}
