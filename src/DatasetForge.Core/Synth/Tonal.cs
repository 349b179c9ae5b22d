using DatasetForge.Dsp;

namespace DatasetForge.Synth;

/// <summary>Pitched instruments: bass, guitars, keys, synths, strings, brass, woodwinds, mallets.</summary>
internal static class Tonal
{
    public static void RenderBass(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        var kind = w.Request.Kind;
        string[] patterns = kind switch
        {
            InstrumentKind.DoubleBass => ["x-x-x-x-"],
            InstrumentKind.SynthBass => ["x.xx.xx.", "x-.xx-.x", "x.x.x.x."],
            _ => ["xxxxxxxx", "x-.xx-x.", "x---x-xx", "x-x-x-x-"],
        };
        var walkOffsets = new[] { 0, 2, 4, 5, 4, 2, 1, -1 };
        var i = 0;
        foreach (var (bar, beat, beats, _) in Composer.Rhythm(w, patterns))
        {
            var degree = ctx.ChordDegree(bar);
            if (kind == InstrumentKind.DoubleBass)
            {
                degree += walkOffsets[i++ % walkOffsets.Length] * (w.Composition.Chance(0.7) ? 1 : 0);
            }
            else if (beat >= 3.5 && w.Composition.Chance(0.3))
            {
                degree += 4;
            }

            var midi = ctx.Midi(degree, 2);
            while (midi > 43)
            {
                midi -= 12;
            }

            var hz = MusicalContext.MidiToHz(midi) * w.Tuning;
            var t = ctx.TimeOf(bar, beat) + w.Jitter();
            var gate = (beats * ctx.BeatSeconds) - 0.02;
            var vel = w.Performance.Uniform(0.8, 1.0);
            switch (kind)
            {
                case InstrumentKind.SynthBass:
                    {
                        var noteLen = w.Region(t, gate + 0.1).Length;
                        var env = SynthDsp.Adsr(noteLen, (int)(gate * sr), sr, 0.004, 0.15, 0.6, 0.06);
                        Oscillators.AddGated(w, t, gate + 0.1, 0.01, vel, s =>
                        {
                            Oscillators.AddTone(s, env, sr, hz, Wave.Saw);
                            Oscillators.AddTone(s, env, sr, hz / 2, Wave.Sine);
                        });
                        break;
                    }

                default:
                    {
                        var noise = new NoiseSource(w.Performance.Next());
                        var bright = kind == InstrumentKind.DoubleBass ? 0.1 : 0.15;
                        var t60 = kind == InstrumentKind.DoubleBass ? 0.9 : 1.6;
                        Oscillators.AddGated(w, t, gate, 0.08, vel, s => SynthDsp.AddPluck(s, sr, hz, 1, t60, bright, ref noise), t60 * 50 / 60);
                        break;
                    }
            }
        }

        SynthDsp.Filter(w.Audio, Biquad.LowPass(sr, kind switch { InstrumentKind.SynthBass => 900, InstrumentKind.DoubleBass => 800, _ => 1000 },
            kind == InstrumentKind.SynthBass ? 1.4 : 0.707));
        SynthDsp.Filter(w.Audio, Biquad.HighPass(sr, 30));
    }

