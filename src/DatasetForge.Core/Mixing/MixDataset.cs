using System.Globalization;
using DatasetForge.Audio;
using DatasetForge.Common;

namespace DatasetForge.Mixing;

/// <summary>A song of the dataset (manifests/songs.csv) with its split (splits.csv).</summary>
public sealed record DatasetSong(string SongId, string Folder, string MixPath, int SampleRate, int Channels, long Frames, string Split)
{
    public override string ToString() => SongId;
}

/// <summary>A rendered stem (manifests/stems.csv); <see cref="Path"/> is relative to the dataset folder, '/'-separated.</summary>
public sealed record DatasetStem(string SongId, int Level, string Node, string Path, int SampleRate, int Channels, long Frames, string Status);

/// <summary>A row of analysis/segments.csv (start/end in seconds).</summary>
public sealed record DatasetSegment(string SongId, string Source, int Level, string Name, string Method, double StartSeconds, double EndSeconds, bool Salient);

/// <summary>A row of analysis/saliency.csv: one 10 s frame of one node.</summary>
public sealed record SaliencyFrame(string SongId, int Level, string Node, int Frame, double StartSeconds, double EndSeconds, double RmsDb, bool Salient);

/// <summary>How <see cref="MixDataset.Load"/> reads a dataset.</summary>
public sealed record MixDatasetOptions
{
    /// <summary>Open every stem and mixture header once and leave out files that are unreadable or disagree with the manifest.</summary>
    public bool VerifyFiles { get; init; } = true;
}

/// <summary>
/// The parts of a rendered dataset (docs/CONTRACTS.md sections 3 and 4) the mix stream needs: songs, stems,
/// splits, salient segments and hierarchical saliency. Rows are sorted (songs by id, stems by song/level/node,
/// segments by start) so plans do not depend on the order of rows in the files. Bad rows and unreadable files
/// become <see cref="Issues"/> (file:line: reason) and are left out; loading goes on.
/// </summary>
public sealed class MixDataset
{
    private readonly Dictionary<string, DatasetSong> songsById;
    private readonly Dictionary<(string Song, int Level, string Node), DatasetStem> stemByKey;
    private readonly ILookup<(string Song, int Level, string Name), DatasetSegment> segmentsByStem;
    private readonly ILookup<(string Song, int Level, string Node), SaliencyFrame> saliencyByNode;
    private readonly ILookup<(string Song, int Level), SaliencyFrame> saliencyByLevel;

    private MixDataset(string root, List<DatasetSong> songs, List<DatasetStem> stems, List<DatasetSegment> segments, List<SaliencyFrame> saliency,
        List<QuarantineRecord> issues, string key, bool hasSplits)
    {
        Root = root;
        Songs = songs;
        Stems = stems;
        Segments = segments;
        Saliency = saliency;
        Issues = issues;
        Key = key;
        HasSplits = hasSplits;
        songsById = songs.ToDictionary(s => s.SongId, StringComparer.Ordinal);
        stemByKey = stems.ToDictionary(s => (s.SongId, s.Level, s.Node));
        segmentsByStem = segments.Where(s => s.Source == "stem").ToLookup(s => (s.SongId, s.Level, s.Name));
        saliencyByNode = saliency.ToLookup(f => (f.SongId, f.Level, f.Node));
        saliencyByLevel = saliency.ToLookup(f => (f.SongId, f.Level));
    }

    /// <summary>The dataset folder (absolute).</summary>
    public string Root { get; }

    public IReadOnlyList<DatasetSong> Songs { get; }

    /// <summary>Stems whose file is usable (status ok, header agrees with the manifest when verified).</summary>
    public IReadOnlyList<DatasetStem> Stems { get; }

    public IReadOnlyList<DatasetSegment> Segments { get; }

    public IReadOnlyList<SaliencyFrame> Saliency { get; }

    /// <summary>Rows and files left out, with the reason (item = file:line or file path).</summary>
    public IReadOnlyList<QuarantineRecord> Issues { get; }

    /// <summary>Hash of the manifests and analysis files read: the dataset's identity for checkpoints.</summary>
    public string Key { get; }

    /// <summary>False when splits.csv is missing (every song is then in split "train").</summary>
    public bool HasSplits { get; }

    public DatasetSong? Song(string songId) => songsById.GetValueOrDefault(songId);

    public DatasetStem? Stem(string songId, int level, string node) => stemByKey.GetValueOrDefault((songId, level, node));

    /// <summary>segments.csv rows of a stem (source "stem"), sorted by method and start.</summary>
    public IEnumerable<DatasetSegment> SegmentsOf(string songId, int level, string node) => segmentsByStem[(songId, level, node)];

    /// <summary>saliency.csv frames of one node of a song, sorted by start.</summary>
    public IEnumerable<SaliencyFrame> SaliencyOf(string songId, int level, string node) => saliencyByNode[(songId, level, node)];

    /// <summary>saliency.csv frames of every node of one level of a song.</summary>
    public IEnumerable<SaliencyFrame> SaliencyOf(string songId, int level) => saliencyByLevel[(songId, level)];

