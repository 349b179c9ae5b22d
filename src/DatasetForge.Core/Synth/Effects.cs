using DatasetForge.Dsp;

namespace DatasetForge.Synth;

/// <summary>Sound effects (risers, impacts, reverse cymbals, zaps) at section changes, and a click track.</summary>
internal static class Effects
{
    public static void RenderSfx(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        var bus = new float[w.Audio.Length];
        // One effect at every section change (a song of one section gets an impact on its first downbeat).
        for (var s = ctx.Sections.Count == 1 ? 0 : 1; s < ctx.Sections.Count; s++)
        {
            if (!w.Request.IsActive(s) && !w.Request.IsActive(Math.Max(0, s - 1)))
            {
                continue;
            }

            var at = ctx.Sections[s].Start;
            var kind = s == 0 ? 1 : w.Composition.Next(4);
            var vel = w.Performance.Uniform(0.7, 1.0);
            switch (kind)
            {
                case 0:
                    {
                        // Noise riser into the section: a resonant band sweeping up over one bar.
                        var len = Math.Min(ctx.BarSeconds, 2.5);
                        var start = at - len;
                        var region = w.Region(start, len);
                        var res = new Resonator();
                        for (var i = 0; i < region.Length; i++)
                        {
                            var x = (double)i / region.Length;
                            if ((i & 31) == 0)
                            {
                                res.Set(sr, 300 * Math.Pow(20, x), 200 + (800 * x));
                            }

                            region[i] += (float)(res.Process(w.Noise.Next()) * x * x * vel);
                        }

                        w.Mark(start + (len * 0.05), at);
                        break;
                    }

                case 1:
                    {
                        // Impact: sub boom and a noise crack on the downbeat.
                        var region = w.Region(at, 2.0);
                        SynthDsp.AddDampedSine(region, sr, 45, vel, 0.35);
                        Drums.AddNoiseBurst(bus.AsSpan(w.Frame(at), region.Length), sr, 0.5 * vel, 0.001, 0.08, ref w.Noise);
                        w.Mark(at, at + (0.35 * 50 / 8.69));
                        break;
                    }

                case 2:
                    {
                        // Reverse cymbal swelling into the section.
                        var len = Math.Min(1.5, ctx.BarSeconds);
                        var start = at - len;
                        var region = w.Region(start, len);
                        var n = region.Length;
                        var tmp = new float[n];
                        Drums.AddNoiseBurst(tmp, sr, vel, 0.001, len / 3, ref w.Noise);
                        SynthDsp.Filter(tmp, Biquad.HighPass(sr, 3000));
                        for (var i = 0; i < n; i++)
                        {
                            region[i] += tmp[n - 1 - i];
                        }

                        w.Mark(start, at);
                        break;
                    }

                default:
                    {
                        // Zap: a fast downward sine sweep.
                        var region = w.Region(at, 0.4);
                        double phase = 0;
                        for (var i = 0; i < region.Length; i++)
                        {
                            var time = (double)i / sr;
                            phase += 2000 * Math.Exp(-time / 0.08) / sr;
                            region[i] += (float)(vel * Oscillators.Sin(phase) * Math.Exp(-time / 0.1));
                        }

                        w.Mark(at, at + (0.1 * 50 / 8.69));
                        break;
                    }
            }
        }

        SynthDsp.AddInto(w.Audio, bus, 1f);
    }

    /// <summary>Metronome: a short blip on every beat from the count-in to the end of the music (accent on the downbeat).</summary>
    public static void RenderClick(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        var beats = ctx.Bars * 4;
        for (var b = -4; b < beats; b++)
        {
            var t = ctx.TimeOf(0, b);
            if (t < 0)
            {
                continue;
            }

            var region = w.Region(t, 0.03);
            SynthDsp.AddDampedSine(region, sr, b % 4 == 0 ? 2000 : 1500, 0.8, 0.006);
            w.Mark(t, t + 0.03);
        }
    }
}
