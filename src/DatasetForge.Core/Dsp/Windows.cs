namespace DatasetForge.Dsp;

/// <summary>Window functions and the Kaiser design formulas. Pure functions, double precision.</summary>
public static class Windows
{
    /// <summary>
    /// Hann window of <paramref name="length"/> points. Periodic (the DFT-even form used by STFTs:
    /// w[n] = 0.5 - 0.5 cos(2 pi n / N)) or symmetric (divides by N - 1).
    /// </summary>
    public static double[] Hann(int length, bool periodic = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var w = new double[length];
        if (length == 1)
        {
            w[0] = 1;
            return w;
        }

        var denominator = periodic ? length : length - 1;
        for (var n = 0; n < length; n++)
        {
            w[n] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / denominator));
        }

        return w;
    }

    /// <summary>Kaiser window value at <paramref name="u"/> in [-1, 1] (0 outside), shape <paramref name="beta"/>.</summary>
    public static double Kaiser(double u, double beta)
    {
        if (u is < -1 or > 1)
        {
            return 0;
        }

        return BesselI0(beta * Math.Sqrt(1 - (u * u))) / BesselI0(beta);
    }

    /// <summary>Kaiser's beta for a stopband attenuation in dB (Kaiser 1974, as in Oppenheim and Schafer).</summary>
    public static double KaiserBeta(double attenuationDb) => attenuationDb switch
    {
        > 50 => 0.1102 * (attenuationDb - 8.7),
        >= 21 => (0.5842 * Math.Pow(attenuationDb - 21, 0.4)) + (0.07886 * (attenuationDb - 21)),
        _ => 0,
    };

    /// <summary>
    /// Kaiser's estimate of the filter length (taps) that reaches <paramref name="attenuationDb"/> with a transition
    /// band <paramref name="transitionWidth"/> wide, in cycles per sample (0..0.5).
    /// </summary>
    public static int KaiserLength(double attenuationDb, double transitionWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(transitionWidth);
        return (int)Math.Ceiling(((attenuationDb - 7.95) / (14.36 * transitionWidth)) + 1);
    }

    /// <summary>Modified Bessel function of the first kind, order 0 (power series; converges for all x we use).</summary>
    public static double BesselI0(double x)
    {
        var sum = 1.0;
        var term = 1.0;
        var half = x / 2;
        for (var k = 1; k < 500; k++)
        {
            term *= half / k;
            var squared = term * term;
            sum += squared;
            if (squared < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }
}
