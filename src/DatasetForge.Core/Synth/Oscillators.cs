using System.Buffers;

namespace DatasetForge.Synth;

internal enum Wave
{
    Saw,
    Square,
    Sine,
    Flute,
}

internal delegate void NoteSynth(Span<float> scratch);

/// <summary>Oscillators with vibrato, and gated note rendering with a release.</summary>
internal static class Oscillators
{
    private const int TableSize = 4096;
    private static readonly float[] SinTable = BuildTable();

    /// <summary>sin(2*pi*cycles) from a table with linear interpolation (error below 1e-6).</summary>
    public static float Sin(double cycles)
    {
        var x = (cycles - Math.Floor(cycles)) * TableSize;
        var i = (int)x;
        var f = (float)(x - i);
        return SinTable[i] + (f * (SinTable[i + 1] - SinTable[i]));
    }

    /// <summary>
    /// Adds a tone: frequency <paramref name="hz"/> with vibrato (rate Hz, depth in semitones, fading in after
    /// <paramref name="vibDelay"/> s), shaped by <paramref name="env"/> (one value per sample of <paramref name="dst"/>).
    /// </summary>
    public static void AddTone(Span<float> dst, ReadOnlySpan<float> env, double sampleRate, double hz, Wave wave, double vibRate = 0, double vibDepth = 0,
        double vibDelay = 0.2, double vibPhase = 0, double startPhase = 0)
    {
        const int control = 16; // vibrato is computed every 16 samples
        var phase = startPhase;
        var k = vibDepth * Math.Log(2) / 12;
        var vibStep = vibRate * control / sampleRate;
        var vibCycles = vibPhase;
        var fadeBlocks = Math.Max(1, vibDelay * sampleRate / control);
        var n = Math.Min(dst.Length, env.Length);
        var dt = hz / sampleRate;
        for (var start = 0; start < n; start += control)
        {
            if (k != 0)
            {
                var ramp = Math.Min(1.0, start / control / fadeBlocks);
                dt = hz * (1 + (k * ramp * Sin(vibCycles))) / sampleRate;
                vibCycles += vibStep;
            }

            var end = Math.Min(n, start + control);
            switch (wave)
            {
                case Wave.Saw:
                    for (var i = start; i < end; i++)
                    {
                        var v = (2 * phase) - 1 - SynthDsp.PolyBlep(phase, dt);
                        dst[i] += (float)(v * env[i]);
                        phase += dt;
                        if (phase >= 1)
                        {
                            phase -= 1;
                        }
                    }

                    break;
                case Wave.Square:
                    for (var i = start; i < end; i++)
                    {
                        var half = phase + 0.5;
                        var v = (phase < 0.5 ? 1 : -1) + SynthDsp.PolyBlep(phase, dt) - SynthDsp.PolyBlep(half >= 1 ? half - 1 : half, dt);
                        dst[i] += (float)(v * env[i]);
                        phase += dt;
                        if (phase >= 1)
                        {
                            phase -= 1;
                        }
                    }

                    break;
                case Wave.Sine:
                    for (var i = start; i < end; i++)
                    {
                        dst[i] += Sin(phase) * env[i];
                        phase += dt;
                        if (phase >= 1)
                        {
                            phase -= 1;
                        }
                    }

                    break;
                default:
                    for (var i = start; i < end; i++)
                    {
                        var v = Sin(phase) + (0.15f * Sin(2 * phase)) + (0.05f * Sin(3 * phase));
                        dst[i] += v * env[i];
                        phase += dt;
                        if (phase >= 1)
                        {
                            phase -= 1;
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>Adds a sine with a pitch glide: frequency = <paramref name="hz"/> * (1 + <paramref name="sweep"/> * exp(-t / <paramref name="sweepTau"/>)), amplitude decaying with <paramref name="tau"/>.</summary>
    public static void AddSweptSine(Span<float> dst, double sampleRate, double hz, double sweep, double sweepTau, double amplitude, double tau)
    {
        var phase = 0.0;
        var env = amplitude;
        var decay = Math.Exp(-1.0 / (tau * sampleRate));
        var s = sweep;
        var sweepDecay = Math.Exp(-1.0 / (sweepTau * sampleRate));
        var baseDt = hz / sampleRate;
        for (var i = 0; i < dst.Length; i++)
        {
            dst[i] += (float)(Sin(phase) * env);
            phase += baseDt * (1 + s);
            if (phase >= 1)
            {
                phase -= 1;
            }

            env *= decay;
            s *= sweepDecay;
        }
    }

    /// <summary>
    /// Renders a note into a scratch buffer, cuts it at the gate with an exponential release (time to -60 dB =
    /// <paramref name="release"/>), adds it to the part at <paramref name="start"/> and marks its activity.
    /// </summary>
    public static void AddGated(PartWriter w, double start, double gate, double release, double gain, NoteSynth synth, double naturalEnd = double.MaxValue)
    {
        var sr = w.SampleRate;
        var region = w.Region(start, gate + release);
        if (region.IsEmpty)
        {
            return;
        }

        var scratch = ArrayPool<float>.Shared.Rent(region.Length);
        try
        {
            var s = scratch.AsSpan(0, region.Length);
            s.Clear();
            synth(s);
            var g = (int)(gate * sr);
            var decay = Math.Exp(-6.9 / (Math.Max(release, 1e-3) * sr));
            var e = 1.0;
            for (var i = 0; i < s.Length; i++)
            {
                if (i >= g)
                {
                    e *= decay;
                }

                region[i] += (float)(s[i] * e * gain);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }

        w.Mark(start, Math.Min(start + gate + (release * 50 / 60), start + naturalEnd));
    }

    private static float[] BuildTable()
    {
        var t = new float[TableSize + 1];
        for (var i = 0; i <= TableSize; i++)
        {
            t[i] = (float)Math.Sin(2 * Math.PI * i / TableSize);
        }

        return t;
    }
}