    /// <summary>Absolute path of a dataset-relative path.</summary>
    public string FullPath(string relativePath) => System.IO.Path.Combine(Root, relativePath.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public static MixDataset Load(string datasetDir, MixDatasetOptions? options = null)
    {
        options ??= new MixDatasetOptions();
        var root = System.IO.Path.GetFullPath(datasetDir);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"{datasetDir}: dataset folder not found");
        }

        var issues = new List<QuarantineRecord>();
        var keyParts = new List<string>();
        string Manifest(params string[] parts) => System.IO.Path.Combine([root, .. parts]);

        var songsCsv = Manifest("manifests", "songs.csv");
        var stemsCsv = Manifest("manifests", "stems.csv");
        foreach (var required in new[] { songsCsv, stemsCsv })
        {
            if (!File.Exists(required))
            {
                throw new FileNotFoundException($"{required}: missing (a rendered dataset has manifests/songs.csv and manifests/stems.csv; see docs/CONTRACTS.md)");
            }
        }

        var splitsCsv = Manifest("splits.csv");
        var splits = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasSplits = File.Exists(splitsCsv);
        if (hasSplits)
        {
            foreach (var row in ReadTable(splitsCsv, ["song_id", "split"], issues, keyParts))
            {
                var split = row.Get("split")!;
                if (split is not ("train" or "validation" or "test"))
                {
                    issues.Add(Bad(splitsCsv, row, $"split '{split}' is not train, validation or test"));
                    continue;
                }

                splits[row.Get("song_id")!] = split;
            }
        }

        var songs = new List<DatasetSong>();
        foreach (var row in ReadTable(songsCsv, ["song_id", "mix_path", "sample_rate", "channels", "frames"], issues, keyParts))
        {
            var id = row.Get("song_id")!;
            if (!TryInt(row, "sample_rate", out var rate, 1) || !TryInt(row, "channels", out var channels, 1) || !TryLong(row, "frames", out var frames, 0))
            {
                issues.Add(Bad(songsCsv, row, "sample_rate, channels and frames must be positive integers"));
                continue;
            }

            if (songs.Any(s => s.SongId == id))
            {
                issues.Add(Bad(songsCsv, row, $"song '{id}' appears twice (the first row is kept)"));
                continue;
            }

            var split = hasSplits ? splits.GetValueOrDefault(id) : "train";
            if (split is null)
            {
                issues.Add(new QuarantineRecord($"{splitsCsv}", "mix", $"song '{id}' has no split (left out of every split)"));
                split = "none";
            }

            songs.Add(new DatasetSong(id, row.Get("folder") ?? string.Empty, row.Get("mix_path")!, rate, channels, frames, split));
        }

        songs.Sort((a, b) => string.CompareOrdinal(a.SongId, b.SongId));
        var songIds = songs.Select(s => s.SongId).ToHashSet(StringComparer.Ordinal);

        var stems = new List<DatasetStem>();
        var seenStems = new HashSet<(string, int, string)>();
        foreach (var row in ReadTable(stemsCsv, ["song_id", "level", "node", "path", "sample_rate", "channels", "frames"], issues, keyParts))
        {
            var id = row.Get("song_id")!;
            if (!TryInt(row, "level", out var level, 1) || !TryInt(row, "sample_rate", out var rate, 1) || !TryInt(row, "channels", out var channels, 1)
                || !TryLong(row, "frames", out var frames, 0))
            {
                issues.Add(Bad(stemsCsv, row, "level, sample_rate, channels and frames must be positive integers"));
                continue;
            }

            if (!songIds.Contains(id))
            {
                issues.Add(Bad(stemsCsv, row, $"song '{id}' is not in manifests/songs.csv"));
                continue;
            }

            var status = row.Get("status") ?? "ok";
            var node = row.Get("node")!;
            if (!seenStems.Add((id, level, node)))
            {
                issues.Add(Bad(stemsCsv, row, $"stem L{level} '{node}' of '{id}' appears twice (the first row is kept)"));
                continue;
            }

            if (status != "ok")
            {
                continue; // silent / too short stems are known to be unusable; the render stage already reported them
            }

            stems.Add(new DatasetStem(id, level, node, row.Get("path")!, rate, channels, frames, status));
        }

        var segments = new List<DatasetSegment>();
        var segmentsCsv = Manifest("analysis", "segments.csv");
        if (File.Exists(segmentsCsv))
        {
            foreach (var row in ReadTable(segmentsCsv, ["song_id", "source", "level", "name", "method", "start_s", "end_s", "salient"], issues, keyParts))
            {
                if (!TryInt(row, "level", out var level, 0) || !TryDouble(row, "start_s", out var start) || !TryDouble(row, "end_s", out var end)
                    || !TryBool(row.Get("salient"), out var salient) || end < start || start < 0)
                {
                    issues.Add(Bad(segmentsCsv, row, "level, start_s <= end_s and salient (true/false) must be valid"));
                    continue;
                }

                segments.Add(new DatasetSegment(row.Get("song_id")!, row.Get("source")!, level, row.Get("name")!, row.Get("method")!, start, end, salient));
            }
        }

