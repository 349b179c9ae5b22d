using DatasetForge.Dsp;

namespace DatasetForge.Synth;

internal enum KitPiece
{
    Kick,
    Snare,
    HiHat,
    Ride,
    Crash,
    Tom,
}

internal readonly record struct DrumHit(KitPiece Piece, int Tom, double Time, double Velocity, bool Open);

/// <summary>Drum kit pieces (one shared groove per song), drum loops and hand percussion.</summary>
internal static class Drums
{
    private sealed record Pattern(string Kick, string Snare, string Hat, string Ride, double Swing, bool RideEverywhere);

    private static readonly Dictionary<GrooveStyle, Pattern[]> Patterns = new()
    {
        [GrooveStyle.Rock] = [new("x.....x.x.......", "....x.......x...", "x.x.x.x.x.x.x.x.", "x.x.x.x.x.x.x.x.", 0, false),
            new("x.......x.x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", "x...x...x...x...", 0, false)],
        [GrooveStyle.Pop] = [new("x.......x.x.....", "....x.......x..g", "x.x.x.x.x.x.x.x.", "x.x.x.x.x.x.x.x.", 0, false),
            new("x..x....x.......", "....x.......x...", "xxxxxxxxxxxxxxxx", "x.x.x.x.x.x.x.x.", 0, false)],
        [GrooveStyle.FourOnFloor] = [new("x...x...x...x...", "....x.......x...", "..o...o...o...o.", "x.x.x.x.x.x.x.x.", 0, false)],
        [GrooveStyle.HalfTime] = [new("x.........x.....", "........x.......", "x.x.x.x.x.x.x.x.", "x...x...x...x...", 0, false)],
        [GrooveStyle.Funk] = [new("x..x..x...x..x..", "....x..g.g..x..g", "xxxxxxxxxxxxxxxx", "x.x.x.x.x.x.x.x.", 0.04, false)],
        [GrooveStyle.Jazz] = [new("x.......x.......", "......g.....g...", "....x.......x...", "x...x.x.x...x.x.", 0.16, true)],
        [GrooveStyle.HipHop] = [new("x......x..x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", "x.x.x.x.x.x.x.x.", 0.08, false)],
    };

