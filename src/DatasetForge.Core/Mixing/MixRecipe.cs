using System.Text.Json;
using System.Text.Json.Serialization;
using DatasetForge.Common;
using DatasetForge.Common.Config;

namespace DatasetForge.Mixing;

/// <summary>What a recipe's sources are: one stem per target node, every level-1 stem (hierarchical), or song mixtures (MixIT).</summary>
public enum MixKind
{
    Stems,
    Hierarchical,
    Mixit,
}

/// <summary>Where chunks are taken: salient segments, salient saliency frames, or anywhere in the file.</summary>
public enum SourceIndex
{
    None,
    Segments,
    Saliency,
}

public enum NormalizeMode
{
    None,
    Rms,
}

/// <summary>How mixture and targets are rescaled together after summing.</summary>
public enum RescaleMode
{
    None,

    /// <summary>Divide by the largest absolute sample of mixture and targets (BSRNN), whatever it is.</summary>
    MaxAbs,

    /// <summary>Divide by it only when it exceeds 1 (full scale).</summary>
    MaxAbsIfClipping,
}

public sealed record MixSourceOptions
{
    public SourceIndex Index { get; init; } = SourceIndex.None;

    /// <summary>segments.csv method when <see cref="Index"/> is Segments.</summary>
    public string Method { get; init; } = "bsrnn";
}

public sealed record MixNormalizeOptions
{
    public NormalizeMode Mode { get; init; } = NormalizeMode.None;

    public double RmsDb { get; init; } = -20;

    public double SilenceDb { get; init; } = -60;
}

/// <summary>Augmentations, each drawn per source (cross-song remix per item). Zero / null = off.</summary>
public sealed record MixAugmentOptions
{
    /// <summary>Stem-wise gain range [min, max] dB, uniform; null = 0 dB.</summary>
    public double[]? GainDb { get; init; }

    public double Dropout { get; init; }

    public double ChannelSwap { get; init; }

    public double PolarityFlip { get; init; }

    public double TimeShiftSeconds { get; init; }

    public double CrossSongRemix { get; init; }
}

/// <summary>
/// A mix recipe (`pipelines/mix/*.yaml`, schema `mix.schema.json`). Load with <see cref="Load"/> (a file or a
/// built-in preset name: bsrnn, rms, hierarchical, mixit). <see cref="Hash"/> identifies the recipe's content
/// (not its formatting), for checkpoints.
/// </summary>
public sealed record MixRecipe
{
    public const string SchemaName = "mix.schema.json";

    public required string Name { get; init; }

    public string? Description { get; init; }

    public MixKind Kind { get; init; }

    public string Split { get; init; } = "train";

    public int? SampleRate { get; init; }

    public int Channels { get; init; } = 2;

    public double ChunkSeconds { get; init; }

    public int EpochSize { get; init; } = 10000;

    public int? Level { get; init; }

    public IReadOnlyList<string>? Targets { get; init; }

    public string Hierarchy { get; init; } = "ms21";

    public IReadOnlyList<string>? Leaves { get; init; }

    public int Mixtures { get; init; } = 2;

    public MixSourceOptions Source { get; init; } = new();

    public MixNormalizeOptions Normalize { get; init; } = new();

    public RescaleMode Rescale { get; init; } = RescaleMode.None;

    public MixAugmentOptions Augment { get; init; } = new();

    /// <summary>Where the recipe was read from (file path or "(built-in) pipelines/mix/x.yaml").</summary>
    [JsonIgnore]
    public string Origin { get; init; } = string.Empty;

    /// <summary>SHA-256 of the recipe's canonical JSON (same content, same hash, whatever the YAML formatting).</summary>
    [JsonIgnore]
    public string Hash => ContentHash.OfText(JsonSerializer.Serialize(this, SchemaValidatedConfig.JsonOptions));

    /// <summary>The built-in recipes (pipelines/mix/*.yaml).</summary>
    public static IReadOnlyList<string> PresetNames =>
        EmbeddedAssets.Names.Where(n => n.StartsWith("pipelines/mix/", StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n)).ToList();

    /// <summary>Loads a recipe file, or a built-in recipe by name ("bsrnn", "rms", "hierarchical", "mixit").</summary>
    public static MixRecipe Load(string pathOrPreset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrPreset);
        if (!File.Exists(pathOrPreset) && !pathOrPreset.Contains('/') && !pathOrPreset.Contains('\\') && !pathOrPreset.Contains('.'))
        {
            var preset = $"pipelines/mix/{pathOrPreset}.yaml";
            if (!EmbeddedAssets.Exists(preset))
            {
                throw new FileNotFoundException($"{pathOrPreset}: no such file, and no built-in mix recipe of that name (built-in: {string.Join(", ", PresetNames)})");
            }

            pathOrPreset = preset;
        }

        var (text, origin) = EmbeddedAssets.ReadFileOrEmbedded(pathOrPreset);
        return Parse(text, origin);
    }

    /// <summary>Parses recipe YAML; schema errors and inconsistent values name the file, line and key.</summary>
    public static MixRecipe Parse(string yaml, string origin)
    {
        var located = SchemaValidatedConfig.LoadLocated(yaml, origin, SchemaName);
        MixRecipe recipe;
        try
        {
            recipe = located.Root.Deserialize<MixRecipe>(SchemaValidatedConfig.JsonOptions) ?? throw new ConfigException(origin, "the file is empty");
        }
        catch (JsonException e)
        {
            throw new ConfigException(origin, $"cannot bind {e.Path}: {e.Message}");
        }

        recipe = recipe with { Origin = origin };
        var issues = new List<ConfigIssue>();
        void Issue(string pointer, string message)
        {
            located.Positions.TryGetValue(pointer, out var mark);
            issues.Add(new ConfigIssue(origin, (int)mark.Line, (int)mark.Column, YamlJson.ToDotted(pointer), message));
        }

        if (recipe.Augment.GainDb is { } gain && gain[0] > gain[1])
        {
            Issue("/augment/gain_db", $"the range is reversed: min {gain[0]} > max {gain[1]}");
        }

        if (recipe.Kind != MixKind.Stems && (recipe.Level is not null || recipe.Targets is not null))
        {
            Issue(recipe.Level is not null ? "/level" : "/targets", $"only kind 'stems' takes level/targets (this recipe is '{recipe.Kind.ToString().ToLowerInvariant()}')");
        }

        if (recipe.Kind == MixKind.Mixit && recipe.Source.Index == SourceIndex.Segments)
        {
            Issue("/source/index", "kind 'mixit' reads song mixtures, which segments.csv does not describe: use 'saliency' or 'none'");
        }

        if (recipe.ChunkSeconds * (recipe.SampleRate ?? 192000) > int.MaxValue / 16)
        {
            Issue("/chunk_seconds", "chunk too long for one buffer");
        }

        if (issues.Count > 0)
        {
            throw new ConfigException(issues);
        }

        return recipe;
    }

    /// <summary>Sources that are summed into one mixture; for stems the count of targets, for mixit the mixtures.</summary>
    internal bool TargetsPartitionMixture => Kind != MixKind.Hierarchical;
}
