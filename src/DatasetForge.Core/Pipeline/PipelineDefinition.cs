using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DatasetForge.Analysis;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Render;
using DatasetForge.Splits;

namespace DatasetForge.Pipeline;

/// <summary>`source:` of a pipeline: where the songs come from (schema pipeline.schema.json).</summary>
public sealed record PipelineSource
{
    /// <summary>url | html | folder | dataset | synthetic.</summary>
    public string Kind { get; init; } = "url";

    public IReadOnlyList<string>? Urls { get; init; }

    public string Definition { get; init; } = Ingest.Scrape.SourceDefinition.DefaultPath;

    public IReadOnlyList<string>? Files { get; init; }

    public string? PageUrl { get; init; }

    public string? Path { get; init; }

    public string Format { get; init; } = "auto";

    public int Songs { get; init; } = 6;

    public int Seed { get; init; } = 1;

    public double Seconds { get; init; } = 25;

    public bool Serve { get; init; }

    public int Port { get; init; }

    public int? Limit { get; init; }
}

/// <summary>`download:` index pages and archive downloads.</summary>
public sealed record PipelineDownload
{
    public int Retries { get; init; } = 6;

    public double BaseDelayS { get; init; } = 2;

    public double TimeoutS { get; init; } = 60;

    public double? MinIntervalS { get; init; }

    public bool RefreshPages { get; init; }
}

/// <summary>`ingest:` extraction limits and probe checks.</summary>
public sealed record PipelineIngest
{
    public double MaxArchiveGb { get; init; } = 64;

    public double MaxRatio { get; init; } = 200;

    public double LengthToleranceS { get; init; } = 0.1;
}

/// <summary>`labels:` rules and corrections.</summary>
public sealed record PipelineLabels
{
    public string Rules { get; init; } = "ms21";

    public string? Corrections { get; init; }
}

/// <summary>`render:` the render stage's parameters.</summary>
public sealed record PipelineRender
{
    public string Mode { get; init; } = "consistent";

    public double TargetLufs { get; init; } = -25;

    public double PeakDbfs { get; init; } = -1;

    public int SampleRate { get; init; } = 44100;

    public int Channels { get; init; } = 2;

    public double CeilingDbfs { get; init; } = -0.1;

    public double SilenceFloorDb { get; init; } = -60;

    public string Encoding { get; init; } = "float32";

    public bool CopyRaw { get; init; }

    public RenderOptions ToOptions() => new()
    {
        Mode = RenderOptions.ParseMode(Mode),
        TargetLufs = TargetLufs,
        PeakDbfs = PeakDbfs,
        SampleRate = SampleRate,
        Channels = Channels,
        CeilingDbfs = CeilingDbfs,
        SilenceFloorDb = SilenceFloorDb,
        Encoding = Encoding switch { "pcm16" => SampleEncoding.Pcm16, "pcm24" => SampleEncoding.Pcm24, _ => SampleEncoding.Float32 },
        HardLinkRaw = !CopyRaw,
    };
}

/// <summary>`split:` fractions, seed and forced-test list.</summary>
public sealed record PipelineSplit
{
    public int Seed { get; init; } = 1;

    public double Train { get; init; } = 0.8;

    public double Validation { get; init; } = 0.1;

    public double Test { get; init; } = 0.1;

    public string? ForcedTest { get; init; }
}

/// <summary>`parallelism:` songs at once per stage (0: from the core count) and the bounded queue in front of each.</summary>
public sealed record PipelineParallelism
{
    public int Ingest { get; init; }

    public int Label { get; init; } = 1;

    public int Render { get; init; }

    public int Analyze { get; init; }

    public int Queue { get; init; } = 2;

    /// <summary>0 resolved to the core count (at least 1).</summary>
    public static int Resolve(int value) => value > 0 ? value : Math.Max(1, Environment.ProcessorCount);
}

/// <summary>
/// A pipeline definition (`pipelines/*.yaml`, schema `pipeline.schema.json`): the source, every stage's parameters and
/// the parallelism. <see cref="Load"/> validates the file (errors name the file, line and key), applies `--set`
/// overrides typed by the schema, and resolves the analysis parameters (a preset plus the keys given here).
/// </summary>
public sealed record PipelineDefinition
{
    public const string SchemaName = "pipeline.schema.json";

    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Output { get; init; }

    public PipelineSource Source { get; init; } = new();

    public PipelineDownload Download { get; init; } = new();

    public PipelineIngest Ingest { get; init; } = new();

    public PipelineLabels Labels { get; init; } = new();

    public string Hierarchy { get; init; } = "ms21";

    public PipelineRender Render { get; init; } = new();

    /// <summary>The `analysis:` block as written (preset + overrides); <see cref="AnalysisOptions"/> is what it resolves to.</summary>
    public JsonObject? Analysis { get; init; }

    public PipelineSplit Split { get; init; } = new();

    public bool Stats { get; init; } = true;

    public bool Report { get; init; } = true;

    public PipelineParallelism Parallelism { get; init; } = new();

    /// <summary>Where the definition came from ("pipelines/ms21.yaml", "(built-in) pipelines/demo.yaml").</summary>
    [JsonIgnore]
    public string Origin { get; init; } = string.Empty;

