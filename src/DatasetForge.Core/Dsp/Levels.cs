using System.Numerics.Tensors;

namespace DatasetForge.Dsp;

/// <summary>Simple level statistics over sample spans (full scale = 1.0). Pure functions.</summary>
public static class Levels
{
    /// <summary>Smallest level we report instead of -infinity, in dB.</summary>
    public const double FloorDb = -200;

    public static float SamplePeak(ReadOnlySpan<float> samples) => samples.IsEmpty ? 0 : TensorPrimitives.MaxMagnitude(samples) is var m ? Math.Abs(m) : 0;

    public static double SumOfSquares(ReadOnlySpan<float> samples)
    {
        // Double accumulation in blocks: float sums lose precision over minutes of audio.
        double total = 0;
        const int block = 4096;
        for (var i = 0; i < samples.Length; i += block)
        {
            var part = samples.Slice(i, Math.Min(block, samples.Length - i));
            total += TensorPrimitives.SumOfSquares(part);
        }

        return total;
    }

    public static double Rms(ReadOnlySpan<float> samples) => samples.IsEmpty ? 0 : Math.Sqrt(SumOfSquares(samples) / samples.Length);

    public static double Mean(ReadOnlySpan<float> samples)
    {
        double total = 0;
        foreach (var s in samples)
        {
            total += s;
        }

        return samples.IsEmpty ? 0 : total / samples.Length;
    }

    /// <summary>Fraction of samples that are exactly zero (digital silence).</summary>
    public static double ZeroFraction(ReadOnlySpan<float> samples)
    {
        if (samples.IsEmpty)
        {
            return 1;
        }

        var zeros = 0L;
        foreach (var s in samples)
        {
            if (s == 0)
            {
                zeros++;
            }
        }

        return (double)zeros / samples.Length;
    }

    public static double AmplitudeToDb(double amplitude) => amplitude > 0 ? Math.Max(FloorDb, 20 * Math.Log10(amplitude)) : double.NegativeInfinity;

    public static double PowerToDb(double power) => power > 0 ? Math.Max(FloorDb, 10 * Math.Log10(power)) : double.NegativeInfinity;

    public static double DbToAmplitude(double db) => Math.Pow(10, db / 20);
}
