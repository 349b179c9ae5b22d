namespace DatasetForge.Dsp.Resampling;

/// <summary>
/// The precomputed coefficient table of a polyphase windowed-sinc resampler from <c>inputRate</c> to
/// <c>outputRate</c>. With the ratio reduced to Up/Down (L/M), output k sits at input time t = k*M/L; its value is
/// sum_j x[n0 + j] * g(frac - j) with n0 = floor(t), frac = t - n0, and g a Kaiser-windowed sinc low-pass that is
/// <see cref="Radius"/> input samples wide on each side. Row p of the table holds g(p/Phases - j) for
/// j = -Radius+1 .. Radius, stored left to right so one contiguous dot product with x[n0-Radius+1 .. n0+Radius]
/// gives the output. When L is small (every common audio ratio) there is one row per phase and the result is exact;
/// otherwise <see cref="Phases"/> rows sample the phase finely and adjacent rows are linearly interpolated.
/// </summary>
internal sealed class PolyphaseFilterBank
{
    /// <summary>Largest L that gets one exact row per phase.</summary>
    public const int MaxExactPhases = 1024;

    /// <summary>Rows used when L is larger (linear interpolation between rows; error below -110 dB).</summary>
    public const int InterpolatedPhases = 2048;

    /// <summary>Taps per row are a multiple of this (the widest SIMD vector of floats), zero padded by widening.</summary>
    public const int TapAlignment = 16;

    public PolyphaseFilterBank(int inputRate, int outputRate, ResamplerQuality quality)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        quality.Validate();
        var gcd = Gcd(inputRate, outputRate);
        Up = outputRate / gcd;
        Down = inputRate / gcd;
        Interpolated = Up > MaxExactPhases;
        Phases = Interpolated ? InterpolatedPhases : Up;

        // Edges in cycles per input sample.
        var nyquist = Math.Min(inputRate, outputRate) / 2.0;
        var passband = quality.PassbandFraction * nyquist / inputRate;
        var stopband = nyquist / inputRate;
        Cutoff = (passband + stopband) / 2;
        var length = Windows.KaiserLength(quality.StopbandAttenuationDb, stopband - passband);
        Taps = ((length + TapAlignment - 1) / TapAlignment) * TapAlignment;
        Radius = Taps / 2;
        var beta = Windows.KaiserBeta(quality.StopbandAttenuationDb);

        // One extra row (phase = 1.0) so interpolation between the last row and the next sample needs no wrap.
        var rows = Phases + (Interpolated ? 1 : 0);
        Table = new float[rows * Taps];
        for (var p = 0; p < rows; p++)
        {
            var frac = (double)p / Phases;
            for (var i = 0; i < Taps; i++)
            {
                var j = i - Radius + 1;
                Table[(p * Taps) + i] = (float)Kernel(frac - j, Cutoff, Radius, beta);
            }
        }
    }

    /// <summary>L: output samples per <see cref="Down"/> input samples (ratio reduced by the gcd).</summary>
    public int Up { get; }

    /// <summary>M.</summary>
    public int Down { get; }

    public bool Interpolated { get; }

    public int Phases { get; }

    /// <summary>Taps per row (multiple of <see cref="TapAlignment"/>).</summary>
    public int Taps { get; }

    /// <summary>Half width of the kernel in input samples (Taps / 2).</summary>
    public int Radius { get; }

    /// <summary>-6 dB point of the low-pass in cycles per input sample.</summary>
    public double Cutoff { get; }

    /// <summary>Rows of <see cref="Taps"/> floats each.</summary>
    public float[] Table { get; }

    /// <summary>The continuous kernel: windowed sinc with unit DC gain, tau in input samples.</summary>
    internal static double Kernel(double tau, double cutoff, int radius, double beta)
    {
        var window = Windows.Kaiser(tau / radius, beta);
        if (window == 0)
        {
            return 0;
        }

        var x = 2 * cutoff * tau;
        var sinc = Math.Abs(x) < 1e-12 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);
        return 2 * cutoff * sinc * window;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
