namespace DatasetForge.Synth;

/// <summary>A note: onset and gate length in seconds (before performance timing), MIDI pitch, velocity 0..1.</summary>
internal readonly record struct Note(double Start, double Duration, int Midi, double Velocity);

/// <summary>
/// Writes the notes parts play, from the composition random source only (so a doubled take of a part gets the
/// same notes): phrased melodies with gaps between phrases, and chord comping rhythms.
/// </summary>
internal static class Composer
{
    private static readonly double[] Durations = [0.5, 0.5, 1, 1, 1, 1.5, 2];

    /// <summary>
    /// A melody in phrases over pairs of active bars: a phrase starts on or just after the downbeat and ends at
    /// least <paramref name="minGapBeats"/> beats before the next one, so the part has real silences.
    /// </summary>
    public static List<Note> Melody(PartWriter w, int octave, double durationScale = 1, double minGapBeats = 1.5)
    {
        var ctx = w.Context;
        var rng = w.Composition;
        var notes = new List<Note>();
        var bars = w.ActiveBars().ToList();
        var degree = rng.Next(0, 5);
        for (var i = 0; i < bars.Count;)
        {
            var bar = bars[i];
            var pair = i + 1 < bars.Count && bars[i + 1] == bar + 1;
            var available = pair ? 8.0 : 4.0;
            var beat = rng.Pick([0.0, 0.0, 0.5, 1.0]);
            // A phrase over two bars leaves a breath of minGap to 1 + minGap beats; over a lone bar, a shorter one.
            var end = pair ? available - minGapBeats - rng.Uniform(0, 1.0) : available - (minGapBeats * 0.6) - rng.Uniform(0, 0.5);
            var chord = ctx.ChordDegree(bar);
            degree = chord + rng.Pick([0, 2, 4]);
            while (beat < end)
            {
                var dur = Math.Min(rng.Pick(Durations) * durationScale, end - beat);
                if (dur < 0.25)
                {
                    break;
                }

                var noteBar = bar + (int)(beat / 4);
                var chordHere = ctx.ChordDegree(noteBar);
                var step = rng.Pick([-2, -1, -1, 0, 1, 1, 2]);
                degree += step;
                if (rng.Chance(0.4))
                {
                    // Lean towards the nearest chord tone.
                    var rel = (((degree - chordHere) % 7) + 7) % 7;
                    degree += rel switch { 1 => -1, 3 => 1, 5 => -1, 6 => 1, _ => 0 };
                }

                degree = Math.Clamp(degree, -2, 9);
                notes.Add(new Note(ctx.TimeOf(bar, beat), dur * ctx.BeatSeconds, ctx.Midi(degree, octave), rng.Uniform(0.75, 1.0)));
                beat += dur;
            }

            i += pair ? 2 : 1;
        }

        return notes;
    }

    /// <summary>
    /// Chord hits for every active bar, from a rhythm chosen once for the part: each character is a step of the bar;
    /// '.' rests, '-' holds the previous hit, anything else is a hit (the character is returned, e.g. D/U strokes).
    /// </summary>
    public static List<(int Bar, double Beat, double Beats, char Kind)> Rhythm(PartWriter w, IReadOnlyList<string> patterns)
    {
        var pattern = w.Composition.Pick(patterns);
        var steps = pattern.Length;
        var stepBeats = 4.0 / steps;
        var result = new List<(int, double, double, char)>();
        foreach (var bar in w.ActiveBars())
        {
            for (var s = 0; s < steps; s++)
            {
                if (pattern[s] is '.' or '-')
                {
                    continue;
                }

                var len = 1;
                while (s + len < steps && pattern[s + len] == '-')
                {
                    len++;
                }

                result.Add((bar, s * stepBeats, len * stepBeats, pattern[s]));
            }
        }

        return result;
    }
}
