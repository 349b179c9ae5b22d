using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Audio;
using DatasetForge.Common.Config;

namespace DatasetForge.Evaluation;

/// <summary>
/// A remix scene: a gain in dB per instrument (stem name). YAML (<c>remix-scene.schema.json</c>: <c>name</c>,
/// <c>gains_db</c>) or the Cadenza challenge's gains JSON (<c>{"gain_0001": {"vocals": -3, "drums": 2, ...}}</c>).
/// </summary>
public sealed record RemixScene(string Name, IReadOnlyDictionary<string, double> GainsDb)
{
    /// <param name="path">a file, or a built-in preset such as <c>pipelines/remix/vocals-up.yaml</c>.</param>
    /// <param name="gainId">for a Cadenza gains file with several entries, which one.</param>
    public static RemixScene Load(string path, string? gainId = null)
    {
        string text;
        try
        {
            (text, _) = EmbeddedAssets.ReadFileOrEmbedded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, e.Message);
        }

        if (Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase) && LooksLikeCadenza(text))
        {
            return FromCadenza(text, path, gainId);
        }

        var scene = SchemaValidatedConfig.Load<SceneFile>(text, path, "remix-scene.schema.json");
        return new RemixScene(scene.Name ?? Path.GetFileNameWithoutExtension(path), scene.GainsDb);
    }

    private static bool LooksLikeCadenza(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject root && !root.ContainsKey("gains_db") && root.All(kv => kv.Value is JsonObject);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static RemixScene FromCadenza(string text, string path, string? gainId)
    {
        var root = JsonNode.Parse(text)!.AsObject();
        if (gainId is null && root.Count != 1)
        {
            throw new ConfigException(path, $"the Cadenza gains file has {root.Count} entries; pick one with --gain-id (e.g. {root.First().Key})");
        }

        var id = gainId ?? root.First().Key;
        if (root[id] is not JsonObject entry)
        {
            throw new ConfigException(path, $"no gain entry '{id}'");
        }

        var gains = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (instrument, value) in entry)
        {
            if (value is not JsonValue v || !v.TryGetValue<double>(out var db))
            {
                throw new ConfigException(path, $"{id}.{instrument}: gain must be a number of dB");
            }

            gains[instrument] = db;
        }

        return new RemixScene(id, gains);
    }

    private sealed record SceneFile(string? Name, Dictionary<string, double> GainsDb);
}

/// <summary>Measures loudness in dB (LUFS for a BS.1770 meter). The remix keeps the mixture's value.</summary>
public interface ILoudnessMeter
{
    string Name { get; }

    double Measure(AudioBuffer audio);
}

/// <summary>
/// ITU-R BS.1770-4 integrated loudness in LUFS (<see cref="Loudness.LoudnessMeter"/>), the measure Cadenza keeps when it
/// rebalances a mix.
/// </summary>
public sealed class Bs1770Loudness : ILoudnessMeter
{
    public string Name => "BS.1770-4 integrated loudness (LUFS)";

    public double Measure(AudioBuffer audio) => Loudness.LoudnessMeter.Measure(audio).IntegratedLufs;
}

/// <summary>The scores of a remix against the same remix of the references.</summary>
public sealed record RemixScores(double MixtureLoudness, double RemixLoudness, double ReferenceRemixLoudness, double Usdr, double SiSdr, double Csdr, IReadOnlyList<string> UnscaledStems);

/// <summary>
/// Rebalances separated stems (Cadenza-style remixing): remix = sum over stems of 10^(g/20) stem, then one gain so the
/// remix measures as loud as the original mixture.
/// </summary>
public static class Remixer
{
    /// <summary>The rebalanced mix at <paramref name="targetLoudness"/>. Stems the scene does not name keep 0 dB.</summary>
    public static AudioBuffer Render(IReadOnlyDictionary<string, AudioBuffer> stems, RemixScene scene, double targetLoudness, ILoudnessMeter meter)
    {
        var unknown = scene.GainsDb.Keys.Where(k => !stems.ContainsKey(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new EvaluationInputException($"scene '{scene.Name}' sets gains for {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which are not among the stems ({string.Join(", ", stems.Keys)})");
        }

        if (stems.Count == 0)
        {
            throw new EvaluationInputException("no stems to remix");
        }

        var first = stems.Values.First();
        var length = stems.Values.Max(s => s.Frames);
        var mix = new AudioBuffer(first.SampleRate, first.ChannelCount, length);
        var sums = Enumerable.Range(0, first.ChannelCount).Select(_ => new double[length]).ToArray();
        foreach (var (name, stem) in stems)
        {
            if (stem.SampleRate != first.SampleRate || stem.ChannelCount != first.ChannelCount)
            {
                throw new EvaluationInputException($"stem '{name}' is {stem.ChannelCount} ch at {stem.SampleRate} Hz; the others are {first.ChannelCount} ch at {first.SampleRate} Hz");
            }

            var gain = Math.Pow(10, scene.GainsDb.GetValueOrDefault(name) / 20);
            for (var c = 0; c < stem.ChannelCount; c++)
            {
                var src = stem.Channels[c];
                var dst = sums[c];
                for (var i = 0; i < src.Length; i++)
                {
                    dst[i] += gain * src[i];
                }
            }
        }

        for (var c = 0; c < mix.ChannelCount; c++)
        {
            for (var i = 0; i < length; i++)
            {
                mix.Channels[c][i] = (float)sums[c][i];
            }
        }

        var loudness = meter.Measure(mix);
        if (!double.IsFinite(loudness) || !double.IsFinite(targetLoudness))
        {
            return mix; // silence stays silence
        }

        var scale = (float)Math.Pow(10, (targetLoudness - loudness) / 20);
        foreach (var channel in mix.Channels)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(channel, scale, channel);
        }

        return mix;
    }

    /// <summary>
    /// Renders the scene from the estimates and from the references, both at the mixture's loudness, and scores the
    /// first against the second (uSDR, SI-SDR, and BSS Eval cSDR with the reference remix as the only source).
    /// </summary>
    public static (AudioBuffer Remix, AudioBuffer ReferenceRemix, RemixScores Scores) Evaluate(
        IReadOnlyDictionary<string, AudioBuffer> estimates, IReadOnlyDictionary<string, AudioBuffer> references, AudioBuffer mixture,
        RemixScene scene, ILoudnessMeter meter, EvaluationOptions? options = null)
    {
        options ??= new EvaluationOptions();
        var missing = references.Keys.Where(k => !estimates.ContainsKey(k)).Concat(estimates.Keys.Where(k => !references.ContainsKey(k))).ToArray();
        if (missing.Length > 0)
        {
            throw new EvaluationInputException($"estimates and references must have the same stems; unmatched: {string.Join(", ", missing)}");
        }

        var target = meter.Measure(mixture);
        var remix = Render(estimates, scene, target, meter);
        var reference = Render(references, scene, target, meter);
        var estimate = remix.Channels.Select(c => BssEval.MatchLength(c, reference.Frames)).ToArray();
        var bss = BssEval.Evaluate([reference.Channels], [estimate], options.ForSampleRate(reference.SampleRate), ["remix"]);
        var scores = new RemixScores(
            target,
            meter.Measure(remix),
            meter.Measure(reference),
            SeparationMetrics.Usdr(reference.Channels, estimate),
            SeparationMetrics.SiSdr(reference.Channels, estimate),
            bss.MedianSdr(0),
            references.Keys.Where(k => !scene.GainsDb.ContainsKey(k)).ToArray());
        return (remix, reference, scores);
    }
}
