using System.Text.Json;
using DatasetForge.Common;
using DatasetForge.Common.Config;

namespace DatasetForge.Analysis;

/// <summary>
/// Every parameter of the analysis stage (`pipelines/analysis/default.yaml`, schema `analysis.schema.json`). The
/// defaults are the papers' values; a changed parameter changes the per-song key, so only affected songs are redone.
/// </summary>
public sealed record AnalysisOptions
{
    public const string DefaultPreset = "pipelines/analysis/default.yaml";
    public const string SchemaName = "analysis.schema.json";

    /// <summary>Bump when an algorithm changes its output for the same parameters (part of every per-song key).</summary>
    public const int AlgorithmVersion = 1;

    public SadOptions Sad { get; init; } = new();

    public MixitOptions Mixit { get; init; } = new();

    public SaliencyOptions Saliency { get; init; } = new();

    public BleedOptions Bleed { get; init; } = new();

    public VocalQualityOptions VocalQuality { get; init; } = new();

    /// <summary>Loads options from a YAML file or built-in preset name (validated; errors name file, line and key).</summary>
    public static AnalysisOptions Load(string? pathOrName = null)
    {
        var name = pathOrName ?? DefaultPreset;
        if (!File.Exists(name) && !name.Contains('/') && !name.EndsWith(".yaml", StringComparison.Ordinal))
        {
            name = $"pipelines/analysis/{name}.yaml";
        }

        var options = SchemaValidatedConfig.LoadFile<AnalysisOptions>(name, SchemaName);
        options.Validate(name);
        return options;
    }

    /// <summary>
    /// Loads a preset (as <see cref="Load(string?)"/>) with <paramref name="overrides"/> replacing its keys (objects are
    /// merged key by key, anything else replaced), then validates the result; errors name <paramref name="origin"/>.
    /// </summary>
    public static AnalysisOptions Load(string? pathOrName, System.Text.Json.Nodes.JsonObject? overrides, string origin)
    {
        if (overrides is null || overrides.Count == 0)
        {
            return Load(pathOrName);
        }

        var name = pathOrName ?? DefaultPreset;
        if (!File.Exists(name) && !name.Contains('/') && !name.EndsWith(".yaml", StringComparison.Ordinal))
        {
            name = $"pipelines/analysis/{name}.yaml";
        }

        var (text, presetOrigin) = EmbeddedAssets.ReadFileOrEmbedded(name);
        var node = SchemaValidatedConfig.LoadNode(text, presetOrigin, SchemaName)?.AsObject() ?? [];
        Merge(node, overrides);
        var merged = new YamlJson.Located(node, new Dictionary<string, YamlDotNet.Core.Mark>());
        SchemaValidatedConfig.Validate(merged, origin, SchemaName);
        AnalysisOptions options;
        try
        {
            options = node.Deserialize<AnalysisOptions>(SchemaValidatedConfig.JsonOptions) ?? new AnalysisOptions();
        }
        catch (JsonException e)
        {
            throw new ConfigException(origin, $"cannot bind {e.Path}: {e.Message}");
        }

        options.Validate(origin);
        return options;

        static void Merge(System.Text.Json.Nodes.JsonObject target, System.Text.Json.Nodes.JsonObject source)
        {
            foreach (var (key, value) in source)
            {
                if (value is System.Text.Json.Nodes.JsonObject child && target[key] is System.Text.Json.Nodes.JsonObject existing)
                {
                    Merge(existing, child);
                }
                else
                {
                    target[key] = value?.DeepClone();
                }
            }
        }
    }

    public static AnalysisOptions Default { get; } = Load();

    /// <summary>Canonical JSON of every parameter (what the per-song key hashes).</summary>
    public string Fingerprint() => JsonSerializer.Serialize(this, SchemaValidatedConfig.JsonOptions);

    public string Key() => ContentHash.OfParts("analysis", AlgorithmVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Fingerprint());

