using DatasetForge.Dsp;

namespace DatasetForge.Synth;

/// <summary>Fast seeded white noise (xorshift32): the generators draw millions of samples, System.Random is too slow.</summary>
internal struct NoiseSource
{
    private uint state;

    public NoiseSource(int seed) => state = (uint)seed * 2654435761u | 1u;

    public NoiseSource(Random rng)
        : this(rng.Next())
    {
    }

    /// <summary>Uniform in [-1, 1).</summary>
    public float Next()
    {
        var x = state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        state = x;
        return (x * (1.0f / 2147483648.0f)) - 1.0f;
    }
}

/// <summary>
/// Time-varying two-pole resonator (unity gain at its centre), for formants and filter sweeps whose centre moves while
/// they ring; <see cref="Biquad"/> would reset its state on every coefficient change.
/// </summary>
internal sealed class Resonator
{
    private double y1;
    private double y2;
    private double a1;
    private double a2;
    private double gain;

    public void Set(double sampleRate, double frequency, double bandwidth)
    {
        frequency = Math.Clamp(frequency, 20, (sampleRate / 2) - 100);
        var r = Math.Exp(-Math.PI * bandwidth / sampleRate);
        var w = 2 * Math.PI * frequency / sampleRate;
        a1 = -2 * r * Math.Cos(w);
        a2 = r * r;

        // Unity gain at the centre frequency, whatever the frequency and bandwidth.
        gain = (1 - r) * Math.Sqrt(1 - (2 * r * Math.Cos(2 * w)) + (r * r));
    }

    public double Process(double x)
    {
        var y = (gain * x) - (a1 * y1) - (a2 * y2);
        y2 = y1;
        y1 = y;
        return y;
    }
}

/// <summary>Small pure DSP building blocks for the instrument synthesizers. Buffers are mono float at full scale 1.0.</summary>
internal static class SynthDsp
{
    public const double TwoPi = 2 * Math.PI;

    /// <summary>Adds an exponentially decaying sine (exact two-pole recursion, no per-sample trig).</summary>
    public static void AddDampedSine(Span<float> dst, double sampleRate, double frequency, double amplitude, double tau, double phase = 0)
    {
        if (frequency <= 0 || frequency >= sampleRate / 2)
        {
            return;
        }

        var w = TwoPi * frequency / sampleRate;
        var r = tau > 0 ? Math.Exp(-1.0 / (tau * sampleRate)) : 1.0;
        var c = 2 * r * Math.Cos(w);
        var r2 = r * r;
        double y2 = amplitude * Math.Sin(phase - w) / r;
        double y1 = amplitude * Math.Sin(phase);
        for (var i = 0; i < dst.Length; i++)
        {
            dst[i] += (float)y1;
            var y = (c * y1) - (r2 * y2);
            y2 = y1;
            y1 = y;
        }
    }

    /// <summary>Samples for an exponential decay with time constant <paramref name="tau"/> to fall by <paramref name="db"/> dB.</summary>
    public static int DecayLength(double sampleRate, double tau, double db = 60) => (int)Math.Ceiling(tau * sampleRate * db / 8.685889638);

    /// <summary>PolyBLEP correction for a naive sawtooth/square at phase t (0..1) with increment dt.</summary>
    public static double PolyBlep(double t, double dt)
    {
        if (t < dt)
        {
            t /= dt;
            return t + t - (t * t) - 1;
        }

        if (t > 1 - dt)
        {
            t = (t - 1) / dt;
            return (t * t) + t + t + 1;
        }

        return 0;
    }

    /// <summary>
    /// Karplus-Strong plucked string into <paramref name="dst"/>: a noise burst circulating in a delay line of one
    /// period with an averaging low-pass in the loop. <paramref name="t60"/> sets how long the string rings;
    /// <paramref name="brightness"/> (0..1) shapes the excitation.
    /// </summary>
    public static void AddPluck(Span<float> dst, double sampleRate, double frequency, double amplitude, double t60, double brightness, ref NoiseSource noise)
    {
        // Loop delay = line length + 0.5 (two-point average) + d (all-pass), d kept in [0.1, 1.1) for stability.
        var period = sampleRate / frequency;
        var n = Math.Max(2, (int)Math.Floor(period - 0.6));
        var frac = period - 0.5 - n;
        var line = new double[n];
        double lp = 0;
        for (var i = 0; i < line.Length; i++)
        {
            lp += brightness * (noise.Next() - lp);
            line[i] = lp;
        }

        // Loop gain so the string decays by 60 dB in t60 seconds (the averaging filter adds its own loss).
        var loop = Math.Pow(10, -3.0 / (t60 * frequency));
        var idx = 0;
        double prev = 0;
        var len = line.Length;
        var allpass = (1 - frac) / (1 + frac);
        double apState = 0;
        for (var i = 0; i < dst.Length; i++)
        {
            var x = line[idx];
            var avg = 0.5 * (x + prev);
            prev = x;

            // First-order all-pass for the fractional part of the period (tuning).
            var ap = (allpass * avg) + apState;
            apState = avg - (allpass * ap);
            line[idx] = ap * loop;
            dst[i] += (float)(amplitude * x);
            idx++;
            if (idx >= len)
            {
                idx = 0;
            }
        }
    }