    /// <summary>The song's groove, from the composition seed alone, so every kit piece of a song plays the same one.</summary>
    public static List<DrumHit> Groove(MusicalContext ctx, PartRequest request)
    {
        var rng = new Random(request.CompositionSeed ^ 0x2a17);
        var pattern = rng.Pick(Patterns[request.Groove]);
        // Sections where the ride replaces the hi-hat: every one (jazz), the choruses, or else the bridge/outro;
        // at least one active section, so a ride track is never empty.
        var rideInChorus = rng.Chance(0.5);
        var active = Enumerable.Range(0, ctx.Sections.Count).Where(request.IsActive).ToList();
        var rideSections = active.Where(i => pattern.RideEverywhere || (rideInChorus ? ctx.Sections[i].Kind == SectionKind.Chorus
            : ctx.Sections[i].Kind is SectionKind.Bridge or SectionKind.Outro)).ToHashSet();
        if (rideSections.Count == 0 && active.Count > 0)
        {
            rideSections.Add(active[^1]);
        }

        var lastActiveBar = active.Count == 0 ? -1 : ctx.Sections[active[^1]].StartBar + ctx.Sections[active[^1]].Bars - 1;
        var anyFill = false;
        var hits = new List<DrumHit>();
        var step = ctx.BeatSeconds / 4;
        var previousActive = false;
        for (var bar = 0; bar < ctx.Bars; bar++)
        {
            var sectionIndex = IndexOfSection(ctx, bar);
            var section = ctx.Sections[sectionIndex];
            var nextStartsSection = bar + 1 < ctx.Bars && ctx.SectionOfBar(bar + 1).StartBar == bar + 1;
            var fillRoll = rng.NextDouble();
            var barActive = request.IsActive(sectionIndex);

            // Fills lead into a new section (and now and then end a 4-bar phrase); the last bar always has one if none came before, so toms always play.
            var fill = barActive && ((nextStartsSection ? fillRoll < 0.8 : (bar % 4 == 3 && fillRoll < 0.3)) || (bar == lastActiveBar && !anyFill));
            anyFill |= fill;
            var crash = barActive && (section.StartBar == bar) && (section.Kind is SectionKind.Chorus or SectionKind.Outro || !previousActive);
            var useRide = rideSections.Contains(sectionIndex);
            var extraKick = rng.Chance(0.15) ? rng.Next(16) : -1;
            previousActive = barActive;
            if (!barActive)
            {
                continue;
            }

            for (var s = 0; s < 16; s++)
            {
                var t = ctx.TimeOf(bar, s / 4.0) + (s % 4 == 2 ? pattern.Swing * ctx.BeatSeconds : 0);
                var inFill = fill && s >= 12;
                if (inFill)
                {
                    if (request.Toms > 0)
                    {
                        var tom = s < 14 ? 1 : (s == 14 ? Math.Min(2, request.Toms) : request.Toms);
                        hits.Add(new DrumHit(KitPiece.Tom, tom, t, 0.85 + (0.1 * rng.NextDouble()), false));
                    }
                    else
                    {
                        hits.Add(new DrumHit(KitPiece.Snare, 0, t, 0.6 + (0.1 * s / 16.0), false));
                    }
                }

                if (pattern.Kick[s] == 'x' || s == extraKick)
                {
                    hits.Add(new DrumHit(KitPiece.Kick, 0, t, s == extraKick ? 0.7 : 1.0, false));
                }

                if (!inFill && pattern.Snare[s] != '.')
                {
                    hits.Add(new DrumHit(KitPiece.Snare, 0, t, pattern.Snare[s] == 'g' ? 0.25 : 1.0, false));
                }

                if (crash && s == 0)
                {
                    hits.Add(new DrumHit(KitPiece.Crash, 0, t, 1.0, false));
                    continue;
                }

                if (inFill)
                {
                    continue;
                }

                var cymbal = useRide ? pattern.Ride : pattern.Hat;
                if (cymbal[s] != '.')
                {
                    hits.Add(new DrumHit(useRide ? KitPiece.Ride : KitPiece.HiHat, 0, t, s % 4 == 0 ? 1.0 : 0.7, cymbal[s] == 'o'));
                }

                if (useRide && (pattern.RideEverywhere ? pattern.Hat[s] != '.' : s is 4 or 12))
                {
                    // Hi-hat pedal under the ride.
                    hits.Add(new DrumHit(KitPiece.HiHat, 0, t, 0.6, false));
                }
            }
        }

        return hits;
    }

