using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DatasetForge.Evaluation;

/// <summary>BSS Eval v4 values of one frame (dB; NaN where museval reports NaN).</summary>
public sealed record FrameScores(double Time, double Duration, double Sdr, double Sir, double Isr, double Sar);

/// <summary>
/// Scores of one target of one song: museval's framewise values plus the song-level summaries.
/// <see cref="Csdr"/> is the SiSEC/museval number (median SDR over frames), <see cref="Usdr"/> the MDX 2021 one
/// (whole-song SNR), <see cref="SiSdr"/> the scale-invariant SDR (mean over channels).
/// </summary>
public sealed record TargetScores(string Name, IReadOnlyList<FrameScores> Frames, double Usdr, double SiSdr)
{
    public double Csdr => Statistics.NanMedian(Frames.Select(f => f.Sdr));

    public double MedianSir => Statistics.NanMedian(Frames.Select(f => f.Sir));

    public double MedianIsr => Statistics.NanMedian(Frames.Select(f => f.Isr));

    public double MedianSar => Statistics.NanMedian(Frames.Select(f => f.Sar));

    public int NanFrames => Frames.Count(f => double.IsNaN(f.Sdr));
}

/// <summary>All targets of one song, serializable in museval's JSON shape (plus the summaries).</summary>
public sealed record TrackScores(string Name, int SampleRate, double WindowSeconds, double HopSeconds, IReadOnlyList<TargetScores> Targets)
{
    /// <summary>
    /// museval's track JSON (<c>targets[].name</c>, <c>targets[].frames[].{time,duration,metrics{SDR,SIR,SAR,ISR}}</c>,
    /// values quantized to 1e-5 dB as museval does) with each target's <c>usdr</c>, <c>si_sdr</c> and <c>csdr</c> added.
    /// museval writes NaN (and infinities) as the non-standard literal NaN; we write null.
    /// </summary>
    public string ToJson()
    {
        var targets = new JsonArray();
        foreach (var target in Targets)
        {
            var frames = new JsonArray();
            foreach (var frame in target.Frames)
            {
                frames.Add(new JsonObject
                {
                    ["time"] = frame.Time,
                    ["duration"] = frame.Duration,
                    ["metrics"] = new JsonObject
                    {
                        ["SDR"] = Quantize(frame.Sdr),
                        ["SIR"] = Quantize(frame.Sir),
                        ["SAR"] = Quantize(frame.Sar),
                        ["ISR"] = Quantize(frame.Isr),
                    },
                });
            }

            targets.Add(new JsonObject
            {
                ["name"] = target.Name,
                ["frames"] = frames,
                ["usdr"] = Value(target.Usdr),
                ["si_sdr"] = Value(target.SiSdr),
                ["csdr"] = Value(target.Csdr),
                ["median"] = new JsonObject
                {
                    ["SDR"] = Value(target.Csdr),
                    ["SIR"] = Value(target.MedianSir),
                    ["SAR"] = Value(target.MedianSar),
                    ["ISR"] = Value(target.MedianIsr),
                },
            });
        }

        var root = new JsonObject
        {
            ["name"] = Name,
            ["sample_rate"] = SampleRate,
            ["window"] = WindowSeconds,
            ["hop"] = HopSeconds,
            ["targets"] = targets,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote (or museval's own JSON, whose summaries are then recomputed as NaN).</summary>
    public static TrackScores FromJson(string json, string origin)
    {
        try
        {
            var root = JsonNode.Parse(json)!.AsObject();
            var targets = root["targets"]!.AsArray().Select(t =>
            {
                var target = t!.AsObject();
                var frames = target["frames"]!.AsArray().Select(f =>
                {
                    var metrics = f!["metrics"]!;
                    return new FrameScores(Number(f["time"]), Number(f["duration"]), Number(metrics["SDR"]), Number(metrics["SIR"]), Number(metrics["ISR"]), Number(metrics["SAR"]));
                }).ToArray();
                return new TargetScores(target["name"]!.GetValue<string>(), frames, Number(target["usdr"]), Number(target["si_sdr"]));
            }).ToArray();
            return new TrackScores(
                root["name"]?.GetValue<string>() ?? Path.GetFileNameWithoutExtension(origin),
                root["sample_rate"]?.GetValue<int>() ?? 0,
                root["window"]?.GetValue<double>() ?? double.NaN,
                root["hop"]?.GetValue<double>() ?? double.NaN,
                targets);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"{origin}: not a track score file ({e.Message})", e);
        }
    }

    private static double Number(JsonNode? node) => node is null ? double.NaN : node.GetValueKind() switch
    {
        JsonValueKind.Number => node.GetValue<double>(),
        JsonValueKind.String => double.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture),
        _ => double.NaN,
    };

    /// <summary>museval's _q: infinities become NaN, others are rounded to 1e-5.</summary>
    private static JsonNode? Quantize(double value) =>
        double.IsFinite(value) ? JsonValue.Create((double)Math.Round((decimal)value, 5, MidpointRounding.ToEven)) : null;

    private static JsonNode? Value(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
