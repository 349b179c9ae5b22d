using DatasetForge.Audio;

namespace DatasetForge.Synth;

/// <summary>How a track's audio is made from the song's parts.</summary>
public enum TrackProcess
{
    /// <summary>The part as played (close mic, DI, line out).</summary>
    Direct,

    /// <summary>Outside kick mic: darker, a little later.</summary>
    KickOut,

    /// <summary>Under-snare mic: the wires, polarity inverted.</summary>
    SnareBottom,

    /// <summary>Miked amplifier: driven and band-limited.</summary>
    Amp,

    /// <summary>Drum overheads: the whole kit, panned.</summary>
    Overheads,

    /// <summary>Drum room mic: the kit, later and reverberant.</summary>
    DrumRoom,

    /// <summary>Room / main pair capturing the whole band.</summary>
    Ambient,

    /// <summary>Guide vocal: a separate take, telephone-band and noisy.</summary>
    Scratch,
}

/// <summary>Broken files placed in archives so that ingest's quarantine paths run.</summary>
public enum DefectKind
{
    /// <summary>A WAV whose data chunk is cut short.</summary>
    TruncatedData,

    /// <summary>A zero-length file.</summary>
    EmptyFile,

    /// <summary>An MP3 stream saved with a .wav name.</summary>
    Mp3Renamed,

    /// <summary>A WAV whose header is damaged.</summary>
    BrokenHeader,
}

/// <summary>A musical part of the song (rendered once; several tracks may derive from it).</summary>
public sealed record PartPlan(string Id, PartRequest Request);

/// <summary>One file of the session. <see cref="File"/> is set when the session is named.</summary>
public sealed record TrackPlan
{
    /// <summary>Naming key (kick, snare, egtr, leadvox, ...).</summary>
    public required string Key { get; init; }

    public int Number { get; init; }

    public string? Qualifier { get; init; }

    public string? Performer { get; init; }

    /// <summary>MS21 fine label (ground truth).</summary>
    public required string Label { get; init; }

    /// <summary>The part whose sound this track carries (empty for mixes of several parts: overheads, rooms, ambient).</summary>
    public string PartId { get; init; } = string.Empty;

    public TrackProcess Process { get; init; }

    public int Channels { get; init; } = 1;

    /// <summary>-1 for the left file of an L/R pair, +1 for the right one, 0 otherwise.</summary>
    public int Side { get; init; }

    /// <summary>Peak level the file is written at, dBFS.</summary>
    public double PeakDb { get; init; } = -6;

    /// <summary>Set for a defective file (listed in defects.csv, not in labels/activity/bleed).</summary>
    public DefectKind? Defect { get; init; }

    public string File { get; set; } = string.Empty;
}

/// <summary>Bleed the generator adds: <see cref="Kind"/> is "injected" (harmful, placed on purpose) or "kit" (drum close mics hearing the other drums).</summary>
public sealed record BleedPlan(int Target, int Source, BleedSpec Spec, string Kind);

/// <summary>One source of a mix track (overheads, room, ambient): which part, at what gain, delay and pan (-1..1).</summary>
public sealed record MixSource(string PartId, double GainDb, double DelayMs, double Pan);

/// <summary>Identity and library-level choices of a song.</summary>
public sealed record SongInfo(
    int Index,
    string Artist,
    string Title,
    string BroadGenre,
    string SubGenre,
    string ArchiveFile,
    string PreviewFile,
    string ArchiveKind,
    string PreviewKind,
    int SampleRate,
    SampleEncoding Encoding,
    bool InjectBleed,
    bool DoubledVocal,
    IReadOnlyList<DefectKind> Defects,
    bool BrokenArchive)
{
    /// <summary>"Artist - Title", as MS21 names songs.</summary>
    public string SongId => $"{Artist} - {Title}";
}

/// <summary>How the song's archive is laid out.</summary>
public sealed record ArchiveLayout(string Folder, bool MacJunk, bool Readme, bool PreviewInside);

/// <summary>
/// Everything about a song decided before any audio exists (the generator's random choices, as data): musical
/// frame, parts, tracks and their names, bleed, doubled takes, defects and archive layout. Rendering it is pure.
/// </summary>
public sealed record SongPlan(
    SongInfo Song,
    int Seed,
    MusicalContext Context,
    NamingStyle Naming,
    IReadOnlyList<PartPlan> Parts,
    IReadOnlyList<TrackPlan> Tracks,
    IReadOnlyList<BleedPlan> Bleeds,
    IReadOnlyDictionary<int, IReadOnlyList<MixSource>> Mixes,
    IReadOnlyList<(int A, int B)> Doubles,
    ArchiveLayout Archive)
{
    /// <summary>The first track that carries a part's own sound (what bleed ground truth names as the source).</summary>
    public int PrimaryTrackOf(string partId)
    {
        for (var i = 0; i < Tracks.Count; i++)
        {
            if (Tracks[i].PartId == partId && Tracks[i].Defect is null && Tracks[i].Process != TrackProcess.Scratch)
            {
                return i;
            }
        }

        return -1;
    }
}
