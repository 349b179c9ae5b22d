using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Audio;
using DatasetForge.Common.Config;
using MathNet.Numerics.LinearAlgebra;

namespace DatasetForge.Evaluation;

/// <summary>A separation system whose estimates live under a folder (one per song, one file per target).</summary>
public sealed record SystemEstimates(string Name, string Root);

/// <summary>
/// Per-target weights of a linear blend of several systems' estimates (Cadenza-style ensembling):
/// blend_t = sum_k w_t,k estimate_k,t. Serialized as <c>ensemble-weights.schema.json</c>.
/// </summary>
public sealed record EnsembleWeights(IReadOnlyList<string> Members, IReadOnlyDictionary<string, double[]> Targets, string FittedOn, int Songs)
{
    public double[] For(string target) =>
        Targets.TryGetValue(target, out var w) ? w : throw new EvaluationInputException($"the ensemble weights have no entry for target '{target}' (have: {string.Join(", ", Targets.Keys)})");

    public string ToJson()
    {
        var targets = new JsonObject();
        foreach (var (name, weights) in Targets.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            targets[name] = new JsonArray(weights.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
        }

        return new JsonObject
        {
            ["members"] = new JsonArray(Members.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["targets"] = targets,
            ["fitted_on"] = FittedOn,
            ["songs"] = Songs,
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static EnsembleWeights Load(string path)
    {
        var node = SchemaValidatedConfig.LoadNode(File.ReadAllText(path), path, "ensemble-weights.schema.json")!.AsObject();
        var members = node["members"]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();
        static double Number(JsonNode n) => double.Parse(n.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
        var targets = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (name, weights) in node["targets"]!.AsObject())
        {
            var values = weights!.AsArray().Select(w => Number(w!)).ToArray();
            if (values.Length != members.Length)
            {
                throw new ConfigException(path, $"targets.{name} has {values.Length} weights for {members.Length} members");
            }

            targets[name] = values;
        }

        return new EnsembleWeights(members, targets, node["fitted_on"]?.GetValue<string>() ?? string.Empty, node["songs"] is JsonNode songs ? (int)Number(songs) : 0);
    }

    /// <summary>sum_k w_k estimates[k], channel by channel (all estimates padded or cut to <paramref name="length"/>).</summary>
    public static AudioBuffer Blend(IReadOnlyList<AudioBuffer> estimates, double[] weights, int length)
    {
        if (estimates.Count != weights.Length)
        {
            throw new ArgumentException($"{estimates.Count} estimates for {weights.Length} weights.");
        }

        var channels = estimates[0].ChannelCount;
        var result = new AudioBuffer(estimates[0].SampleRate, channels, length);
        for (var k = 0; k < estimates.Count; k++)
        {
            for (var c = 0; c < channels; c++)
            {
                var src = estimates[k].Channels[c];
                var dst = result.Channels[c];
                var n = Math.Min(length, src.Length);
                for (var i = 0; i < n; i++)
                {
                    dst[i] = (float)(dst[i] + (weights[k] * src[i]));
                }
            }
        }

        return result;
    }
}

/// <summary>
/// Fits <see cref="EnsembleWeights"/> by least squares on waveforms: for each target, the weights minimizing
/// sum over songs, channels and samples of (reference - sum_k w_k estimate_k)^2. Accumulates the K x K normal
/// equations song by song (so a split never has to fit in memory) and solves them with MathNet's pseudo-inverse,
/// which also copes with members that are identical.
/// </summary>
public sealed class EnsembleFitter(IReadOnlyList<string> members)
{
    private readonly Dictionary<string, (double[,] Gram, double[] Cross)> sums = new(StringComparer.Ordinal);

    public int Songs { get; private set; }

    /// <summary>Adds one song's target: the reference and each member's estimate, in member order.</summary>
    public void Add(string target, AudioBuffer reference, IReadOnlyList<AudioBuffer> estimates)
    {
        var k = members.Count;
        if (estimates.Count != k)
        {
            throw new ArgumentException($"{estimates.Count} estimates for {k} members.");
        }

        if (!sums.TryGetValue(target, out var sum))
        {
            sum = (new double[k, k], new double[k]);
            sums[target] = sum;
        }

        var length = reference.Frames;
        var padded = estimates.Select(e => e.Channels.Select(c => BssEval.MatchLength(c, length)).ToArray()).ToArray();
        for (var c = 0; c < reference.ChannelCount; c++)
        {
            var r = reference.Channels[c];
            for (var a = 0; a < k; a++)
            {
                sum.Cross[a] += Dot(padded[a][c], r);
                for (var b = a; b < k; b++)
                {
                    var g = Dot(padded[a][c], padded[b][c]);
                    sum.Gram[a, b] += g;
                    if (b != a)
                    {
                        sum.Gram[b, a] += g;
                    }
                }
            }
        }
    }

    public void SongDone() => Songs++;

    public EnsembleWeights Solve(string fittedOn)
    {
        var targets = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (target, (gram, cross)) in sums)
        {
            var g = Matrix<double>.Build.DenseOfArray(gram);
            var b = Vector<double>.Build.DenseOfArray(cross);
            targets[target] = (g.PseudoInverse() * b).ToArray();
        }

        return new EnsembleWeights(members.ToArray(), targets, fittedOn, Songs);
    }

    private static double Dot(float[] a, float[] b)
    {
        double total = 0;
        const int block = 4096;
        for (var i = 0; i < a.Length; i += block)
        {
            var n = Math.Min(block, a.Length - i);
            total += System.Numerics.Tensors.TensorPrimitives.Dot(a.AsSpan(i, n), b.AsSpan(i, n));
        }

        return total;
    }
}
