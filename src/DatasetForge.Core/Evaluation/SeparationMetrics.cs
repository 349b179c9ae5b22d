using DatasetForge.Audio;

namespace DatasetForge.Evaluation;

/// <summary>
/// Whole-signal separation metrics that need no filters. <see cref="Usdr"/> is the MDX 2021 "SDR" (an SNR over the
/// whole song and all channels); <see cref="SiSdr"/> is Le Roux et al. 2019 scale-invariant SDR, per channel after
/// removing the mean, averaged over channels. Estimates are zero-padded or truncated to the reference length.
/// </summary>
public static class SeparationMetrics
{
    /// <summary>The MDX 2021 stabilizer added to both energies.</summary>
    public const double UsdrEpsilon = 1e-7;

    /// <summary>10 log10((|r|^2 + 1e-7) / (|r - e|^2 + 1e-7)) over all channels and samples.</summary>
    public static double Usdr(float[][] reference, float[][] estimate)
    {
        CheckChannels(reference, estimate);
        double signal = 0, noise = 0;
        for (var c = 0; c < reference.Length; c++)
        {
            var r = reference[c];
            var e = estimate[c];
            for (var i = 0; i < r.Length; i++)
            {
                double rv = r[i];
                var ev = i < e.Length ? e[i] : 0.0;
                signal += rv * rv;
                noise += (rv - ev) * (rv - ev);
            }
        }

        return 10 * Math.Log10((signal + UsdrEpsilon) / (noise + UsdrEpsilon));
    }

    public static double Usdr(AudioBuffer reference, AudioBuffer estimate) => Usdr(reference.Channels, estimate.Channels);

    /// <summary>Mean over channels of <see cref="SiSdrChannel"/>.</summary>
    public static double SiSdr(float[][] reference, float[][] estimate)
    {
        CheckChannels(reference, estimate);
        var total = 0.0;
        for (var c = 0; c < reference.Length; c++)
        {
            total += SiSdrChannel(reference[c], estimate[c]);
        }

        return total / reference.Length;
    }

    public static double SiSdr(AudioBuffer reference, AudioBuffer estimate) => SiSdr(reference.Channels, estimate.Channels);

    /// <summary>
    /// SI-SDR of one channel: both signals mean-removed, target = (e.r / r.r) r, 10 log10(|target|^2 / |e - target|^2).
    /// </summary>
    public static double SiSdrChannel(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate)
    {
        var n = reference.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        double meanR = 0, meanE = 0;
        for (var i = 0; i < n; i++)
        {
            meanR += reference[i];
            meanE += i < estimate.Length ? estimate[i] : 0;
        }

        meanR /= n;
        meanE /= n;
        double dot = 0, energy = 0;
        for (var i = 0; i < n; i++)
        {
            var r = reference[i] - meanR;
            var e = (i < estimate.Length ? estimate[i] : 0) - meanE;
            dot += e * r;
            energy += r * r;
        }

        var alpha = dot / energy;
        double target = 0, noise = 0;
        for (var i = 0; i < n; i++)
        {
            var r = reference[i] - meanR;
            var e = (i < estimate.Length ? estimate[i] : 0) - meanE;
            var t = alpha * r;
            target += t * t;
            noise += (e - t) * (e - t);
        }

        return 10 * Math.Log10(target / noise);
    }

    private static void CheckChannels(float[][] reference, float[][] estimate)
    {
        if (reference.Length != estimate.Length)
        {
            throw new ArgumentException($"Reference has {reference.Length} channels, estimate {estimate.Length}.");
        }
    }
}
