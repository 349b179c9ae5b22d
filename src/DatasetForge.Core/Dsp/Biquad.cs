namespace DatasetForge.Dsp;

/// <summary>
/// Second-order IIR section (transposed direct form II, double-precision state), with RBJ-cookbook designs.
/// Stateful: one instance per channel; <see cref="Reset"/> to reuse. Coefficients are normalized (a0 = 1).
/// </summary>
public sealed class Biquad
{
    private double z1;
    private double z2;

    public Biquad(double b0, double b1, double b2, double a1, double a2)
    {
        B0 = b0;
        B1 = b1;
        B2 = b2;
        A1 = a1;
        A2 = a2;
    }

    public double B0 { get; }

    public double B1 { get; }

    public double B2 { get; }

    public double A1 { get; }

    public double A2 { get; }

    public static Biquad LowPass(double sampleRate, double frequency, double q = 0.7071067811865476)
    {
        var (cos, alpha) = Prewarp(sampleRate, frequency, q);
        var a0 = 1 + alpha;
        return new Biquad((1 - cos) / 2 / a0, (1 - cos) / a0, (1 - cos) / 2 / a0, -2 * cos / a0, (1 - alpha) / a0);
    }

    public static Biquad HighPass(double sampleRate, double frequency, double q = 0.7071067811865476)
    {
        var (cos, alpha) = Prewarp(sampleRate, frequency, q);
        var a0 = 1 + alpha;
        return new Biquad((1 + cos) / 2 / a0, -(1 + cos) / a0, (1 + cos) / 2 / a0, -2 * cos / a0, (1 - alpha) / a0);
    }

    public static Biquad BandPass(double sampleRate, double frequency, double q)
    {
        var (cos, alpha) = Prewarp(sampleRate, frequency, q);
        var a0 = 1 + alpha;
        return new Biquad(alpha / a0, 0, -alpha / a0, -2 * cos / a0, (1 - alpha) / a0);
    }

    public static Biquad Peaking(double sampleRate, double frequency, double q, double gainDb)
    {
        var a = Math.Pow(10, gainDb / 40);
        var (cos, alpha) = Prewarp(sampleRate, frequency, q);
        var a0 = 1 + (alpha / a);
        return new Biquad((1 + (alpha * a)) / a0, -2 * cos / a0, (1 - (alpha * a)) / a0, -2 * cos / a0, (1 - (alpha / a)) / a0);
    }

    public static Biquad HighShelf(double sampleRate, double frequency, double q, double gainDb)
    {
        var a = Math.Pow(10, gainDb / 40);
        var (cos, alpha) = Prewarp(sampleRate, frequency, q);
        var sq = 2 * Math.Sqrt(a) * alpha;
        var a0 = (a + 1) - ((a - 1) * cos) + sq;
        return new Biquad(
            a * ((a + 1) + ((a - 1) * cos) + sq) / a0,
            -2 * a * ((a - 1) + ((a + 1) * cos)) / a0,
            a * ((a + 1) + ((a - 1) * cos) - sq) / a0,
            2 * ((a - 1) - ((a + 1) * cos)) / a0,
            ((a + 1) - ((a - 1) * cos) - sq) / a0);
    }

    /// <summary>A fresh filter with the same coefficients and zero state (for another channel).</summary>
    public Biquad Clone() => new(B0, B1, B2, A1, A2);

    public void Reset()
    {
        z1 = 0;
        z2 = 0;
    }

    public double Process(double x)
    {
        var y = (B0 * x) + z1;
        z1 = (B1 * x) - (A1 * y) + z2;
        z2 = (B2 * x) - (A2 * y);
        return y;
    }

    /// <summary>Filters in place.</summary>
    public void Process(Span<float> samples)
    {
        double s1 = z1, s2 = z2;
        for (var i = 0; i < samples.Length; i++)
        {
            double x = samples[i];
            var y = (B0 * x) + s1;
            s1 = (B1 * x) - (A1 * y) + s2;
            s2 = (B2 * x) - (A2 * y);
            samples[i] = (float)y;
        }

        z1 = s1;
        z2 = s2;
    }

    /// <summary>Magnitude response at <paramref name="frequency"/> Hz, for tests and plots.</summary>
    public double MagnitudeAt(double sampleRate, double frequency)
    {
        var w = 2 * Math.PI * frequency / sampleRate;
        var z1r = Math.Cos(-w);
        var z1i = Math.Sin(-w);
        var z2r = Math.Cos(-2 * w);
        var z2i = Math.Sin(-2 * w);
        var nr = B0 + (B1 * z1r) + (B2 * z2r);
        var ni = (B1 * z1i) + (B2 * z2i);
        var dr = 1 + (A1 * z1r) + (A2 * z2r);
        var di = (A1 * z1i) + (A2 * z2i);
        return Math.Sqrt(((nr * nr) + (ni * ni)) / ((dr * dr) + (di * di)));
    }

    private static (double Cos, double Alpha) Prewarp(double sampleRate, double frequency, double q)
    {
        if (frequency <= 0 || frequency >= sampleRate / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(frequency), $"{frequency} Hz is outside (0, {sampleRate / 2}) Hz.");
        }

        var w0 = 2 * Math.PI * frequency / sampleRate;
        return (Math.Cos(w0), Math.Sin(w0) / (2 * q));
    }
}