    public static void RenderKitPiece(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        var kind = w.Request.Kind;
        var piece = kind switch
        {
            InstrumentKind.Kick or InstrumentKind.KickTrigger => KitPiece.Kick,
            InstrumentKind.Snare => KitPiece.Snare,
            InstrumentKind.HiHat => KitPiece.HiHat,
            InstrumentKind.Ride => KitPiece.Ride,
            InstrumentKind.Crash => KitPiece.Crash,
            _ => KitPiece.Tom,
        };

        // Kit tuning belongs to the song (composition), not to the take.
        var tune = new Random(w.Request.CompositionSeed ^ 0x7717);
        var kickLow = tune.Uniform(46, 60);
        var kickHigh = tune.Uniform(130, 200);
        var snareTone = tune.Uniform(180, 235);
        var tomBase = tune.Uniform(85, 105);
        var noiseBus = new float[w.Audio.Length];
        foreach (var hit in Groove(ctx, w.Request))
        {
            if (hit.Piece != piece || (piece == KitPiece.Tom && hit.Tom != Math.Max(1, w.Request.Voice)))
            {
                continue;
            }

            var t = hit.Time + w.Jitter();
            var vel = hit.Velocity * w.Performance.Uniform(0.85, 1.0);
            var start = w.Frame(t);
            if (start >= w.Audio.Length)
            {
                continue;
            }

            switch (kind)
            {
                case InstrumentKind.Kick:
                    {
                        const double tau = 0.13;
                        var dst = w.Region(t, tau * 7);
                        Oscillators.AddSweptSine(dst, sr, kickLow, (kickHigh - kickLow) / kickLow, 0.035, vel, tau);
                        AddNoiseBurst(dst[..Math.Min(dst.Length, (int)(0.004 * sr))], sr, 0.3 * vel, 0.0002, 0.0015, ref w.Noise);
                        w.Mark(t, t + (tau * 50 / 8.69));
                        break;
                    }

                case InstrumentKind.KickTrigger:
                    {
                        var dst = w.Region(t, 0.002);
                        dst.Fill(0.9f);
                        w.Mark(t, t + 0.002);
                        break;
                    }

                case InstrumentKind.Snare:
                    {
                        var dst = w.Region(t, 0.6);
                        SynthDsp.AddDampedSine(dst, sr, snareTone, 0.5 * vel, 0.05);
                        SynthDsp.AddDampedSine(dst, sr, snareTone * 1.6, 0.25 * vel, 0.035);
                        AddNoiseBurst(noiseBus.AsSpan(start, dst.Length), sr, vel, 0.001, 0.11, ref w.Noise);
                        w.Mark(t, t + (0.11 * 50 / 8.69));
                        break;
                    }

                case InstrumentKind.HiHat:
                    {
                        var tau = hit.Open ? 0.25 : 0.03;
                        var dst = w.Region(t, tau * 8);
                        AddNoiseBurst(noiseBus.AsSpan(start, dst.Length), sr, vel, 0.0005, tau, ref w.Noise);
                        w.Mark(t, t + (tau * 50 / 8.69));
                        break;
                    }

                case InstrumentKind.Ride:
                    {
                        var dst = w.Region(t, 3.0);
                        double[] ratios = [1, 1.47, 2.09, 2.56, 3.12, 3.81];
                        foreach (var r in ratios)
                        {
                            SynthDsp.AddDampedSine(dst, sr, 430 * r, 0.05 * vel, 0.45 / Math.Sqrt(r), r);
                        }

                        AddNoiseBurst(noiseBus.AsSpan(start, dst.Length), sr, 0.6 * vel, 0.001, 0.4, ref w.Noise);
                        w.Mark(t, t + (0.45 * 50 / 8.69));
                        break;
                    }

                case InstrumentKind.Crash:
                    {
                        var dst = w.Region(t, 4.5);
                        AddNoiseBurst(noiseBus.AsSpan(start, dst.Length), sr, vel, 0.002, 0.6, ref w.Noise);
                        w.Mark(t, t + (0.6 * 50 / 8.69));
                        break;
                    }

                default:
                    {
                        var f0 = tomBase * Math.Pow(1.35, Math.Max(0, 3 - hit.Tom));
                        const double tau = 0.22;
                        var dst = w.Region(t, tau * 7);
                        Oscillators.AddSweptSine(dst, sr, f0, 0.5, 0.04, vel, tau);
                        AddNoiseBurst(noiseBus.AsSpan(start, Math.Min(dst.Length, sr / 10)), sr, 0.2 * vel, 0.0005, 0.01, ref w.Noise);
                        w.Mark(t, t + (tau * 50 / 8.69));
                        break;
                    }
            }
        }

        switch (kind)
        {
            case InstrumentKind.Snare:
                SynthDsp.Filter(noiseBus, Biquad.HighPass(sr, 900));
                SynthDsp.Filter(noiseBus, Biquad.Peaking(sr, 4000, 1, 4));
                break;
            case InstrumentKind.HiHat:
                SynthDsp.Filter(noiseBus, Biquad.HighPass(sr, 6500));
                SynthDsp.Filter(noiseBus, Biquad.HighPass(sr, 6500));
                SynthDsp.Filter(noiseBus, Biquad.Peaking(sr, Math.Min(10000, sr * 0.4), 1.2, 6));
                break;
            case InstrumentKind.Ride:
                SynthDsp.Filter(noiseBus, Biquad.BandPass(sr, 6000, 0.8));
                break;
            case InstrumentKind.Crash:
                SynthDsp.Filter(noiseBus, Biquad.HighPass(sr, 3500));
                break;
            case InstrumentKind.Tom:
                SynthDsp.Filter(noiseBus, Biquad.BandPass(sr, 2500, 1));
                break;
        }

        SynthDsp.AddInto(w.Audio, noiseBus, 1f);
    }