    /// <summary>Checks relations the schema cannot express; throws <see cref="ConfigException"/> naming the origin.</summary>
    public void Validate(string origin)
    {
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ConfigException(origin, message);
            }
        }

        Require(Sad.SegmentSeconds > 0 && Sad.Chunks >= 1 && Sad.Overlap is >= 0 and < 1, "sad: segment_seconds > 0, chunks >= 1 and 0 <= overlap < 1");
        Require(Sad.Quantile is >= 0 and <= 1 && Sad.SalientFraction is >= 0 and < 1, "sad: quantile in [0, 1], salient_fraction in [0, 1)");
        Require(Sad.Epsilon > 0 && Sad.Gamma > 0, "sad: epsilon and gamma must be > 0");
        Require(Mixit.ClipSeconds > 0 && Mixit.HopSeconds > 0 && Mixit.IntervalSeconds > 0 && Mixit.IntervalSeconds <= Mixit.ClipSeconds,
            "mixit: clip_seconds, hop_seconds, interval_seconds > 0 and interval_seconds <= clip_seconds");
        Require(Saliency.FrameSeconds > 0 && Saliency.HopSeconds > 0, "saliency: frame_seconds and hop_seconds must be > 0");
        Require(System.Numerics.BitOperations.IsPow2(Bleed.FftSize) && Bleed.FftSize >= 256, $"bleed: fft_size must be a power of two >= 256 (got {Bleed.FftSize})");
        Require(Bleed.AnalysisRate >= 4000 && Bleed.MaxDelayMs > 0 && Bleed.MaxDelayMs * Bleed.AnalysisRate / 1000 < Bleed.FftSize / 2,
            "bleed: max_delay_ms at analysis_rate must fit in half of fft_size");
    }
}

/// <summary>What a chunk's "energy" is for the BSRNN detector (see README: our reading of the paper).</summary>
public enum SadEnergy
{
    /// <summary>Mean of the squared samples over the chunk and all channels (power; default).</summary>
    MeanSquare,

    /// <summary>Square root of the mean square (amplitude).</summary>
    Rms,
}

/// <summary>Scale the energies and the quantile live in: linear, or decibels (10 log10 of power, 20 log10 of RMS).</summary>
public enum SadScale
{
    Linear,
    Db,
}

/// <summary>BSRNN (Luo and Yu 2023, Sec. IV-A1) source activity detection.</summary>
public sealed record SadOptions
{
    public double SegmentSeconds { get; init; } = 6;

    /// <summary>Overlap of consecutive segments (0.5 = hop of half a segment).</summary>
    public double Overlap { get; init; } = 0.5;

    public int Chunks { get; init; } = 10;

    /// <summary>Energy given to silent (all-zero) chunks.</summary>
    public double Epsilon { get; init; } = 1e-5;

    /// <summary>Lower bound of the threshold.</summary>
    public double Gamma { get; init; } = 1e-3;

    /// <summary>Quantile of all of the track's chunk energies that sets the threshold.</summary>
    public double Quantile { get; init; } = 0.15;

    /// <summary>A segment is salient when more than this fraction of its chunks exceed the threshold.</summary>
    public double SalientFraction { get; init; } = 0.5;

    public SadEnergy Energy { get; init; } = SadEnergy.MeanSquare;

    public SadScale Scale { get; init; } = SadScale.Linear;
}

/// <summary>MixIT's clip filter (Wisdom et al. 2020): 10 s clips, 5 s hop, dropped when more than 5 s are silent in 1 s intervals.</summary>
public sealed record MixitOptions
{
    public double ClipSeconds { get; init; } = 10;

    public double HopSeconds { get; init; } = 5;

    public double IntervalSeconds { get; init; } = 1;

    /// <summary>A clip is dropped when more than this many seconds of it are silent.</summary>
    public double MaxSilentSeconds { get; init; } = 5;

