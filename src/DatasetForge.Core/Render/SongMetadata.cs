using DatasetForge.Common;
using DatasetForge.Common.Config;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DatasetForge.Render;

/// <summary>
/// `&lt;Song&gt;/&lt;Song&gt;_METADATA.yaml` (schema `render-metadata.schema.json`): the per-song truth of the render
/// stage. MedleyDB's keys first (artist, title, genre, has_bleed, instrumental, mix_filename, raw_dir, stem_dir,
/// stems S01.. with their instrument and raw files R01..), so MedleyDB readers (and `forge ingest --format medleydb`)
/// read it; then ours: loudness before and after, gains, the hierarchy, parameters, keys and content hashes.
/// The dataset manifests are gathered from these files.
/// </summary>
public sealed class SongMetadata
{
    // MedleyDB keys
    public string Artist { get; init; } = string.Empty;

    public string Title { get; init; } = string.Empty;

    public string Genre { get; init; } = string.Empty;

    /// <summary>yes / no from the analysis stage's bleed detection when present, else unknown.</summary>
    public string HasBleed { get; init; } = "unknown";

    /// <summary>yes when no vocal track is mixed.</summary>
    public string Instrumental { get; init; } = "no";

    public string MixFilename { get; init; } = string.Empty;

    public string RawDir { get; init; } = string.Empty;

    public string StemDir { get; init; } = string.Empty;

    /// <summary>Where the song came from (the catalog's source, e.g. folder, mtk, medleydb).</summary>
    public string Origin { get; init; } = string.Empty;

    public string Version { get; init; } = "forge-render/1";

    /// <summary>Level-1 (instrument) stems, MedleyDB style: S01, S02, ... each with its raw tracks R01, ...</summary>
    public SortedDictionary<string, MetadataStem> Stems { get; init; } = new(StringComparer.Ordinal);

    // ours
    public string SongId { get; init; } = string.Empty;

    public string Folder { get; init; } = string.Empty;

    public string SubGenre { get; init; } = string.Empty;

    /// <summary>The source archive or dataset folder (the catalog's origin).</summary>
    public string SourceArchive { get; init; } = string.Empty;

    /// <summary>Hash of the raw tracks' content hashes, labels, hierarchy, parameters and song fields: equal key, nothing to do.</summary>
    public string RenderKey { get; init; } = string.Empty;

    /// <summary>Like <see cref="RenderKey"/> without the song's descriptive fields: equal key, the audio is up to date.</summary>
    public string AudioKey { get; init; } = string.Empty;

    public MetadataHierarchy Hierarchy { get; init; } = new();

    public string Mode { get; init; } = string.Empty;

    public MetadataParameters Parameters { get; init; } = new();

    public int SampleRate { get; init; }

    public int Channels { get; init; }

    public long Frames { get; init; }

    public double DurationS { get; init; }

    /// <summary>The common gain (dB, &lt;= 0) every stem and the mixture got so that nothing passes the ceiling; 0 when none was needed.</summary>
    public double MixGainDb { get; init; }

    /// <summary>The output whose peak set <see cref="MixGainDb"/> (empty when no common gain was needed).</summary>
    public string MixGainSource { get; init; } = string.Empty;

    public MetadataOutput Mix { get; init; } = new();

    /// <summary>Stems of level 2 and up (groups of the level below).</summary>
    public List<MetadataStem> GroupStems { get; init; } = [];

    /// <summary>Every labelled raw track of the song, mixed or not.</summary>
    public List<MetadataRawTrack> RawTracks { get; init; } = [];

    public List<QuarantineRecord> Quarantine { get; init; } = [];

    /// <summary>Every stem, level 1 first, then the groups, in level order.</summary>
    [YamlIgnore]
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<MetadataStem> AllStems => Stems.Values.Concat(GroupStems);

    public const string SchemaName = "render-metadata.schema.json";

    public string ToYaml()
    {
        var serializer = new SerializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .WithQuotingNecessaryStrings()
            .DisableAliases()
            .Build();
        return "# DatasetForge render metadata (schema: schemas/render-metadata.schema.json). MedleyDB keys first, then ours.\n"
            + serializer.Serialize(this);
    }

    public void Write(string path) => AtomicFile.WriteAllText(path, ToYaml());

    /// <summary>Reads and validates a metadata file; errors name the file, line and key.</summary>
    public static SongMetadata Read(string path) =>
        SchemaValidatedConfig.Load<SongMetadata>(File.ReadAllText(path), path, SchemaName);