    /// <summary>Band-limited sawtooth (PolyBLEP) with a per-sample frequency, added with an envelope.</summary>
    public static double AddSaw(Span<float> dst, ReadOnlySpan<float> frequency, ReadOnlySpan<float> envelope, double sampleRate, double phase)
    {
        for (var i = 0; i < dst.Length; i++)
        {
            var dt = frequency[i] / sampleRate;
            var v = (2 * phase) - 1 - PolyBlep(phase, dt);
            dst[i] += (float)(v * envelope[i]);
            phase += dt;
            if (phase >= 1)
            {
                phase -= 1;
            }
        }

        return phase;
    }

    /// <summary>Attack-decay-sustain-release envelope of <paramref name="length"/> samples; the release starts at <paramref name="gateSamples"/>.</summary>
    public static float[] Adsr(int length, int gateSamples, double sampleRate, double attack, double decay, double sustain, double release)
    {
        var env = new float[length];
        var a = Math.Max(1, (int)(attack * sampleRate));
        var d = Math.Max(1, (int)(decay * sampleRate));
        var relTau = Math.Max(1e-3, release / 6.9) * sampleRate;
        double level = 0;
        double atGate = 0;
        for (var i = 0; i < length; i++)
        {
            if (i < gateSamples)
            {
                level = i < a ? (double)i / a : (i < a + d ? 1 - ((1 - sustain) * (i - a) / d) : sustain);
                atGate = level;
            }
            else
            {
                level = atGate * Math.Exp(-(i - gateSamples) / relTau);
            }

            env[i] = (float)level;
        }

        return env;
    }

    public static void Scale(Span<float> x, float gain)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= gain;
        }
    }

    public static void AddInto(Span<float> dst, ReadOnlySpan<float> src, float gain, int offset = 0)
    {
        // offset > 0 delays src; offset < 0 advances it.
        for (var i = Math.Max(0, offset); i < dst.Length; i++)
        {
            var j = i - offset;
            if (j >= src.Length)
            {
                break;
            }

            dst[i] += src[j] * gain;
        }
    }

    public static float[] Delayed(ReadOnlySpan<float> x, int samples)
    {
        var y = new float[x.Length];
        AddInto(y, x, 1f, samples);
        return y;
    }

    public static void Filter(Span<float> x, Biquad design) => design.Clone().Process(x);

    /// <summary>Zero-phase filtering (forward, then backward): no delay, magnitude squared.</summary>
    public static void FiltFilt(Span<float> x, Biquad design)
    {
        design.Clone().Process(x);
        x.Reverse();
        design.Clone().Process(x);
        x.Reverse();
    }

    public static void Saturate(Span<float> x, double drive)
    {
        var norm = 1.0 / Math.Tanh(drive);
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)(Math.Tanh(drive * x[i]) * norm);
        }
    }

    /// <summary>Schroeder reverb (4 parallel combs, 2 series all-passes), wet signal only, mono.</summary>
    public static float[] Reverb(ReadOnlySpan<float> x, double sampleRate, double t60, double predelaySeconds)
    {
        double[] combMs = [29.7, 37.1, 41.1, 43.7];
        double[] allpassMs = [5.0, 1.7];
        var y = new float[x.Length];
        var pre = (int)(predelaySeconds * sampleRate);
        foreach (var ms in combMs)
        {
            var n = Math.Max(1, (int)(ms * sampleRate / 1000));
            var g = Math.Pow(10, -3.0 * ms / 1000 / t60);
            var line = new float[n];
            var idx = 0;
            for (var i = 0; i < x.Length; i++)
            {
                var input = i - pre >= 0 ? x[i - pre] : 0f;
                var outV = line[idx];
                line[idx] = (float)(input + (g * outV));
                y[i] += outV * 0.25f;
                if (++idx >= n)
                {
                    idx = 0;
                }
            }
        }

        foreach (var ms in allpassMs)
        {
            var n = Math.Max(1, (int)(ms * sampleRate / 1000));
            const float g = 0.7f;
            var line = new float[n];
            var idx = 0;
            for (var i = 0; i < y.Length; i++)
            {
                var buf = line[idx];
                var input = y[i];
                var v = input + (g * buf);
                line[idx] = v;
                y[i] = buf - (g * v);
                if (++idx >= n)
                {
                    idx = 0;
                }
            }
        }

        return y;
    }

    public static float[] MonoOf(float[][] channels)
    {
        if (channels.Length == 1)
        {
            return channels[0];
        }

        var y = new float[channels[0].Length];
        var g = 1f / channels.Length;
        foreach (var c in channels)
        {
            for (var i = 0; i < y.Length; i++)
            {
                y[i] += c[i] * g;
            }
        }

        return y;
    }

    public static double Rms(float[][] channels)
    {
        double sum = 0;
        long n = 0;
        foreach (var c in channels)
        {
            sum += Levels.SumOfSquares(c);
            n += c.Length;
        }

        return n == 0 ? 0 : Math.Sqrt(sum / n);
    }

    public static float Peak(float[][] channels) => channels.Max(c => Levels.SamplePeak(c));
}