    public static void RenderGuitar(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        var acoustic = w.Request.Kind == InstrumentKind.AcousticGuitar;
        var lead = w.Request.Voice == 1;
        if (lead)
        {
            // Single-note lines: a phrased melody (lead) or chord-tone arpeggios.
            var notes = w.Composition.Chance(0.5) ? Composer.Melody(w, 4, 0.5, 1.0) : Arpeggio(w, 3, "xxxxxxxx");
            foreach (var note in notes)
            {
                var noise = new NoiseSource(w.Performance.Next());
                var hz = MusicalContext.MidiToHz(note.Midi) * w.Tuning;
                var t = note.Start + w.Jitter();
                Oscillators.AddGated(w, t, note.Duration, 0.06, note.Velocity, s => SynthDsp.AddPluck(s, sr, hz, 1, 2.0, acoustic ? 0.9 : 0.7, ref noise), 2.0 * 50 / 60);
            }
        }
        else
        {
            var power = !acoustic && w.Composition.Chance(0.4);
            string[] patterns = power ? ["DDDDDDDD", "D-DDD-DD", "DDDDDDDDDDDDDDDD"] : ["D-D-DUDU", "D-DU-UDU", "D---D---", "D-D-D-D-", "D.DUD.DU"];
            var muted = power && w.Composition.Chance(0.6);
            foreach (var (bar, beat, beats, stroke) in Composer.Rhythm(w, patterns))
            {
                var voicing = Voicing(ctx, bar, power ? 3 : (acoustic ? 6 : 5));
                var down = stroke != 'U';
                var t = ctx.TimeOf(bar, beat) + w.Jitter();
                var gate = (beats * ctx.BeatSeconds) - 0.01;
                var spread = w.Performance.Uniform(0.006, 0.015);
                var vel = (down ? 1.0 : 0.7) * w.Performance.Uniform(0.8, 1.0);
                for (var k = 0; k < voicing.Length; k++)
                {
                    var idx = down ? k : voicing.Length - 1 - k;
                    var hz = MusicalContext.MidiToHz(voicing[idx]) * w.Tuning;
                    var noise = new NoiseSource(w.Performance.Next());
                    var t60 = muted ? 0.25 : (acoustic ? 3.0 : 2.0);
                    var bright = acoustic ? 0.9 : (muted ? 0.4 : 0.6);
                    var at = t + (k * spread);
                    Oscillators.AddGated(w, at, Math.Max(0.05, gate - (k * spread)), 0.05, vel / Math.Sqrt(voicing.Length), s => SynthDsp.AddPluck(s, sr, hz, 1, t60, bright, ref noise),
                        t60 * 50 / 60);
                }
            }
        }

        if (acoustic)
        {
            SynthDsp.Filter(w.Audio, Biquad.HighPass(sr, 70));
            SynthDsp.Filter(w.Audio, Biquad.Peaking(sr, 115, 2, 5));
            SynthDsp.Filter(w.Audio, Biquad.Peaking(sr, 230, 2, 3));
            SynthDsp.Filter(w.Audio, Biquad.HighShelf(sr, 5000, 0.7, 3));
        }
    }

    public static void RenderKeys(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        var kind = w.Request.Kind;
        string[] patterns = kind == InstrumentKind.Organ ? ["x-------", "x---x---", "x--x--x-"] : ["x---x---", "x-x-x-x-", "x--x--x-", "x-------", ".x.x.x.x"];
        if (w.Request.Voice == 1 && kind != InstrumentKind.Organ)
        {
            foreach (var note in Arpeggio(w, 4, w.Composition.Pick(["xxxxxxxx", "x.xxx.xx"])))
            {
                AddKeyNote(w, kind, note.Start + w.Jitter(), note.Duration, note.Midi, note.Velocity);
            }
        }
        else
        {
            foreach (var (bar, beat, beats, _) in Composer.Rhythm(w, patterns))
            {
                var t = ctx.TimeOf(bar, beat) + w.Jitter();
                var gate = (beats * ctx.BeatSeconds) - 0.01;
                var triad = ctx.Triad(bar, 4);
                var inversion = w.Composition.Next(3);
                for (var k = 0; k < inversion; k++)
                {
                    triad[k] += 12;
                }

                var bass = ctx.Midi(ctx.ChordDegree(bar), kind == InstrumentKind.Organ ? 3 : 2);
                var vel = w.Performance.Uniform(0.75, 1.0);
                foreach (var midi in triad.Append(bass))
                {
                    AddKeyNote(w, kind, t + w.Performance.Uniform(0, 0.008), gate, midi, vel * 0.5);
                }
            }
        }

        if (kind == InstrumentKind.Organ)
        {
            // Rotary speaker: slow amplitude wobble.
            var rate = w.Composition.Uniform(5.5, 7) / sr;
            for (var i = 0; i < w.Audio.Length; i++)
            {
                w.Audio[i] *= 1 - (0.15f * (1 + Oscillators.Sin(i * rate)));
            }
        }
        else if (kind == InstrumentKind.ElectricPiano && w.Composition.Chance(0.5))
        {
            var rate = w.Composition.Uniform(4, 6) / sr;
            for (var i = 0; i < w.Audio.Length; i++)
            {
                w.Audio[i] *= 1 - (0.12f * (1 + Oscillators.Sin(i * rate)));
            }
        }
    }