        var saliency = new List<SaliencyFrame>();
        var saliencyCsv = Manifest("analysis", "saliency.csv");
        if (File.Exists(saliencyCsv))
        {
            foreach (var row in ReadTable(saliencyCsv, ["song_id", "level", "node", "start_s", "end_s", "salient"], issues, keyParts))
            {
                if (!TryInt(row, "level", out var level, 1) || !TryDouble(row, "start_s", out var start) || !TryDouble(row, "end_s", out var end)
                    || !TryBool(row.Get("salient"), out var salient) || end < start || start < 0)
                {
                    issues.Add(Bad(saliencyCsv, row, "level, start_s <= end_s and salient (true/false) must be valid"));
                    continue;
                }

                var frame = TryInt(row, "frame", out var f, 0) ? f : 0;
                var rms = TryDouble(row, "rms_db", out var r) ? r : double.NaN;
                saliency.Add(new SaliencyFrame(row.Get("song_id")!, level, row.Get("node")!, frame, start, end, rms, salient));
            }
        }

        if (options.VerifyFiles)
        {
            stems = stems.Where(s => Verify(root, s.Path, s.SampleRate, s.Channels, s.Frames, $"stem L{s.Level} '{s.Node}' of '{s.SongId}'", issues)).ToList();
            songs = songs.Select(s => Verify(root, s.MixPath, s.SampleRate, s.Channels, s.Frames, $"mixture of '{s.SongId}'", issues) ? s : s with { MixPath = string.Empty })
                .ToList();
        }

        stems.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.SongId, b.SongId);
            c = c != 0 ? c : a.Level.CompareTo(b.Level);
            return c != 0 ? c : string.CompareOrdinal(a.Node, b.Node);
        });
        segments.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.SongId, b.SongId);
            c = c != 0 ? c : a.Level.CompareTo(b.Level);
            c = c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
            c = c != 0 ? c : string.CompareOrdinal(a.Method, b.Method);
            return c != 0 ? c : a.StartSeconds.CompareTo(b.StartSeconds);
        });
        saliency.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.SongId, b.SongId);
            c = c != 0 ? c : a.Level.CompareTo(b.Level);
            c = c != 0 ? c : string.CompareOrdinal(a.Node, b.Node);
            return c != 0 ? c : a.StartSeconds.CompareTo(b.StartSeconds);
        });

        var key = ContentHash.OfParts([.. keyParts]);
        return new MixDataset(root, songs, stems, segments, saliency, issues, key, hasSplits);
    }

    private static bool Verify(string root, string relative, int rate, int channels, long frames, string what, List<QuarantineRecord> issues)
    {
        if (string.IsNullOrEmpty(relative))
        {
            return false;
        }

        var path = System.IO.Path.Combine(root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
        try
        {
            var info = AudioFile.ReadInfo(path);
            var problems = new List<string>();
            if (info.SampleRate != rate)
            {
                problems.Add($"sample rate {info.SampleRate}, manifest says {rate}");
            }

            if (info.Channels != channels)
            {
                problems.Add($"{info.Channels} channels, manifest says {channels}");
            }

            if (info.Frames != frames)
            {
                problems.Add($"{info.Frames} frames, manifest says {frames}");
            }

            if (problems.Count == 0)
            {
                return true;
            }

            issues.Add(new QuarantineRecord(path, "mix", $"{what}: {string.Join("; ", problems)}"));
            return false;
        }
        catch (AudioFormatException e)
        {
            issues.Add(new QuarantineRecord(path, "mix", $"{what}: {e.Reason}"));
            return false;
        }
    }

    private static IEnumerable<CsvTable.Row> ReadTable(string path, string[] required, List<QuarantineRecord> issues, List<string> keyParts)
    {
        keyParts.Add(System.IO.Path.GetFileName(path));
        keyParts.Add(ContentHash.OfFile(path));
        var (header, rows) = CsvTable.ReadRows(path);
        var missing = required.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{path}: missing column(s) {string.Join(", ", missing)} (docs/CONTRACTS.md)");
        }

        foreach (var row in rows)
        {
            var empty = required.Where(c => row.Get(c) is null && c != "frame").ToList();
            if (empty.Count > 0)
            {
                issues.Add(Bad(path, row, $"empty {string.Join(", ", empty)}"));
                continue;
            }

            yield return row;
        }
    }

    private static QuarantineRecord Bad(string path, CsvTable.Row row, string reason) => new($"{path}:{row.Line}", "mix", reason);

    private static bool TryInt(CsvTable.Row row, string column, out int value, int min) =>
        int.TryParse(row.Get(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min;

    private static bool TryLong(CsvTable.Row row, string column, out long value, long min) =>
        long.TryParse(row.Get(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min;

    private static bool TryDouble(CsvTable.Row row, string column, out double value) =>
        double.TryParse(row.Get(column), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>true/false, 1/0, yes/no (any case).</summary>
    internal static bool TryBool(string? text, out bool value)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "1.0":
                value = true;
                return true;
            case "false" or "0" or "no" or "0.0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
