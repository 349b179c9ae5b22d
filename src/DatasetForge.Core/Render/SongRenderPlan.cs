using DatasetForge.Hierarchy;

namespace DatasetForge.Render;

/// <summary>
/// Descriptive fields of a song (from the catalog's songs.csv, else the labels); <see cref="HasBleed"/> is yes / no
/// from the analysis stage's bleed.csv when it covers the song, else unknown.
/// </summary>
public sealed record SongFields(string Artist, string Title, string BroadGenre, string SubGenre, string Source, string Origin, string HasBleed = "unknown")
{
    public string Fingerprint => string.Join('\u001f', Artist, Title, BroadGenre, SubGenre, Source, Origin, HasBleed);
}

/// <summary>
/// One labelled raw track to render: the engineer's <see cref="File"/> name, where the audio is
/// (<see cref="SourcePath"/>, absolute), its fine <see cref="Label"/> and level-1 <see cref="Instrument"/> in the
/// render hierarchy, whether it enters the sums (<see cref="Mixed"/>: not unused/ambient_mic/unknown) and its name
/// in `_RAW/` (<see cref="RawFilename"/>: the file name, made unique within the song), and where a mono track goes in
/// a stereo render (<see cref="Placement"/>: left/right for the halves of a pair recorded as two mono files).
/// </summary>
public sealed record RawTrackPlan(string File, string SourcePath, string Label, string Instrument, bool Mixed, string RawFilename,
    TrackPlacement Placement = TrackPlacement.Centre);

/// <summary>
/// Everything needed to render one song, as data: which tracks, labels, hierarchy and parameters, and where the
/// song's folder goes. <see cref="SongRenderer.RenderAsync"/> turns it into files; plans are independent of each
/// other, so any number may run in parallel or on different machines.
/// </summary>
public sealed record SongRenderPlan(
    string SongId,
    string Folder,
    SongFields Fields,
    IReadOnlyList<RawTrackPlan> Tracks,
    HierarchyDefinition Hierarchy,
    RenderOptions Options,
    string DatasetDir)
{
    public string SongDir => Path.Combine(DatasetDir, Folder);

    public string MetadataPath => Path.Combine(SongDir, Folder + "_METADATA.yaml");

    public string MixFileName => Folder + "_MIX.wav";

    public string RawDirName => Folder + "_RAW";

    public string StemDirName => Folder + "_STEMS";

    public string StemFileName(int level, string node) => $"{Folder}_STEM_L{level}_{node}.wav";
}