    public static void RenderSynth(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        if (w.Request.Kind == InstrumentKind.SynthLead)
        {
            var wave = w.Composition.Chance(0.5) ? Wave.Saw : Wave.Square;
            foreach (var note in Composer.Melody(w, 5, 0.75))
            {
                var t = note.Start + w.Jitter();
                var len = w.Region(t, note.Duration + 0.2).Length;
                var env = SynthDsp.Adsr(len, (int)(note.Duration * sr), sr, 0.01, 0.1, 0.7, 0.15);
                var hz = MusicalContext.MidiToHz(note.Midi) * w.Tuning;
                Oscillators.AddGated(w, t, note.Duration + 0.2, 0.01, note.Velocity * 0.5, s => Oscillators.AddTone(s, env, sr, hz, wave, 5.5, 0.2, 0.25));
            }

            SynthDsp.Filter(w.Audio, Biquad.LowPass(sr, 3200, 1.2));
            return;
        }

        // Pad: whole-bar chords of detuned saws, slow attack and release, low-passed.
        foreach (var (bar, beat, beats, _) in Composer.Rhythm(w, ["x-------", "x---x---"]))
        {
            var t = ctx.TimeOf(bar, beat);
            var gate = beats * ctx.BeatSeconds;
            var len = w.Region(t, gate + 0.8).Length;
            var env = SynthDsp.Adsr(len, (int)(gate * sr), sr, 0.35, 0.3, 0.8, 0.7);
            var notes = ctx.Triad(bar, 4).Append(ctx.Midi(ctx.ChordDegree(bar), 3)).ToArray();
            var phases = Enumerable.Range(0, notes.Length * 3).Select(_ => w.Performance.NextDouble()).ToArray();
            Oscillators.AddGated(w, t, gate + 0.8, 0.01, 0.25, s =>
            {
                for (var n = 0; n < notes.Length; n++)
                {
                    for (var v = -1; v <= 1; v++)
                    {
                        var hz = MusicalContext.MidiToHz(notes[n] + (v * 0.08)) * w.Tuning;
                        Oscillators.AddTone(s, env, sr, hz, Wave.Saw, startPhase: phases[(n * 3) + v + 1]);
                    }
                }
            });
        }

        SynthDsp.Filter(w.Audio, Biquad.LowPass(sr, w.Composition.Uniform(1200, 2800), 0.9));
    }

