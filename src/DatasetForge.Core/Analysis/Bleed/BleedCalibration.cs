using DatasetForge.Common.Config;

namespace DatasetForge.Analysis.Bleed;

/// <summary>A logistic model: p = 1 / (1 + exp(-(intercept + sum w_i x_i))).</summary>
public sealed record LogisticModel
{
    public double Intercept { get; init; }

    public IReadOnlyList<double> Weights { get; init; } = [];

    public double Logit(ReadOnlySpan<double> x)
    {
        if (x.Length != Weights.Count)
        {
            throw new ArgumentException($"model has {Weights.Count} weights, got {x.Length} features");
        }

        var z = Intercept;
        for (var i = 0; i < x.Length; i++)
        {
            z += Weights[i] * x[i];
        }

        return z;
    }

    public double Probability(ReadOnlySpan<double> x) => Sigmoid(Logit(x));

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>
    /// Maximum-likelihood fit with a small L2 penalty on the weights (not the intercept), by Newton's method
    /// (iteratively reweighted least squares). Deterministic.
    /// </summary>
    public static LogisticModel Fit(IReadOnlyList<double[]> samples, IReadOnlyList<bool> labels, double l2 = 1e-2, int iterations = 50)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        if (samples.Count == 0 || samples.Count != labels.Count)
        {
            throw new ArgumentException("need as many labels as samples, and at least one");
        }

        var d = samples[0].Length + 1;
        var beta = new double[d];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var gradient = new double[d];
            var hessian = new double[d, d];
            for (var n = 0; n < samples.Count; n++)
            {
                var x = samples[n];
                var z = beta[0];
                for (var i = 1; i < d; i++)
                {
                    z += beta[i] * x[i - 1];
                }

                var p = Sigmoid(z);
                var residual = (labels[n] ? 1.0 : 0.0) - p;
                var weight = Math.Max(p * (1 - p), 1e-9);
                for (var i = 0; i < d; i++)
                {
                    var xi = i == 0 ? 1 : x[i - 1];
                    gradient[i] += residual * xi;
                    for (var j = 0; j < d; j++)
                    {
                        var xj = j == 0 ? 1 : x[j - 1];
                        hessian[i, j] += weight * xi * xj;
                    }
                }
            }

            for (var i = 1; i < d; i++)
            {
                gradient[i] -= l2 * beta[i];
                hessian[i, i] += l2;
            }

            var step = Solve(hessian, gradient);
            var change = 0.0;
            for (var i = 0; i < d; i++)
            {
                beta[i] += step[i];
                change = Math.Max(change, Math.Abs(step[i]));
            }

            if (change < 1e-9)
            {
                break;
            }
        }

        return new LogisticModel { Intercept = beta[0], Weights = beta[1..] };
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < n; row++)
            {
                if (Math.Abs(m[row, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = row;
                }
            }

            if (Math.Abs(m[pivot, col]) < 1e-300)
            {
                continue;
            }

            if (pivot != col)
            {
                for (var k = 0; k < n; k++)
                {
                    (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
                }

                (x[col], x[pivot]) = (x[pivot], x[col]);
            }

            for (var row = 0; row < n; row++)
            {
                if (row == col)
                {
                    continue;
                }

                var f = m[row, col] / m[col, col];
                for (var k = col; k < n; k++)
                {
                    m[row, k] -= f * m[col, k];
                }

                x[row] -= f * x[col];
            }
        }

        for (var i = 0; i < n; i++)
        {
            x[i] = Math.Abs(m[i, i]) < 1e-300 ? 0 : x[i] / m[i, i];
        }

        return x;
    }
}

/// <summary>
/// How the detectors' features become probabilities (`pipelines/analysis/bleed-calibration.yaml`, schema
/// `bleed-calibration.schema.json`): a logistic model over the pair features ranks a track's candidate sources
/// and gives each pair's probability; the track's probability is a Platt scaling of the best pair's logit, fitted
/// at track level. Both are fitted by `./forge bench bleed --calibrate` on a seed that is not the one reported.
/// </summary>
public sealed record BleedCalibration
{
    public const string SchemaName = "bleed-calibration.schema.json";

    /// <summary>Feature names in the order of the weights (see <see cref="BleedFeatures"/>).</summary>
    public IReadOnlyList<string> Features { get; init; } = BleedFeatures.Names;

    public LogisticModel Pair { get; init; } = new();

    /// <summary>Track probability = sigmoid(intercept + weights[0] * best pair logit).</summary>
    public LogisticModel Track { get; init; } = new();

    /// <summary>What it was fitted on (for the record; not used).</summary>
    public string? Provenance { get; init; }

    public static BleedCalibration Load(string pathOrName)
    {
        var name = pathOrName;
        if (!File.Exists(name) && !name.Contains('/') && !name.EndsWith(".yaml", StringComparison.Ordinal))
        {
            name = $"pipelines/analysis/{name}.yaml";
        }

        var calibration = SchemaValidatedConfig.LoadFile<BleedCalibration>(name, SchemaName);
        if (!calibration.Features.SequenceEqual(BleedFeatures.Names) || calibration.Pair.Weights.Count != BleedFeatures.Names.Count || calibration.Track.Weights.Count != 1)
        {
            throw new ConfigException(name, $"features must be [{string.Join(", ", BleedFeatures.Names)}] with one pair weight each and one track weight");
        }

        return calibration;
    }

    public string ToYaml(string header)
    {
        static string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var sb = new System.Text.StringBuilder();
        foreach (var line in header.Split('\n'))
        {
            sb.Append("# ").Append(line).Append('\n');
        }

        sb.Append("features: [").Append(string.Join(", ", Features)).Append("]\n");
        sb.Append("pair:\n  intercept: ").Append(F(Pair.Intercept)).Append("\n  weights: [").Append(string.Join(", ", Pair.Weights.Select(F))).Append("]\n");
        sb.Append("track:\n  intercept: ").Append(F(Track.Intercept)).Append("\n  weights: [").Append(string.Join(", ", Track.Weights.Select(F))).Append("]\n");
        if (Provenance is not null)
        {
            sb.Append("provenance: \"").Append(Provenance.Replace("\"", "'", StringComparison.Ordinal)).Append("\"\n");
        }

        return sb.ToString();
    }
}
