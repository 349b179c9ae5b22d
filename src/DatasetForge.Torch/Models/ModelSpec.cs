using System.Text.Json;
using DatasetForge.Common.Config;
using DatasetForge.Torch.Training;

namespace DatasetForge.Torch.Models;

public enum MaskMode
{
    /// <summary>The level-l estimate is mask_l * |X|.</summary>
    Direct,

    /// <summary>The level-l estimate is mask_l applied to the level above's estimate (the top level to |X|).</summary>
    Sequential,
}

/// <summary>
/// What model to build (the `model:` section of a training config, schema `train.schema.json`): the kind and its
/// sizes. Unset sizes take the kind's paper defaults (<see cref="WithDefaults"/>), and the completed spec is stored in
/// each checkpoint (model.json) so inference rebuilds the same model.
/// </summary>
public sealed record ModelSpec
{
    public const string MaskInference = "mask-inference";
    public const string Bsrnn = "bsrnn";
    public const string ConvTasNet = "convtasnet";
    public const string TinyMaskNet = "tiny-masknet";

    public static IReadOnlyList<string> Kinds => [MaskInference, Bsrnn, ConvTasNet, TinyMaskNet];

    public required string Kind { get; init; }

    /// <summary>Mask-Inference: the rate the model works at (the stream is resampled in the model's input path).</summary>
    public int? SampleRate { get; init; }

    public int? NFft { get; init; }

    public int? Hop { get; init; }

    /// <summary>Mask-Inference: BLSTM units per direction; ConvTasNet / tiny-masknet: separator channels.</summary>
    public int? Hidden { get; init; }

    /// <summary>Mask-Inference: BLSTM layers.</summary>
    public int? Layers { get; init; }

    public double? Dropout { get; init; }

    public MaskMode? Masks { get; init; }

    /// <summary>BSRNN: band scheme preset (v1..v7, bass, drums) or file.</summary>
    public string? Bands { get; init; }

    /// <summary>BSRNN: feature dimension N.</summary>
    public int? Features { get; init; }

    /// <summary>BSRNN: band and sequence modules.</summary>
    public int? Modules { get; init; }

    /// <summary>BSRNN: the stream target this model separates (one model per target).</summary>
    public string? Target { get; init; }

    /// <summary>ConvTasNet: outputs M (MixIT: 8).</summary>
    public int? Outputs { get; init; }

    /// <summary>ConvTasNet / tiny-masknet: encoder basis signals.</summary>
    public int? Basis { get; init; }

    /// <summary>ConvTasNet / tiny-masknet: encoder window in samples (hop = window / 2).</summary>
    public int? Window { get; init; }

    /// <summary>ConvTasNet: dilated blocks per repeat and repeats.</summary>
    public int? Blocks { get; init; }

    public int? Repeats { get; init; }

    /// <summary>ConvTasNet: project outputs so they sum to the mixture.</summary>
    public bool? MixtureConsistency { get; init; }

    /// <summary>ConvTasNet: name the first outputs after the stream's targets (supervised) or leave them unnamed (MixIT).</summary>
    public bool? NamedOutputs { get; init; }

    /// <summary>This spec with every size the kind uses filled in (paper sizes where the paper gives them).</summary>
    public ModelSpec WithDefaults() => Kind switch
    {
        MaskInference => this with
        {
            SampleRate = SampleRate ?? 16000,
            NFft = NFft ?? 1024,
            Hop = Hop ?? 512,
            Hidden = Hidden ?? 600,
            Layers = Layers ?? 4,
            Dropout = Dropout ?? 0.3,
            Masks = Masks ?? MaskMode.Direct,
        },
        Bsrnn => this with { NFft = NFft ?? 2048, Hop = Hop ?? 512, Bands = Bands ?? "v7", Features = Features ?? 128, Modules = Modules ?? 12 },
        ConvTasNet => this with
        {
            Outputs = Outputs ?? 8,
            Basis = Basis ?? 256,
            Window = Window ?? 32,
            Hidden = Hidden ?? 256,
            Blocks = Blocks ?? 4,
            Repeats = Repeats ?? 2,
            MixtureConsistency = MixtureConsistency ?? true,
            NamedOutputs = NamedOutputs ?? true,
        },
        TinyMaskNet => this with { Basis = Basis ?? 64, Hidden = Hidden ?? 64, Window = Window ?? 16 },
        _ => throw new ArgumentException($"unknown model kind '{Kind}' (known: {string.Join(", ", Kinds)})"),
    };
}

/// <summary>What the stream feeds a model: rate, channels and target names (level names for hierarchical recipes).</summary>
public sealed record StreamShape(int SampleRate, int Channels, IReadOnlyList<string> Targets);