    public static void RenderSustained(PartWriter w)
    {
        var ctx = w.Context;
        var sr = ctx.SampleRate;
        var kind = w.Request.Kind;
        if (kind is InstrumentKind.StringSection or InstrumentKind.BrassSection)
        {
            var stabs = kind == InstrumentKind.BrassSection;
            string[] patterns = stabs ? ["..x...x.", "x.....x.", "...x..x."] : ["x-------", "x---x---"];
            foreach (var (bar, beat, beats, _) in Composer.Rhythm(w, patterns))
            {
                var t = ctx.TimeOf(bar, beat) + w.Jitter();
                var gate = stabs ? Math.Min(beats, 0.75) * ctx.BeatSeconds : beats * ctx.BeatSeconds;
                var release = stabs ? 0.12 : 0.5;
                var len = w.Region(t, gate + release).Length;
                var env = SynthDsp.Adsr(len, (int)(gate * sr), sr, stabs ? 0.03 : 0.25, 0.1, 0.85, release);
                var triad = ctx.Triad(bar, 4);
                int[] notes = stabs ? [triad[0], triad[1], triad[2], triad[0] + 12] : [ctx.Midi(ctx.ChordDegree(bar), 3), triad[2] - 12, triad[1], triad[0] + 12];
                var vib = Enumerable.Range(0, notes.Length * 3).Select(_ => w.Performance.NextDouble()).ToArray();
                Oscillators.AddGated(w, t, gate + release, 0.01, 0.2, s =>
                {
                    for (var n = 0; n < notes.Length; n++)
                    {
                        for (var v = 0; v < (stabs ? 1 : 3); v++)
                        {
                            var hz = MusicalContext.MidiToHz(notes[n] + ((v - 1) * 0.07)) * w.Tuning;
                            Oscillators.AddTone(s, env, sr, hz, Wave.Saw, 5.2 + vib[(n * 3) + v], stabs ? 0.05 : 0.15, 0.3, vib[(n * 3) + v]);
                        }
                    }
                });
            }

            if (stabs)
            {
                SynthDsp.Filter(w.Audio, Biquad.LowPass(sr, 2600, 1.1));
                SynthDsp.Filter(w.Audio, Biquad.Peaking(sr, 1200, 1, 5));
            }
            else
            {
                SynthDsp.Filter(w.Audio, Biquad.LowPass(sr, 3500));
                SynthDsp.Filter(w.Audio, Biquad.Peaking(sr, 900, 1, 3));
            }

            return;
        }

        var (octave, wave, vibRate, vibDepth, lowpass) = kind switch
        {
            InstrumentKind.Violin => (5, Wave.Saw, 6.0, 0.25, 5000.0),
            InstrumentKind.Cello => (3, Wave.Saw, 5.5, 0.2, 3000.0),
            InstrumentKind.Trumpet => (4, Wave.Saw, 5.0, 0.08, 2800.0),
            InstrumentKind.Trombone => (3, Wave.Saw, 4.5, 0.06, 1600.0),
            InstrumentKind.Saxophone => (4, Wave.Square, 5.2, 0.15, 2300.0),
            InstrumentKind.Flute => (5, Wave.Flute, 5.0, 0.12, 7000.0),
            _ => (4, Wave.Square, 4.5, 0.05, 1800.0),
        };
        var breath = kind is InstrumentKind.Saxophone or InstrumentKind.Flute or InstrumentKind.Clarinet;
        var bow = kind is InstrumentKind.Violin or InstrumentKind.Cello;
        var noiseBus = new float[w.Audio.Length];
        foreach (var note in Composer.Melody(w, octave, kind == InstrumentKind.Cello ? 2 : 1))
        {
            var t = note.Start + w.Jitter();
            var attack = bow ? 0.12 : 0.035;
            var len = w.Region(t, note.Duration + 0.3).Length;
            var env = SynthDsp.Adsr(len, (int)(note.Duration * sr), sr, attack, 0.1, 0.85, 0.12);
            var hz = MusicalContext.MidiToHz(note.Midi) * w.Tuning;
            var vibPhase = w.Performance.NextDouble();
            Oscillators.AddGated(w, t, note.Duration + 0.3, 0.01, note.Velocity * 0.5, s => Oscillators.AddTone(s, env, sr, hz, wave, vibRate, vibDepth, 0.25, vibPhase));
            if (breath || bow)
            {
                var start = w.Frame(t);
                for (var i = 0; i < len && start + i < noiseBus.Length; i++)
                {
                    noiseBus[start + i] += w.Noise.Next() * env[i] * 0.05f;
                }
            }
        }

        if (breath || bow)
        {
            SynthDsp.Filter(noiseBus, Biquad.BandPass(sr, bow ? 3000 : 2000, 0.8));
            SynthDsp.AddInto(w.Audio, noiseBus, 1f);
        }

        SynthDsp.Filter(w.Audio, Biquad.LowPass(sr, lowpass, 0.9));
        if (bow)
        {
            SynthDsp.Filter(w.Audio, Biquad.Peaking(sr, kind == InstrumentKind.Cello ? 200 : 450, 1.5, 5));
            SynthDsp.Filter(w.Audio, Biquad.Peaking(sr, 2800, 1.5, 4));
        }
        else if (kind is InstrumentKind.Trumpet or InstrumentKind.Saxophone)
        {
            SynthDsp.Filter(w.Audio, Biquad.Peaking(sr, kind == InstrumentKind.Trumpet ? 1300 : 900, 1, 6));
        }
    }

    public static void RenderMallets(PartWriter w)
    {
        var sr = w.SampleRate;
        var glock = w.Request.Kind == InstrumentKind.Glockenspiel;
        var notes = glock ? Composer.Melody(w, 6, 1, 2) : Arpeggio(w, 4, w.Composition.Pick(["xxxxxxxx", "x.x.xxx."]));
        foreach (var note in notes)
        {
            var t = note.Start + w.Jitter();
            var hz = MusicalContext.MidiToHz(note.Midi);
            var tau = glock ? 1.0 : 0.35;
            Oscillators.AddGated(w, t, tau * 6, 0.01, note.Velocity * 0.5, s =>
            {
                if (glock)
                {
                    SynthDsp.AddDampedSine(s, sr, hz, 1, 1.0);
                    SynthDsp.AddDampedSine(s, sr, hz * 2.76, 0.4, 0.35);
                    SynthDsp.AddDampedSine(s, sr, hz * 5.4, 0.2, 0.12);
                }
                else
                {
                    SynthDsp.AddDampedSine(s, sr, hz, 1, 0.35);
                    SynthDsp.AddDampedSine(s, sr, hz * 3.93, 0.3, 0.06);
                    SynthDsp.AddDampedSine(s, sr, hz * 9.2, 0.1, 0.015);
                }
            }, tau * 50 / 8.69);
        }
    }

