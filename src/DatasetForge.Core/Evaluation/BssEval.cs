using DatasetForge.Audio;

namespace DatasetForge.Evaluation;

/// <summary>Parameters of <see cref="BssEval"/>; window and hop in samples (museval: 1 s each by default).</summary>
public sealed record BssEvalOptions
{
    public int Window { get; init; } = 44100;

    public int Hop { get; init; } = 44100;

    /// <summary>Taps of the time-invariant distortion filters (museval: 512).</summary>
    public int FilterLength { get; init; } = 512;

    /// <summary>Threads used across segments, frames and sources; defaults to the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>museval's defaults (1 s window and hop) for a sample rate.</summary>
    public static BssEvalOptions ForSampleRate(int sampleRate, double windowSeconds = 1.0, double hopSeconds = 1.0) => new()
    {
        Window = (int)(windowSeconds * sampleRate),
        Hop = (int)(hopSeconds * sampleRate),
    };
}

/// <summary>Framewise BSS Eval v4 image metrics: [source][frame] in dB; NaN where a frame is silent.</summary>
public sealed class BssEvalResult
{
    internal BssEvalResult(int window, int hop, int length, double[][] sdr, double[][] isr, double[][] sir, double[][] sar)
    {
        Window = window;
        Hop = hop;
        Length = length;
        Sdr = sdr;
        Isr = isr;
        Sir = sir;
        Sar = sar;
    }

    public int Window { get; }

    public int Hop { get; }

    /// <summary>Samples evaluated (the reference length).</summary>
    public int Length { get; }

    public int Sources => Sdr.Length;

    public int Frames => Sdr.Length == 0 ? 0 : Sdr[0].Length;

    public double[][] Sdr { get; }

    public double[][] Isr { get; }

    public double[][] Sir { get; }

    public double[][] Sar { get; }

    /// <summary>First sample of frame <paramref name="frame"/>.</summary>
    public int FrameStart(int frame) => frame * Hop;

    /// <summary>cSDR: the median over frames of SDR, ignoring NaN frames (SiSEC 2018 / museval aggregation).</summary>
    public double MedianSdr(int source) => Statistics.NanMedian(Sdr[source]);
}

/// <summary>
/// BSS Eval version 4 (Vincent et al. 2006; Liutkus et al. 2018), image metrics, computed exactly as museval's
/// <c>metrics.bss_eval(..., framewise_filters=False, bsseval_sources_version=False, compute_permutation=False)</c>:
/// each estimate is projected, with filters of <see cref="BssEvalOptions.FilterLength"/> taps fitted once by least
/// squares over the whole signal, on the span of delayed copies of its own reference (giving the spatial
/// distortion) and of all references (giving the interference); the rest is artifacts. Energies are then taken
/// frame by frame, with the projections recomputed from each frame's samples as museval does:
/// SDR = |s|^2/|e - s|^2, ISR = |s|^2/|p_j - s|^2, SIR = |p_j|^2/|p_all - p_j|^2, SAR = |p_all|^2/|e - p_all|^2.
/// Estimates are zero-padded or truncated to the reference length; the last partial frame is dropped; frames in
/// which any reference or estimate is digital silence (all channel sums zero) are NaN for every source.
/// </summary>
public static class BssEval
{
    /// <summary>Evaluates estimates against references (same order; any number of sources and channels).</summary>
    /// <param name="names">names used in error messages (defaults to "source i").</param>
    public static BssEvalResult Evaluate(
        IReadOnlyList<AudioBuffer> references,
        IReadOnlyList<AudioBuffer> estimates,
        BssEvalOptions? options = null,
        IReadOnlyList<string>? names = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(estimates);
        return Evaluate(references.Select(r => r.Channels).ToArray(), estimates.Select(e => e.Channels).ToArray(), options, names, cancellationToken);
    }