    /// <summary>A drum loop: its own four-on-the-floor or hip-hop groove, summed, squashed and band-limited.</summary>
    public static void RenderLoop(PartWriter w)
    {
        var ctx = w.Context;
        var style = w.Composition.Chance(0.5) ? GrooveStyle.FourOnFloor : GrooveStyle.HipHop;
        (InstrumentKind Kind, float Gain)[] pieces = [(InstrumentKind.Kick, 1f), (InstrumentKind.Snare, 0.7f), (InstrumentKind.HiHat, 0.35f)];
        foreach (var (kind, gain) in pieces)
        {
            var request = w.Request with
            {
                Kind = kind,
                Groove = style,
                Toms = 0,
                CompositionSeed = w.Request.CompositionSeed ^ 0x100F,
                PerformanceSeed = SynthSeed.Derive(w.Request.PerformanceSeed, kind.ToString()),
                TimingJitterMs = 0,
            };
            var part = InstrumentSynth.Render(ctx, request);
            SynthDsp.AddInto(w.Audio, part.Audio, gain);
            foreach (var span in part.Activity)
            {
                w.Mark(span.Start, span.End);
            }
        }

        SynthDsp.Saturate(w.Audio, 2.5);
        SynthDsp.Filter(w.Audio, Biquad.HighPass(ctx.SampleRate, 50));
        SynthDsp.Filter(w.Audio, Biquad.LowPass(ctx.SampleRate, 7000));
    }