    /// <summary>Chord tones as single notes on a rhythm (arpeggios).</summary>
    private static List<Note> Arpeggio(PartWriter w, int octave, string pattern)
    {
        var ctx = w.Context;
        var result = new List<Note>();
        var order = w.Composition.Pick(new[] { new[] { 0, 1, 2, 3 }, [0, 2, 1, 3], [0, 1, 2, 1] });
        var k = 0;
        foreach (var (bar, beat, beats, _) in Composer.Rhythm(w, [pattern]))
        {
            var triad = ctx.Triad(bar, octave);
            var idx = order[k++ % order.Length];
            var midi = idx == 3 ? triad[0] + 12 : triad[idx];
            result.Add(new Note(ctx.TimeOf(bar, beat), beats * ctx.BeatSeconds * 0.95, midi, w.Composition.Uniform(0.7, 1.0)));
        }

        return result;
    }

    /// <summary>Guitar-style chord voicing of up to <paramref name="strings"/> notes, lowest at or above E2.</summary>
    private static int[] Voicing(MusicalContext ctx, int bar, int strings)
    {
        var degree = ctx.ChordDegree(bar);
        var root = ctx.Midi(degree, 2);
        while (root < 40)
        {
            root += 12;
        }

        var fifth = root + 7;
        var third = ctx.Midi(degree + 2, 2);
        while (third < root)
        {
            third += 12;
        }

        int[] all = strings == 3 ? [root, fifth, root + 12] : [root, fifth, root + 12, third + 12, fifth + 12, root + 24];
        return all.Take(strings).ToArray();
    }

    private static void AddKeyNote(PartWriter w, InstrumentKind kind, double t, double gate, int midi, double vel)
    {
        var sr = w.SampleRate;
        var hz = MusicalContext.MidiToHz(midi) * w.Tuning;
        switch (kind)
        {
            case InstrumentKind.Piano:
                {
                    var tau0 = Math.Clamp(2.5 * Math.Pow(440 / hz, 0.4), 0.6, 4);
                    var noise = new NoiseSource(w.Performance.Next());
                    Oscillators.AddGated(w, t, gate, 0.15, vel, s =>
                    {
                        for (var k = 1; k <= 10; k++)
                        {
                            var f = k * hz * Math.Sqrt(1 + (0.0004 * k * k));
                            if (f > sr * 0.45)
                            {
                                break;
                            }

                            SynthDsp.AddDampedSine(s, sr, f, 1.0 / Math.Pow(k, 1.3), tau0 / (1 + (0.5 * (k - 1))), k);
                        }

                        var n = Math.Min(s.Length, (int)(0.004 * sr));
                        for (var i = 0; i < n; i++)
                        {
                            s[i] += noise.Next() * 0.3f * (1 - ((float)i / n));
                        }
                    }, tau0 * 50 / 8.69);
                    break;
                }

            case InstrumentKind.ElectricPiano:
                {
                    var tau = Math.Clamp(1.8 * Math.Pow(440 / hz, 0.3), 0.6, 3);
                    Oscillators.AddGated(w, t, gate, 0.12, vel, s =>
                    {
                        // Two-operator FM (ratio 1), the modulation index decaying faster than the note.
                        var dt = hz / sr;
                        var indexDecay = Math.Exp(-1.0 / (0.25 * sr));
                        var ampDecay = Math.Exp(-1.0 / (tau * sr));
                        double c = 0, index = 2.2 / (2 * Math.PI), amp = 1;
                        for (var i = 0; i < s.Length; i++)
                        {
                            s[i] += (float)(Oscillators.Sin(c + ((index + 0.05) * Oscillators.Sin(c))) * amp);
                            c += dt;
                            if (c >= 1)
                            {
                                c -= 1;
                            }

                            index *= indexDecay;
                            amp *= ampDecay;
                        }

                        SynthDsp.AddDampedSine(s, sr, hz * 14, 0.08, 0.04);
                    }, tau * 50 / 8.69);
                    break;
                }

            default:
                {
                    var len = w.Region(t, gate + 0.08).Length;
                    var env = SynthDsp.Adsr(len, (int)(gate * sr), sr, 0.005, 0.01, 1, 0.06);
                    double[] ratios = [0.5, 1, 2, 3, 4];
                    double[] levels = [0.5, 1, 0.6, 0.3, 0.25];
                    Oscillators.AddGated(w, t, gate + 0.08, 0.01, vel * 0.5, s =>
                    {
                        // Drawbars: steady sines (undamped two-pole recursion), then the key envelope.
                        for (var k = 0; k < ratios.Length; k++)
                        {
                            SynthDsp.AddDampedSine(s, sr, hz * ratios[k], levels[k], 0, k);
                        }

                        var n = Math.Min(s.Length, env.Length);
                        for (var i = 0; i < n; i++)
                        {
                            s[i] *= env[i];
                        }
                    });
                    break;
                }
        }
    }
}
