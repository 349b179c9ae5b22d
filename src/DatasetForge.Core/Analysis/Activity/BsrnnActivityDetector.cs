namespace DatasetForge.Analysis.Activity;

/// <summary>
/// Source activity detection of BSRNN (Luo and Yu, "Music Source Separation with Band-split RNN", IEEE/ACM TASLP
/// 2023, Sec. IV-A1). A track is cut into segments of L seconds with 50% overlap (only whole segments: a tail shorter
/// than the hop is not covered); each segment into 10 chunks (boundaries at floor(j * segment / chunks)); a chunk's
/// energy is the mean of its squared samples over all channels (or its RMS, configurable), and an all-zero chunk
/// gets epsilon instead of 0. The threshold is max(quantile_0.15(every chunk energy of every segment of the track),
/// gamma), the quantile linearly interpolated between order statistics (numpy/torch's default); a segment is salient
/// when more than 50% of its chunks have energy strictly above the threshold. With scale = db, energies, epsilon and
/// gamma are converted to decibels first: decisions are the same as in linear scale except where the quantile falls
/// between two order statistics (the interpolation is then done in dB).
/// </summary>
public static class BsrnnActivityDetector
{
    public static ActivityResult Detect(IReadOnlyList<float[]> channels, int sampleRate, SadOptions options)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(options);
        var frames = channels.Count == 0 ? 0 : channels[0].Length;
        var segment = (int)Math.Round(options.SegmentSeconds * sampleRate);
        var hop = Math.Max(1, (int)Math.Round(segment * (1 - options.Overlap)));
        var n = options.Chunks;
        if (segment < n || frames < segment)
        {
            return new ActivityResult([], Transform(options.Gamma, options));
        }

        var count = 1 + ((frames - segment) / hop);
        var energies = new double[count * n];
        for (var k = 0; k < count; k++)
        {
            var start = k * hop;
            for (var j = 0; j < n; j++)
            {
                var a = start + (int)((long)j * segment / n);
                var b = start + (int)((long)(j + 1) * segment / n);
                energies[(k * n) + j] = ChunkEnergy(channels, a, b, options);
            }
        }

        var sorted = (double[])energies.Clone();
        Array.Sort(sorted);
        var threshold = Math.Max(Quantile(sorted, options.Quantile), Transform(options.Gamma, options));
        var segments = new ActivitySegment[count];
        for (var k = 0; k < count; k++)
        {
            var above = 0;
            for (var j = 0; j < n; j++)
            {
                if (energies[(k * n) + j] > threshold)
                {
                    above++;
                }
            }

            var fraction = (double)above / n;
            var start = k * hop;
            segments[k] = new ActivitySegment((double)start / sampleRate, (double)(start + segment) / sampleRate, fraction > options.SalientFraction, fraction);
        }

        return new ActivityResult(segments, threshold);
    }

    /// <summary>The energy of frames [a, b) as the options define it (epsilon for digital silence), in the options' scale.</summary>
    public static double ChunkEnergy(IReadOnlyList<float[]> channels, int a, int b, SadOptions options)
    {
        double sum = 0;
        foreach (var channel in channels)
        {
            sum += Dsp.Levels.SumOfSquares(channel.AsSpan(a, b - a));
        }

        var meanSquare = sum / ((double)(b - a) * channels.Count);
        var energy = options.Energy == SadEnergy.Rms ? Math.Sqrt(meanSquare) : meanSquare;
        return Transform(energy == 0 ? options.Epsilon : energy, options);
    }

    /// <summary>Linear-interpolated quantile of sorted values (numpy's default "linear" method).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    private static double Transform(double value, SadOptions options) => options.Scale switch
    {
        SadScale.Db => (options.Energy == SadEnergy.Rms ? 20 : 10) * Math.Log10(value),
        _ => value,
    };
}
