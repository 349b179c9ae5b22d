using DatasetForge.Dsp;

namespace DatasetForge.Synth;

/// <summary>
/// Sung vocals by formant synthesis: a band-limited glottal buzz at the melody's pitch (portamento between notes,
/// delayed vibrato), shaped by three time-varying formant resonators that move between vowels, with breath noise
/// and consonant bursts at syllable onsets. Phrases are separated by breaths (real silences).
/// </summary>
internal static class Voice
{
    // F1, F2, F3 (Hz) of a, e, i, o, u for a male voice; a female voice scales them up.
    private static readonly double[][] Vowels = [[730, 1090, 2440], [530, 1840, 2480], [300, 2200, 2950], [570, 840, 2410], [320, 800, 2240]];

    public static void Render(PartWriter w)
    {
        var ctx = w.Context;
        var backing = w.Request.Kind == InstrumentKind.BackingVocal;
        var high = w.Request.HighRegister;
        var octave = high ? 4 : 3;
        List<Note> notes;
        if (backing && w.Composition.Chance(0.6))
        {
            // Sustained "ooh/aah" chord tones, one per bar (the voice picks the chord tone).
            notes = [];
            foreach (var (bar, beat, beats, _) in Composer.Rhythm(w, ["x-------", "x---x---", "..x-----"]))
            {
                var triad = ctx.Triad(bar, octave);
                notes.Add(new Note(ctx.TimeOf(bar, beat), (beats * ctx.BeatSeconds) - 0.12, triad[Math.Abs(w.Request.Voice) % 3], 0.8));
            }
        }
        else
        {
            notes = Composer.Melody(w, octave, 1, 1.5);
            if (backing)
            {
                // A harmony: a third (in the scale, approximated by 3-4 semitones) above the written line.
                notes = notes.Select(n => n with { Midi = n.Midi + (w.Request.Voice % 2 == 0 ? 4 : 3) }).ToList();
            }
        }

        // The vowel of each note belongs to the lyrics (composition); everything else to the take.
        var vowels = notes.Select(_ => w.Composition.Next(Vowels.Length)).ToArray();
        var sustainedVowel = w.Composition.Chance(0.5) ? 4 : 0;
        var formantScale = high ? 1.17 : 1.0;
        var vibRate = w.Performance.Uniform(4.8, 6.2);
        var vibDepth = w.Performance.Uniform(0.25, 0.5);
        var vibPhase = w.Performance.NextDouble();
        var sr = ctx.SampleRate;

        // Group contiguous notes into phrases (legato).
        var timed = notes.Select((n, i) => (Note: n with { Start = n.Start + w.Jitter() }, Vowel: backing && notes.Count > 0 && n.Duration > ctx.BeatSeconds * 3 ? sustainedVowel : vowels[i]))
            .ToList();
        var phrases = new List<List<(Note Note, int Vowel)>>();
        for (var i = 0; i < timed.Count; i++)
        {
            if (i == 0 || timed[i].Note.Start - (timed[i - 1].Note.Start + timed[i - 1].Note.Duration) > 0.06)
            {
                phrases.Add([]);
            }

            phrases[^1].Add(timed[i]);
        }

        var formants = new[] { new Resonator(), new Resonator(), new Resonator() };
        double[] formantGains = [1.0, 0.7, 0.45];
        foreach (var phrase in phrases)
        {
            var start = phrase[0].Note.Start;
            var end = phrase[^1].Note.Start + phrase[^1].Note.Duration;
            const double release = 0.12;
            var region = w.Region(start, end - start + release);
            double phase = 0;
            double tilt = 0;
            var noteIndex = 0;
            double currentMidi = phrase[0].Note.Midi;
            var f = new double[3];
            var fTarget = new double[3];
            for (var k = 0; k < 3; k++)
            {
                f[k] = fTarget[k] = Vowels[phrase[0].Vowel][k] * formantScale;
            }

            for (var i = 0; i < region.Length; i++)
            {
                var t = start + ((double)i / sr);
                while (noteIndex + 1 < phrase.Count && t >= phrase[noteIndex + 1].Note.Start)
                {
                    noteIndex++;
                    for (var k = 0; k < 3; k++)
                    {
                        fTarget[k] = Vowels[phrase[noteIndex].Vowel][k] * formantScale;
                    }
                }

                var note = phrase[noteIndex].Note;
                var sinceOnset = t - note.Start;

                // Portamento: glide to the note's pitch over ~40 ms.
                currentMidi += (note.Midi - currentMidi) * Math.Min(1, 1.0 / (0.012 * sr));
                var vib = vibDepth * Math.Clamp((sinceOnset - 0.2) / 0.3, 0, 1) * Oscillators.Sin(vibPhase + (t * vibRate));
                var hz = MusicalContext.MidiToHz(currentMidi + vib) * w.Tuning;
                var dt = hz / sr;
                var buzz = (2 * phase) - 1 - SynthDsp.PolyBlep(phase, dt);
                phase += dt;
                if (phase >= 1)
                {
                    phase -= 1;
                }

                // Lip radiation (+6 dB/octave) on the buzz, plus breath.
                var radiated = buzz - (0.9 * tilt);
                tilt = buzz;
                var noise = w.Noise.Next();
                var source = radiated + (0.04 * noise);

                if ((i & 31) == 0)
                {
                    for (var k = 0; k < 3; k++)
                    {
                        f[k] += (fTarget[k] - f[k]) * 0.25;
                        formants[k].Set(sr, f[k], 80 + (k * 40));
                    }
                }

                double y = 0;
                for (var k = 0; k < 3; k++)
                {
                    y += formantGains[k] * formants[k].Process(source);
                }

                // Phrase envelope with a small dip at each syllable and a consonant burst at some onsets.
                var env = Math.Min(1, (t - start) / 0.04) * (t > end ? Math.Exp(-(t - end) / (release / 6.9)) : 1);
                var dip = sinceOnset < 0.03 && noteIndex > 0 ? 0.6 + (0.4 * sinceOnset / 0.03) : 1;
                var consonant = sinceOnset < 0.025 && (noteIndex % 3 == 0) ? noise * 0.08 * (1 - (sinceOnset / 0.025)) : 0;
                region[i] += (float)((y * env * dip * note.Velocity * 6) + consonant);
            }

            w.Mark(start, end + (release * 50 / 60));
        }

        SynthDsp.Filter(w.Audio, Biquad.HighPass(sr, high ? 120 : 80));
        SynthDsp.Filter(w.Audio, Biquad.HighShelf(sr, Math.Min(3500, sr * 0.4), 0.7, 6));
    }
}
