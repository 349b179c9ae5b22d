using DatasetForge.Common;
using DatasetForge.Common.Config;

namespace DatasetForge.Render;

/// <summary>A row of `manifests/songs.csv` (schema `dataset-song.schema.json`). Paths are relative to the dataset folder, '/'-separated.</summary>
public sealed record DatasetSongRow(
    string SongId,
    string Artist,
    string Title,
    string BroadGenre,
    string SubGenre,
    string Folder,
    string MixPath,
    int SampleRate,
    int Channels,
    long Frames,
    double DurationS,
    int NRawTracks,
    double MixGainDb,
    string RenderKey);

/// <summary>A row of `manifests/stems.csv` (schema `dataset-stem.schema.json`): one rendered stem. Loudness and peaks are empty when undefined.</summary>
public sealed record DatasetStemRow(
    string SongId,
    int Level,
    string Node,
    string Path,
    int SampleRate,
    int Channels,
    long Frames,
    string Normalization,
    double? LufsBefore,
    double? LufsAfter,
    double? PeakDbfsAfter,
    double GainDb,
    string Status,
    int NTracks);

/// <summary>A row of `manifests/raw_tracks.csv` (schema `dataset-raw-track.schema.json`): a labelled raw track in `_RAW/`.</summary>
public sealed record DatasetRawTrackRow(
    string SongId,
    string File,
    string Path,
    string Label,
    string Instrument,
    int SampleRate,
    int Channels,
    long Frames);

/// <summary>`dataset.yaml` (schema `dataset.schema.json`): what built the dataset.</summary>
public sealed class DatasetInfo
{
    public string Tool { get; init; } = "DatasetForge render";

    public string Hierarchy { get; init; } = string.Empty;

    public string HierarchyOrigin { get; init; } = string.Empty;

    public string HierarchySha256 { get; init; } = string.Empty;

    public string Mode { get; init; } = string.Empty;

    public MetadataParameters Parameters { get; init; } = new();

    public int SampleRate { get; init; }

    public int Channels { get; init; }

    public string Labels { get; init; } = string.Empty;

    public string Catalog { get; init; } = string.Empty;

    public const string FileName = "dataset.yaml";

    public void Write(string datasetDir)
    {
        var serializer = new YamlDotNet.Serialization.SerializerBuilder()
            .WithNamingConvention(YamlDotNet.Serialization.NamingConventions.UnderscoredNamingConvention.Instance)
            .WithQuotingNecessaryStrings()
            .Build();
        AtomicFile.WriteAllText(Path.Combine(datasetDir, FileName), "# What built this dataset (schema: schemas/dataset.schema.json)\n" + serializer.Serialize(this));
    }

    public static DatasetInfo? TryRead(string datasetDir)
    {
        var path = Path.Combine(datasetDir, FileName);
        return File.Exists(path) ? SchemaValidatedConfig.Load<DatasetInfo>(File.ReadAllText(path), path, "dataset.schema.json") : null;
    }
}

/// <summary>What <see cref="DatasetManifests.Gather"/> found.</summary>
public sealed record GatherResult(IReadOnlyList<SongMetadata> Songs, IReadOnlyList<QuarantineRecord> Problems)
{
    /// <summary>Song ids whose folders are in the dataset but were left out of the manifests (see <see cref="DatasetManifests.Gather"/>).</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];
}

/// <summary>
/// The gather step: reads every song's `_METADATA.yaml` (the per-song truth) and writes the dataset-level manifests
/// `manifests/songs.csv`, `stems.csv` and `raw_tracks.csv` (docs/CONTRACTS.md section 3). Cheap (no audio is read),
/// so songs rendered on several machines into one folder are gathered once at the end.
/// </summary>
public static class DatasetManifests
{
    public const string SongsFile = "manifests/songs.csv";
    public const string StemsFile = "manifests/stems.csv";
    public const string RawTracksFile = "manifests/raw_tracks.csv";
    public const string QuarantineFile = "manifests/quarantine.csv";

    /// <summary>Every song folder's metadata (sorted by song id); unreadable files become problems.</summary>
    public static GatherResult ReadAll(string datasetDir)
    {
        var songs = new List<SongMetadata>();
        var problems = new List<QuarantineRecord>();
        if (!Directory.Exists(datasetDir))
        {
            throw new DirectoryNotFoundException($"{datasetDir}: dataset folder not found");
        }

        foreach (var dir in Directory.EnumerateDirectories(datasetDir).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            var path = Path.Combine(dir, name + "_METADATA.yaml");
            if (name.StartsWith('.') || !File.Exists(path))
            {
                continue;
            }

            try
            {
                songs.Add(SongMetadata.Read(path));
            }
            catch (ConfigException e)
            {
                problems.Add(new QuarantineRecord(path, "gather", e.Message.Split('\n')[0]));
            }
        }

        songs.Sort((a, b) => string.CompareOrdinal(a.SongId, b.SongId));
        return new GatherResult(songs, problems);
    }

    /// <summary>Reads every song's metadata and writes the manifests (plus `manifests/quarantine.csv` with <paramref name="extraProblems"/> and the songs' own).</summary>
    /// <param name="include">which song ids belong in the manifests (null: every song folder); the others' folders stay on disk.</param>
    public static GatherResult Gather(string datasetDir, IEnumerable<QuarantineRecord>? extraProblems = null, Func<string, bool>? include = null)
    {
        var read = ReadAll(datasetDir);
        if (include is not null)
        {
            read = read with { Songs = read.Songs.Where(s => include(s.SongId)).ToList(), LeftOut = read.Songs.Select(s => s.SongId).Where(id => !include(id)).ToList() };
        }

        CsvTable.Write(Path.Combine(datasetDir, SongsFile), read.Songs.Select(SongRow));
        CsvTable.Write(Path.Combine(datasetDir, StemsFile), read.Songs.SelectMany(StemRows));
        CsvTable.Write(Path.Combine(datasetDir, RawTracksFile), read.Songs.SelectMany(RawRows));
        var problems = (extraProblems ?? []).Concat(read.Problems).Concat(read.Songs.SelectMany(s => s.Quarantine)).Distinct().ToList();
        CsvTable.Write(Path.Combine(datasetDir, QuarantineFile), problems);
        return read with { Problems = problems };
    }

    public static DatasetSongRow SongRow(SongMetadata s) => new(
        s.SongId, s.Artist, s.Title, s.Genre, s.SubGenre, s.Folder, $"{s.Folder}/{s.MixFilename}", s.SampleRate, s.Channels, s.Frames, s.DurationS,
        s.RawTracks.Count(r => r.Status != "unreadable"), s.MixGainDb, s.RenderKey);

    public static IEnumerable<DatasetStemRow> StemRows(SongMetadata s) =>
        s.AllStems.OrderBy(t => t.Level).Select(t => new DatasetStemRow(
            s.SongId, t.Level, t.Node, $"{s.Folder}/{s.StemDir}/{t.Filename}", s.SampleRate, s.Channels, s.Frames, t.Normalization, t.LufsBefore, t.LufsAfter,
            t.PeakDbfsAfter, t.GainDb, t.Status, t.NTracks));

    public static IEnumerable<DatasetRawTrackRow> RawRows(SongMetadata s) =>
        s.RawTracks.Where(r => r.Status != "unreadable").Select(r => new DatasetRawTrackRow(
            s.SongId, r.File, $"{s.Folder}/{s.RawDir}/{r.RawFilename}", r.Label, r.Instrument, r.SampleRate, r.Channels, r.Frames));
}