    /// <summary>The folder of the definition file (relative paths inside it that are not found from the working folder are tried from there and its parents).</summary>
    [JsonIgnore]
    public string? BaseDir { get; init; }

    [JsonIgnore]
    public AnalysisOptions AnalysisOptions { get; init; } = AnalysisOptions.Default;

    /// <summary>The effective definition (after overrides) as canonical JSON: what `pipeline/definition.json` records.</summary>
    [JsonIgnore]
    public string EffectiveJson { get; init; } = "{}";

    public string DisplayName => Name ?? System.IO.Path.GetFileNameWithoutExtension(Origin.Replace("(built-in) ", string.Empty, StringComparison.Ordinal));

    /// <summary>
    /// Loads a pipeline from a file, or a built-in one by name ("demo" = pipelines/demo.yaml), applying `key=value`
    /// overrides (dotted keys: `render.target_lufs=-23`, `source.songs=4`, `analysis.bleed.threshold=0.6`).
    /// </summary>
    public static PipelineDefinition Load(string pathOrName, IEnumerable<string>? sets = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrName);
        var name = pathOrName;
        if (!File.Exists(name) && !name.Contains('/') && !name.Contains('\\') && !name.Contains('.'))
        {
            name = $"pipelines/{name}.yaml";
        }

        var (text, origin) = EmbeddedAssets.ReadFileOrEmbedded(name);
        var baseDir = File.Exists(name) ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(name)) : null;
        return Parse(text, origin, sets, baseDir);
    }

    public static PipelineDefinition Parse(string yaml, string origin, IEnumerable<string>? sets = null, string? baseDir = null)
    {
        var located = YamlJson.Parse(yaml, origin);
        if (located.Root is not JsonObject root)
        {
            throw new ConfigException(origin, "the file is empty or not a mapping");
        }

        foreach (var set in sets ?? [])
        {
            PipelineOverrides.Apply(root, set);
        }

        SchemaValidatedConfig.Schema("analysis.schema.json"); // registers the schema the pipeline schema refers to
        SchemaValidatedConfig.Validate(located, origin, SchemaName);
        PipelineDefinition definition;
        try
        {
            definition = root.Deserialize<PipelineDefinition>(SchemaValidatedConfig.JsonOptions) ?? new PipelineDefinition();
        }
        catch (JsonException e)
        {
            throw new ConfigException(origin, $"cannot bind {e.Path}: {e.Message}");
        }

        var analysisOverrides = definition.Analysis?.DeepClone().AsObject();
        var preset = analysisOverrides?["preset"]?.GetValue<string>();
        analysisOverrides?.Remove("preset");
        var analysis = AnalysisOptions.Load(preset, analysisOverrides, $"{origin} (analysis)");
        definition = definition with
        {
            Origin = origin,
            BaseDir = baseDir,
            AnalysisOptions = analysis,
            EffectiveJson = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
        };
        definition.Check();
        return definition;
    }

    /// <summary>
    /// A path named in the definition: as given when it exists from the working folder, else from the definition's
    /// folder or the nearest parent of it where it exists (so `pipelines/ms21.yaml` can name `manifests/...`).
    /// </summary>
    public string ResolvePath(string path)
    {
        var expanded = path.StartsWith("~/", StringComparison.Ordinal)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
        if (System.IO.Path.IsPathRooted(expanded) || File.Exists(expanded) || Directory.Exists(expanded) || BaseDir is null)
        {
            return expanded;
        }

        for (var dir = new DirectoryInfo(BaseDir); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, expanded);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return expanded;
    }

    /// <summary>Split options with the forced-test list read.</summary>
    public SplitOptions SplitOptions() => new()
    {
        Seed = Split.Seed,
        Train = Split.Train,
        Validation = Split.Validation,
        Test = Split.Test,
        ForcedTest = Split.ForcedTest is { } forced ? SongSplitter.ReadForcedList(ResolvePath(forced)) : [],
    };

    /// <summary>What the schema cannot say: the keys each source kind needs, and fractions that add up.</summary>
    private void Check()
    {
        var issues = new List<string>();
        switch (Source.Kind)
        {
            case "html" when Source.Files is null or { Count: 0 }:
                issues.Add("source.files: kind 'html' needs the saved index pages");
                break;
            case "folder" or "dataset" when string.IsNullOrWhiteSpace(Source.Path):
                issues.Add($"source.path: kind '{Source.Kind}' needs the folder");
                break;
        }

        var sum = Split.Train + Split.Validation + Split.Test;
        if (Math.Abs(sum - 1) > 1e-6)
        {
            issues.Add(string.Create(CultureInfo.InvariantCulture, $"split: train + validation + test = {sum:0.###}, expected 1"));
        }

        try
        {
            Render.ToOptions().Validate();
        }
        catch (ArgumentException e)
        {
            issues.Add($"render: {e.Message}");
        }

        if (issues.Count > 0)
        {
            throw new ConfigException(issues.Select(i => new ConfigIssue(Origin, 0, 0, string.Empty, i)).ToList());
        }
    }

    /// <summary>A content hash of everything that shapes the outputs (recorded with the run).</summary>
    public string Hash => ContentHash.OfText(EffectiveJson);
}
