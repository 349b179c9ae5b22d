using System.Text.Json;
using System.Text.Json.Serialization;
using DatasetForge.Common.Config;

namespace DatasetForge.Mixing;

/// <summary>
/// One source of a mix plan: which file, from which frame, with which gain and augmentations. <see cref="Path"/> is
/// relative to the dataset folder. <see cref="Kind"/> is "stem" or "mix" (a song's mixture, MixIT).
/// </summary>
public sealed record SourcePlan(
    string SongId,
    string Kind,
    int Level,
    string Node,
    string Path,
    long StartFrame,
    double GainDb,
    bool Dropped,
    bool SwapChannels,
    bool FlipPolarity,
    long ShiftFrames);

/// <summary>A target: the sum of some sources (indices into <see cref="MixPlan.Sources"/>); silence when none is left.</summary>
public sealed record TargetPlan(string Name, int Level, IReadOnlyList<int> Sources);

/// <summary>
/// What one item of the stream is, as data (lhotse-style): derived from (recipe, dataset, seed, epoch, index) without
/// reading audio, serializable (one JSON object per line in plans.jsonl, schema mix-plan.schema.json), and rendered
/// to audio only when a batch is made. Rendering needs only the plan and the dataset folder.
/// </summary>
public sealed record MixPlan(
    string Recipe,
    ulong Seed,
    long Epoch,
    long Index,
    int SampleRate,
    int Channels,
    int Frames,
    NormalizeMode Normalize,
    double NormalizeRmsDb,
    double NormalizeSilenceDb,
    RescaleMode Rescale,
    string? Leaf,
    IReadOnlyList<SourcePlan> Sources,
    IReadOnlyList<TargetPlan> Targets)
{
    private static readonly JsonSerializerOptions LineOptions = new(SchemaValidatedConfig.JsonOptions) { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, LineOptions);

    public static MixPlan FromJson(string json) =>
        JsonSerializer.Deserialize<MixPlan>(json, LineOptions) ?? throw new JsonException("empty mix plan");

    [JsonIgnore]
    public IEnumerable<SourcePlan> Active => Sources.Where(s => !s.Dropped);
}