    /// <summary>An interval is silent when its RMS (all channels) is below this level, dBFS.</summary>
    public double SilenceDbfs { get; init; } = -60;
}

/// <summary>Hierarchical saliency (Manilow et al. 2020 / MS21): every node's submix in frames.</summary>
public sealed record SaliencyOptions
{
    public double FrameSeconds { get; init; } = 10;

    public double HopSeconds { get; init; } = 2.5;

    /// <summary>A frame is salient when the submix RMS (all channels) is above this level, dBFS.</summary>
    public double ThresholdDbfs { get; init; } = -30;
}

/// <summary>Microphone-bleed detection between the raw tracks of a song.</summary>
public sealed record BleedOptions
{
    /// <summary>Tracks are folded to mono and resampled to this rate for the analysis.</summary>
    public int AnalysisRate { get; init; } = 16000;

    /// <summary>STFT frame (Hann), samples at the analysis rate; hop is half of it.</summary>
    public int FftSize { get; init; } = 2048;

    /// <summary>Largest delay searched (the target hears the source later by 0..max).</summary>
    public double MaxDelayMs { get; init; } = 50;

    /// <summary>Log-spaced bands for the energy detector and the level estimate.</summary>
    public int Bands { get; init; } = 16;

    public double MinBandHz { get; init; } = 60;

    /// <summary>Frames where the target is quietest relative to the source (this fraction of the source's active frames) are where its own instrument is taken to be silent.</summary>
    public double QuietFraction { get; init; } = 0.25;

    /// <summary>A source frame is active when within this many dB of the source's 90th-percentile frame energy.</summary>
    public double SourceActiveRangeDb { get; init; } = 30;

    /// <summary>Circular time shifts of the source that form the null distribution of the energy detector.</summary>
    public int NullShifts { get; init; } = 16;

    /// <summary>Candidate sources per target that get the delay-compensated coherence and level estimate.</summary>
    public int MaxCandidates { get; init; } = 4;

    /// <summary>A relation at or above this level (relative to the target's own content) is the same source recorded twice (DI and amp, L/R pair), not leakage.</summary>
    public double SameSourceDb { get; init; } = -6;

    /// <summary>Pair and track probabilities at or above this count as bleed.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Level-1 nodes whose members' mutual leakage is reported but not harmful (close mics of one drum kit).</summary>
    public IReadOnlyList<string> KitGroups { get; init; } = ["drum_set"];

    /// <summary>Calibration (logistic models); a path or a built-in name under pipelines/analysis/.</summary>
    public string Calibration { get; init; } = "bleed-calibration";
}

/// <summary>Vocal quality flags (per vocal track and per song).</summary>
public sealed record VocalQualityOptions
{
    /// <summary>Samples at or above this absolute value are at full scale.</summary>
    public double FullScale { get; init; } = 0.999;

    /// <summary>Consecutive samples at full scale (or at the peak) that make one clipped run.</summary>
    public int MinRun { get; init; } = 3;

    /// <summary>Clipped runs needed to flag the track.</summary>
    public int MinRuns { get; init; } = 3;

    /// <summary>Frame length for the noise floor, seconds.</summary>
    public double FrameSeconds { get; init; } = 0.05;

    /// <summary>Gap frames are at least this far below the track's active level (95th percentile frame RMS), dB.</summary>
    public double GapBelowActiveDb { get; init; } = 25;

    /// <summary>Flag when the noise floor in the gaps is above this level, dBFS.</summary>
    public double NoiseFloorDbfs { get; init; } = -60;

    /// <summary>Flag hum when at least two harmonics of 50 or 60 Hz stand this far above their neighbourhood, dB.</summary>
    public double HumProminenceDb { get; init; } = 12;

    public int HumHarmonics { get; init; } = 6;

    /// <summary>Flag a DC offset above this level (mean of the samples), dBFS.</summary>
    public double DcOffsetDbfs { get; init; } = -50;
}