/// <summary>
/// A checkpoint's model.json: the completed spec, the stream it was trained on, the names of its outputs (as the
/// validator matches them to the stream's targets) and the outputs inference writes, under the names to write them
/// as (<see cref="Written"/>: output index -> file name; a hierarchical model's levels are written as its leaf's
/// path nodes, a supervised model's spare outputs are not written).
/// </summary>
public sealed record ModelDescription(ModelSpec Spec, StreamShape Stream, IReadOnlyList<string> OutputNames, IReadOnlyList<WrittenOutput> Written, string? Recipe = null)
{
    public const string FileName = "model.json";

    public string ToJson() => JsonSerializer.Serialize(this, SchemaValidatedConfig.JsonOptions);

    public static ModelDescription Read(string checkpointDir)
    {
        var path = Path.Combine(checkpointDir, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{checkpointDir}: no {FileName} (a checkpoint written before model descriptions, or not a checkpoint)");
        }

        return JsonSerializer.Deserialize<ModelDescription>(File.ReadAllText(path), SchemaValidatedConfig.JsonOptions)
            ?? throw new InvalidDataException($"{path}: empty model description");
    }
}

/// <summary>An output of the model that inference writes, and the name (file name) it is written under.</summary>
public sealed record WrittenOutput(int Output, string Name);

/// <summary>Builds models from specs.</summary>
public static class ModelFactory
{
    /// <summary>A model for a stream; <paramref name="spec"/> is completed with defaults first.</summary>
    public static ISeparationModel Create(ModelSpec spec, StreamShape stream)
    {
        var s = spec.WithDefaults();
        return s.Kind switch
        {
            ModelSpec.MaskInference => new MaskInferenceNet(stream.SampleRate, stream.Targets.Count, s.SampleRate!.Value, s.NFft!.Value, s.Hop!.Value,
                s.Hidden!.Value, s.Layers!.Value, s.Dropout!.Value, s.Masks!.Value),
            ModelSpec.Bsrnn => new BandSplitRnn(stream.SampleRate, stream.Channels, BandScheme.Load(s.Bands!), s.NFft!.Value, s.Hop!.Value, s.Features!.Value,
                s.Modules!.Value, BsrnnTarget(s, stream)),
            ModelSpec.ConvTasNet => new ConvTasNet(stream.Channels, s.Outputs!.Value, s.Basis!.Value, s.Window!.Value, s.Hidden!.Value, s.Blocks!.Value,
                s.Repeats!.Value, s.MixtureConsistency!.Value, s.NamedOutputs!.Value ? stream.Targets : null),
            ModelSpec.TinyMaskNet => new TinyMaskNet(stream.Channels, stream.Targets.Count, s.Basis!.Value, s.Hidden!.Value, s.Window!.Value),
            _ => throw new ArgumentException($"unknown model kind '{s.Kind}' (known: {string.Join(", ", ModelSpec.Kinds)})"),
        };
    }

    /// <summary>The names of a model's <see cref="ISeparationModel.Separate"/> outputs.</summary>
    public static IReadOnlyList<string> OutputNames(ISeparationModel model, StreamShape stream) => model.OutputTargets ?? stream.Targets;

    /// <summary>
    /// The description stored with checkpoints. <paramref name="writtenNames"/> renames outputs for inference (e.g.
    /// the leaf path of a hierarchical recipe); a named ConvTasNet writes only the outputs named after stream targets.
    /// </summary>
    public static ModelDescription Describe(ModelSpec spec, ISeparationModel model, StreamShape stream, string? recipe, IReadOnlyList<string>? writtenNames = null)
    {
        var names = OutputNames(model, stream);
        var full = spec.WithDefaults();
        var written = new List<WrittenOutput>();
        for (var i = 0; i < names.Count; i++)
        {
            if (full.Kind == ModelSpec.ConvTasNet && full.NamedOutputs == true && !stream.Targets.Contains(names[i]))
            {
                continue;
            }

            written.Add(new WrittenOutput(i, writtenNames is not null && i < writtenNames.Count ? writtenNames[i] : names[i]));
        }

        return new ModelDescription(full, stream, names, written, recipe);
    }

    private static string BsrnnTarget(ModelSpec spec, StreamShape stream)
    {
        var target = spec.Target ?? (stream.Targets.Count == 1 ? stream.Targets[0]
            : throw new ArgumentException($"a BSRNN model separates one target: set model.target to one of {string.Join(", ", stream.Targets)}"));
        if (!stream.Targets.Contains(target))
        {
            throw new ArgumentException($"model.target '{target}' is not a target of the stream ({string.Join(", ", stream.Targets)})");
        }

        return target;
    }
}
