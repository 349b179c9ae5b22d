namespace DatasetForge.Synth;

public enum SectionKind
{
    Intro,
    Verse,
    Chorus,
    Break,
    Bridge,
    Outro,
}

/// <summary>A run of whole bars of one kind; <see cref="Start"/>/<see cref="End"/> in seconds from the file start.</summary>
public sealed record SongSection(SectionKind Kind, int StartBar, int Bars, double Start, double End);

/// <summary>A time span in seconds, [Start, End).</summary>
public readonly record struct TimeSpanS(double Start, double End)
{
    public double Length => End - Start;
}

/// <summary>
/// What every part of one song shares: sample rate and length, tempo (4/4), key, chord progression (one chord per
/// bar) and the section layout. A short pre-roll of silence precedes bar 0 and a tail of silence follows the last
/// bar, as in real session exports.
/// </summary>
public sealed class MusicalContext
{
    private static readonly int[] MajorScale = [0, 2, 4, 5, 7, 9, 11];
    private static readonly int[] MinorScale = [0, 2, 3, 5, 7, 8, 10];
    private static readonly string[] PitchNames = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];

    private static readonly int[][] MajorProgressions = [[0, 4, 5, 3], [0, 5, 3, 4], [5, 3, 0, 4], [0, 3, 4, 3], [0, 0, 3, 4], [0, 3, 0, 4], [1, 4, 0, 0]];
    private static readonly int[][] MinorProgressions = [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [0, 3, 6, 2], [0, 0, 5, 4]];

    public MusicalContext(int sampleRate, double seconds, double bpm, int keyPitchClass, bool minor, IReadOnlyList<int> progression, double preRoll,
        IReadOnlyList<SongSection> sections)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1.0);
        SampleRate = sampleRate;
        Seconds = seconds;
        Frames = (int)Math.Round(seconds * sampleRate);
        Bpm = bpm;
        KeyPitchClass = keyPitchClass;
        Minor = minor;
        Progression = progression;
        PreRoll = preRoll;
        Sections = sections;
        Bars = sections.Count == 0 ? 0 : sections[^1].StartBar + sections[^1].Bars;
    }

    public int SampleRate { get; }

    public double Seconds { get; }

    public int Frames { get; }

    public double Bpm { get; }

    public int KeyPitchClass { get; }

    public bool Minor { get; }

    public IReadOnlyList<int> Progression { get; }

    public double PreRoll { get; }

    public IReadOnlyList<SongSection> Sections { get; }

    public int Bars { get; }

    public double BeatSeconds => 60.0 / Bpm;

    public double BarSeconds => 4 * BeatSeconds;

    /// <summary>Seconds at which the music ends (end of the last bar).</summary>
    public double MusicEnd => TimeOf(Bars, 0);

    public string KeyName => $"{PitchNames[KeyPitchClass]} {(Minor ? "minor" : "major")}";

    /// <summary>Seconds from the file start of beat <paramref name="beat"/> (may be fractional) of bar <paramref name="bar"/>.</summary>
    public double TimeOf(int bar, double beat) => PreRoll + (((bar * 4) + beat) * BeatSeconds);

    public int FrameOf(double seconds) => (int)Math.Round(seconds * SampleRate);

    public SongSection SectionOfBar(int bar) => Sections.Last(s => s.StartBar <= bar);

    /// <summary>Scale degree (0 = tonic) of the chord of a bar.</summary>
    public int ChordDegree(int bar) => Progression[bar % Progression.Count];

    /// <summary>MIDI note of a scale degree (any integer; 7 = tonic an octave up) in the given octave (4 = middle C's).</summary>
    public int Midi(int degree, int octave)
    {
        var scale = Minor ? MinorScale : MajorScale;
        var octaveShift = (int)Math.Floor(degree / 7.0);
        var step = degree - (octaveShift * 7);
        return (12 * (octave + 1 + octaveShift)) + KeyPitchClass + scale[step];
    }

    /// <summary>Root, third and fifth of the bar's chord around the given octave.</summary>
    public int[] Triad(int bar, int octave)
    {
        var d = ChordDegree(bar);
        return [Midi(d, octave), Midi(d + 2, octave), Midi(d + 4, octave)];
    }

    public static double MidiToHz(double midi) => 440.0 * Math.Pow(2, (midi - 69) / 12.0);

    /// <summary>A random song frame: tempo 80-150 BPM, key, progression, sections filling the length.</summary>
    public static MusicalContext Create(Random rng, int sampleRate, double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 4.0);
        var bpm = Math.Round(rng.Uniform(80, 150));
        var key = rng.Next(12);
        var minor = rng.Chance(0.45);
        var progression = rng.Pick(minor ? MinorProgressions : MajorProgressions);
        var preRoll = Math.Round(rng.Uniform(0.15, Math.Min(1.0, seconds * 0.04)), 3);
        var barSeconds = 240.0 / bpm;
        var bars = Math.Max(1, (int)Math.Floor((seconds - preRoll - 0.9) / barSeconds));
        return new MusicalContext(sampleRate, seconds, bpm, key, minor, progression, preRoll, PlanSections(rng, bars, preRoll, barSeconds));
    }

    /// <summary>A random song frame from a seed alone (for callers that need one clean track, e.g. benchmarks).</summary>
    public static MusicalContext Create(int seed, int sampleRate, double seconds) => Create(new Random(seed), sampleRate, seconds);

    private static List<SongSection> PlanSections(Random rng, int bars, double preRoll, double barSeconds)
    {
        var kinds = new List<(SectionKind Kind, int Bars)>();
        if (bars <= 3)
        {
            SectionKind[] small = [SectionKind.Verse, SectionKind.Chorus, SectionKind.Break];
            for (var i = 0; i < bars; i++)
            {
                kinds.Add((small[i], 1));
            }
        }
        else
        {
            var left = bars;
            void Add(SectionKind kind, int n)
            {
                n = Math.Min(n, left);
                if (n > 0)
                {
                    kinds.Add((kind, n));
                    left -= n;
                }
            }

            Add(SectionKind.Intro, bars >= 10 ? rng.Next(1, 3) : 1);
            SectionKind[] cycle = [SectionKind.Verse, SectionKind.Chorus, SectionKind.Break, SectionKind.Verse, SectionKind.Chorus, SectionKind.Bridge, SectionKind.Chorus];
            var i = 0;
            while (left > 0)
            {
                var kind = cycle[i % cycle.Length];
                var reserveOutro = bars >= 8 && left <= 3;
                if (reserveOutro)
                {
                    Add(SectionKind.Outro, left);
                    break;
                }

                var n = kind switch
                {
                    SectionKind.Break => rng.Next(1, 3),
                    SectionKind.Bridge => 2,
                    _ => bars >= 12 ? rng.Pick([2, 4, 4]) : 2,
                };
                Add(kind, n);
                i++;
            }
        }

        var result = new List<SongSection>();
        var bar = 0;
        foreach (var (kind, n) in kinds)
        {
            result.Add(new SongSection(kind, bar, n, preRoll + (bar * barSeconds), preRoll + ((bar + n) * barSeconds)));
            bar += n;
        }

        return result;
    }
}