    /// <summary>Planar form: [source][channel][sample].</summary>
    public static BssEvalResult Evaluate(
        IReadOnlyList<float[][]> references,
        IReadOnlyList<float[][]> estimates,
        BssEvalOptions? options = null,
        IReadOnlyList<string>? names = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new BssEvalOptions();
        var nsrc = references.Count;
        string Name(int j) => names is not null && j < names.Count ? names[j] : $"source {j}";
        if (nsrc == 0)
        {
            throw new ArgumentException("No references to evaluate against.", nameof(references));
        }

        if (estimates.Count != nsrc)
        {
            throw new ArgumentException($"{estimates.Count} estimates for {nsrc} references.", nameof(estimates));
        }

        if (options.Window <= 0 || options.Hop <= 0 || options.FilterLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Window, hop and filter length must be positive.");
        }

        var nchan = references[0].Length;
        if (nchan == 0)
        {
            throw new ArgumentException($"Reference '{Name(0)}' has no channels.", nameof(references));
        }

        var length = references[0][0].Length;
        for (var j = 0; j < nsrc; j++)
        {
            if (references[j].Length != nchan || references[j].Any(c => c.Length != length))
            {
                throw new ArgumentException($"Reference '{Name(j)}' has {references[j].Length} channels of {references[j][0].Length} samples; expected {nchan} of {length} like the first.");
            }

            if (estimates[j].Length != nchan)
            {
                throw new ArgumentException($"Estimate '{Name(j)}' has {estimates[j].Length} channels; its reference has {nchan}.");
            }
        }

        if (length == 0)
        {
            throw new ArgumentException("References are empty.", nameof(references));
        }

        // museval pads estimates with zeros or truncates them to the reference length.
        var est = estimates.Select(e => e.Select(c => MatchLength(c, length)).ToArray()).ToArray();
        for (var j = 0; j < nsrc; j++)
        {
            if (IsSilent(references[j], 0, length))
            {
                throw new ArgumentException($"Reference '{Name(j)}' is silent (all zeros): BSS Eval is undefined for it (museval refuses it too).");
            }

            if (IsSilent(est[j], 0, length))
            {
                throw new ArgumentException($"Estimate '{Name(j)}' is silent (all zeros): BSS Eval is undefined for it (museval refuses it too).");
            }
        }

        var l = options.FilterLength;
        var parallelism = Math.Max(1, options.MaxDegreeOfParallelism);
        var refChannels = references.SelectMany(r => r).ToArray(); // p = j * nchan + c
        var estChannels = est.SelectMany(e => e).ToArray();
        var m = refChannels.Length;

        // Filters onto all references (one system, every estimate channel as a right-hand side) and onto each source's
        // own reference (small systems). With two or more threads, the big system's factorization (which needs only
        // the reference correlations) runs while the estimate correlations and the small systems are computed.
        var me = estChannels.Length;
        var ownFilters = new double[nsrc][];
        void SolveOwn(int j, double[] r, double[] d)
        {
            var rj = new double[l * nchan * nchan];
            var dj = new double[l * nchan * nchan];
            for (var k = 0; k < l; k++)
            {
                for (var a = 0; a < nchan; a++)
                {
                    for (var b = 0; b < nchan; b++)
                    {
                        rj[(k * nchan * nchan) + (a * nchan) + b] = r[(k * m * m) + (((j * nchan) + a) * m) + (j * nchan) + b];
                        dj[(k * nchan * nchan) + (a * nchan) + b] = d[(k * m * me) + (((j * nchan) + a) * me) + (j * nchan) + b];
                    }
                }
            }

            ownFilters[j] = BlockToeplitzSolver.Solve(rj, dj, nchan, l, nchan);
        }

        double[] allFilters;
        if (parallelism > 1)
        {
            var r = ReferenceCorrelations.ComputeReferences(refChannels, length, l, parallelism, cancellationToken);
            var factoring = Task.Run(() => BlockToeplitzSolver.Factor(r, m, l), cancellationToken);
            try
            {
                var others = new ParallelOptions { MaxDegreeOfParallelism = parallelism - 1, CancellationToken = cancellationToken };
                var d = ReferenceCorrelations.ComputeCross(refChannels, estChannels, length, l, parallelism - 1, cancellationToken);
                Parallel.For(0, nsrc, others, j => SolveOwn(j, r, d));
                using var factorization = factoring.GetAwaiter().GetResult();
                allFilters = factorization.Solve(d, me);
            }
            finally
            {
                if (!factoring.IsCompletedSuccessfully)
                {
                    _ = factoring.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                }
            }
        }
        else
        {
            var (r, d) = ReferenceCorrelations.Compute(refChannels, estChannels, length, l, parallelism, cancellationToken);
            allFilters = BlockToeplitzSolver.Solve(r, d, m, l, me);
            for (var j = 0; j < nsrc; j++)
            {
                SolveOwn(j, r, d);
            }
        }

        var window = Math.Min(options.Window, length);
        var frames = FrameCount(length, options.Window, options.Hop);
        var projector = new FrameProjector(references, est, allFilters, ownFilters, l, window);

        var sdr = NewTable(nsrc, frames);
        var isr = NewTable(nsrc, frames);
        var sir = NewTable(nsrc, frames);
        var sar = NewTable(nsrc, frames);
        Parallel.For(0, frames, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            projector.CreateWorkspace,
            (t, _, workspace) =>
            {
                var start = t * options.Hop;
                var count = Math.Min(start + options.Window, length) - start;
                var silent = false;
                for (var j = 0; j < nsrc && !silent; j++)
                {
                    silent = IsSilent(references[j], start, count) || IsSilent(est[j], start, count);
                }

                if (silent)
                {
                    for (var j = 0; j < nsrc; j++)
                    {
                        sdr[j][t] = isr[j][t] = sir[j][t] = sar[j][t] = double.NaN;
                    }

                    return workspace;
                }

                var energies = projector.Project(workspace, start, count);
                for (var j = 0; j < nsrc; j++)
                {
                    var e = energies[j];
                    sdr[j][t] = SafeDb(e.Target, e.Distortion);
                    isr[j][t] = SafeDb(e.Target, e.Spatial);
                    sir[j][t] = SafeDb(e.OwnProjection, e.Interference);
                    sar[j][t] = SafeDb(e.AllProjection, e.Artifacts);
                }

                return workspace;
            },
            _ => { });

        return new BssEvalResult(options.Window, options.Hop, length, sdr, isr, sir, sar);
    }

    /// <summary>museval's frame count: whole frames of <paramref name="window"/> every <paramref name="hop"/>; one frame if the window covers the signal.</summary>
    public static int FrameCount(int length, int window, int hop) => window < length ? (length - window + hop) / hop : 1;

    /// <summary>museval's pad_or_truncate for one channel.</summary>
    public static float[] MatchLength(float[] channel, int length)
    {
        if (channel.Length == length)
        {
            return channel;
        }

        var result = new float[length];
        channel.AsSpan(0, Math.Min(length, channel.Length)).CopyTo(result);
        return result;
    }

    /// <summary>museval's silence test: every sample's sum over channels is exactly zero.</summary>
    internal static bool IsSilent(float[][] channels, int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            double sum = 0;
            foreach (var channel in channels)
            {
                sum += channel[i];
            }

            if (sum != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static double SafeDb(double numerator, double denominator) =>
        denominator == 0 ? double.PositiveInfinity : 10 * Math.Log10(numerator / denominator);

    private static double[][] NewTable(int rows, int columns) => Enumerable.Range(0, rows).Select(_ => new double[columns]).ToArray();
}