    public static void RenderPercussion(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        var kind = w.Request.Kind;
        var bus = new float[w.Audio.Length];
        string pattern = kind switch
        {
            InstrumentKind.Shaker => "xaxaxaxaxaxaxaxa",
            InstrumentKind.Tambourine => w.Composition.Pick(["x.x.x.x.x.x.x.x.", "....x.......x...", "xxaxxxaxxxaxxxax"]),
            InstrumentKind.Conga => w.Composition.Pick(["..x.o..x..x.oo..", "x.o.x.oox.o.x.oo"]),
            InstrumentKind.Bongo => "x.x.xxo.x.x.xxo.",
            _ => w.Composition.Pick(["....x.......x...", "....x.......x..x"]),
        };
        var swing = w.Request.Groove == GrooveStyle.Jazz ? 0.16 : (w.Request.Groove == GrooveStyle.HipHop ? 0.08 : 0);
        foreach (var bar in w.ActiveBars())
        {
            for (var s = 0; s < 16; s++)
            {
                var c = pattern[s];
                if (c == '.')
                {
                    continue;
                }

                var t = ctx.TimeOf(bar, s / 4.0) + (s % 4 == 2 ? swing * ctx.BeatSeconds : 0) + w.Jitter();
                var vel = (c == 'a' ? 1.0 : 0.7) * w.Performance.Uniform(0.8, 1.0);
                var start = w.Frame(t);
                if (start >= bus.Length)
                {
                    continue;
                }

                switch (kind)
                {
                    case InstrumentKind.Shaker:
                        AddNoiseBurst(bus.AsSpan(start, w.Region(t, 0.4).Length), sr, vel, 0.012, 0.035, ref w.Noise);
                        w.Mark(t, t + 0.25);
                        break;
                    case InstrumentKind.Tambourine:
                        {
                            var dst = w.Region(t, 0.8);
                            AddNoiseBurst(bus.AsSpan(start, dst.Length), sr, vel, 0.002, 0.09, ref w.Noise);
                            foreach (var f in new[] { 5300.0, 6900, 8200 })
                            {
                                SynthDsp.AddDampedSine(dst, sr, f, 0.08 * vel, 0.08, f);
                            }

                            w.Mark(t, t + (0.09 * 50 / 8.69));
                            break;
                        }

                    case InstrumentKind.Conga:
                    case InstrumentKind.Bongo:
                        {
                            var high = c == 'o' || s % 2 == 1;
                            var f0 = kind == InstrumentKind.Conga ? (high ? 290.0 : 200.0) : (high ? 560.0 : 410.0);
                            var tau = kind == InstrumentKind.Conga ? (c == 'o' ? 0.2 : 0.12) : 0.07;
                            var dst = w.Region(t, tau * 7);
                            Oscillators.AddSweptSine(dst, sr, f0, 0.15, 0.02, vel, tau);

                            AddNoiseBurst(bus.AsSpan(start, dst.Length), sr, 0.3 * vel, 0.0005, 0.008, ref w.Noise);
                            w.Mark(t, t + (tau * 50 / 8.69));
                            break;
                        }

                    default:
                        {
                            var dst = w.Region(t, 0.5);
                            for (var k = 0; k < 4; k++)
                            {
                                var off = (int)(k * 0.009 * sr);
                                if (off < dst.Length)
                                {
                                    AddNoiseBurst(bus.AsSpan(start + off, dst.Length - off), sr, vel, 0.0005, k == 3 ? 0.06 : 0.006, ref w.Noise);
                                }
                            }

                            w.Mark(t, t + 0.03 + (0.06 * 50 / 8.69));
                            break;
                        }
                }
            }
        }

        switch (kind)
        {
            case InstrumentKind.Shaker:
                SynthDsp.Filter(bus, Biquad.BandPass(sr, 5500, 1.2));
                break;
            case InstrumentKind.Tambourine:
                SynthDsp.Filter(bus, Biquad.HighPass(sr, 4000));
                break;
            case InstrumentKind.Claps:
                SynthDsp.Filter(bus, Biquad.BandPass(sr, 1100, 0.9));
                break;
            default:
                SynthDsp.Filter(bus, Biquad.BandPass(sr, 3000, 1));
                break;
        }

        SynthDsp.AddInto(w.Audio, bus, 1f);
    }

    /// <summary>Noise with a linear attack and an exponential decay (time constant <paramref name="tau"/>).</summary>
    public static void AddNoiseBurst(Span<float> dst, double sampleRate, double amplitude, double attack, double tau, ref NoiseSource noise)
    {
        var a = Math.Max(1, (int)(attack * sampleRate));
        var decay = Math.Exp(-1.0 / (tau * sampleRate));
        var env = amplitude;
        var n = Math.Min(dst.Length, SynthDsp.DecayLength(sampleRate, tau, 70) + a);
        for (var i = 0; i < n; i++)
        {
            double e;
            if (i < a)
            {
                e = amplitude * i / a;
            }
            else
            {
                env *= decay;
                e = env;
            }

            dst[i] += (float)(noise.Next() * e);
        }
    }

    private static int IndexOfSection(MusicalContext ctx, int bar)
    {
        for (var i = ctx.Sections.Count - 1; i >= 0; i--)
        {
            if (ctx.Sections[i].StartBar <= bar)
            {
                return i;
            }
        }

        return 0;
    }
}