    /// <summary>The metadata at <paramref name="path"/>, or null when it is missing or unreadable (an interrupted or older render: redo it).</summary>
    public static SongMetadata? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return Read(path);
        }
        catch (ConfigException)
        {
            return null;
        }
    }
}

/// <summary>One rendered audio file (a stem or the mixture) and what was measured on it.</summary>
public class MetadataOutput
{
    public string Filename { get; init; } = string.Empty;

    /// <summary>loudness, peak, or none (a sum of its children).</summary>
    public string Normalization { get; init; } = "none";

    /// <summary>ok, silent (nothing to normalize: kept at unit gain) or too_short (shorter than one gating block).</summary>
    public string Status { get; init; } = "ok";

    /// <summary>Integrated loudness of the raw sum (before any gain); null when undefined.</summary>
    public double? LufsBefore { get; init; }

    /// <summary>Integrated loudness of the written file; null when undefined.</summary>
    public double? LufsAfter { get; init; }

    public double? PeakDbfsBefore { get; init; }

    public double? PeakDbfsAfter { get; init; }

    /// <summary>The normalization gain (dB) of this stem, before the song's common <c>mix_gain_db</c>; 0 for sums.</summary>
    public double GainDb { get; init; }

    public int NTracks { get; init; }

    /// <summary>Hash of exactly what makes this file's samples (sources, gains, format): equal key, the file is not rewritten.</summary>
    public string Key { get; init; } = string.Empty;

    public string Xxh128 { get; init; } = string.Empty;

    public long SizeBytes { get; init; }
}

/// <summary>A stem: MedleyDB's `instrument`, `component`, `raw` and ours.</summary>
public sealed class MetadataStem : MetadataOutput
{
    public string Component { get; init; } = string.Empty;

    /// <summary>The hierarchy node (MedleyDB's instrument field holds it too).</summary>
    public string Instrument { get; init; } = string.Empty;

    public int Level { get; init; }

    public string Node { get; init; } = string.Empty;

    /// <summary>Nodes of the level below summed into this stem (levels 2 and up).</summary>
    public List<string> Children { get; init; } = [];

    /// <summary>Level 1: the raw tracks summed into the stem, MedleyDB style (R01.. with filename and instrument = fine label).</summary>
    public SortedDictionary<string, MetadataRawRef>? Raw { get; init; }
}

/// <summary>A raw track as MedleyDB lists it under a stem.</summary>
public sealed class MetadataRawRef
{
    public string Filename { get; init; } = string.Empty;

    public string Instrument { get; init; } = string.Empty;
}

/// <summary>One labelled raw track of the song.</summary>
public sealed class MetadataRawTrack
{
    /// <summary>The engineer's file name (the catalog's `file`).</summary>
    public string File { get; init; } = string.Empty;

    /// <summary>Its name in `_RAW/` (the same unless two tracks share a name).</summary>
    public string RawFilename { get; init; } = string.Empty;

    public string Label { get; init; } = string.Empty;

    public string Instrument { get; init; } = string.Empty;

    /// <summary>True when the track is summed into the stems (not unused, ambient_mic, unknown or unreadable).</summary>
    public bool Mixed { get; init; }

    /// <summary>ok, excluded (its instrument never enters a sum) or unreadable (see quarantine).</summary>
    public string Status { get; init; } = "ok";

    public int SampleRate { get; init; }

    public int Channels { get; init; }

    public long Frames { get; init; }

    /// <summary>How its channels were placed in the output channels.</summary>
    public string ChannelMap { get; init; } = string.Empty;

    public string Xxh128 { get; init; } = string.Empty;

    public long SizeBytes { get; init; }

    /// <summary>Last write time of the source (UTC ticks): with the size, lets a re-run reuse the stored hash.</summary>
    public long MtimeTicks { get; init; }

    public string SourcePath { get; init; } = string.Empty;
}

public sealed class MetadataHierarchy
{
    public string Name { get; init; } = string.Empty;

    public string Origin { get; init; } = string.Empty;

    public string Sha256 { get; init; } = string.Empty;
}

public sealed class MetadataParameters
{
    public double TargetLufs { get; init; }

    public double PeakDbfs { get; init; }

    public double CeilingDbfs { get; init; }

    public double SilenceFloorDb { get; init; }

    public string Encoding { get; init; } = string.Empty;

    public string Resampler { get; init; } = string.Empty;

    public string Fingerprint { get; init; } = string.Empty;
}
