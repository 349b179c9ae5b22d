namespace DatasetForge.Synth;

/// <summary>Every sound the generator can render. Kit pieces share one groove per song (same composition seed).</summary>
public enum InstrumentKind
{
    Kick,
    Snare,
    HiHat,
    Ride,
    Crash,
    Tom,
    KickTrigger,
    DrumLoop,
    Shaker,
    Tambourine,
    Conga,
    Bongo,
    Claps,
    Marimba,
    Glockenspiel,
    ElectricBass,
    SynthBass,
    DoubleBass,
    ElectricGuitar,
    AcousticGuitar,
    Piano,
    ElectricPiano,
    Organ,
    SynthPad,
    SynthLead,
    StringSection,
    Violin,
    Cello,
    Trumpet,
    Trombone,
    BrassSection,
    Saxophone,
    Flute,
    Clarinet,
    LeadVocal,
    BackingVocal,
    Sfx,
    Click,
}

/// <summary>Drum pattern families (16 steps per bar).</summary>
public enum GrooveStyle
{
    Rock,
    Pop,
    FourOnFloor,
    HalfTime,
    Funk,
    Jazz,
    HipHop,
}

/// <summary>
/// What to render: the instrument, the seed of the composition (notes, groove, phrases: parts that must play
/// together or double each other share it) and the seed of the performance (timing, dynamics, pitch drift,
/// noise: a second take of the same part changes only this one), and which of the song's sections it plays in.
/// </summary>
public sealed record PartRequest(InstrumentKind Kind, int CompositionSeed, int PerformanceSeed)
{
    /// <summary>One flag per section of the <see cref="MusicalContext"/>; null = plays everywhere.</summary>
    public IReadOnlyList<bool>? ActiveSections { get; init; }

    /// <summary>Tom number (1 = highest), harmony voice of a backing vocal, or the role of a guitar/keys part (0 = chords, 1 = lead/arpeggio).</summary>
    public int Voice { get; init; }

    public GrooveStyle Groove { get; init; } = GrooveStyle.Rock;

    /// <summary>Toms in the kit (fills use them).</summary>
    public int Toms { get; init; } = 2;

    /// <summary>Higher voice (vocals) or register.</summary>
    public bool HighRegister { get; init; }

    /// <summary>Pitch offset of the whole performance in cents (a doubled take sings slightly sharp or flat).</summary>
    public double TuningCents { get; init; }

    /// <summary>Largest timing deviation per note in milliseconds (doubled takes use 10-30 ms).</summary>
    public double TimingJitterMs { get; init; } = 4;

    public bool IsActive(int section) => ActiveSections is null || (section < ActiveSections.Count && ActiveSections[section]);
}

/// <summary>
/// A rendered part: mono audio of the song's length, and where it sounds: merged spans from each note's onset until
/// its envelope has fallen 50 dB, with gaps shorter than <see cref="InstrumentSynth.ActivityMergeGapSeconds"/> closed.
/// </summary>
public sealed record PartRender(float[] Audio, IReadOnlyList<TimeSpanS> Activity);
