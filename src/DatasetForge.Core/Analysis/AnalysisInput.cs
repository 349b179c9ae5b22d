using System.Globalization;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Hierarchy;
using DatasetForge.Labels;

namespace DatasetForge.Analysis;

/// <summary>What the analysis reads: a rendered dataset (stems and raw tracks) or an ingested catalog (raw tracks only).</summary>
public enum AnalysisInputKind
{
    Dataset,
    Catalog,
}

/// <summary>A raw track of a song: the engineer's file name, where it is, its fine label and level-1 instrument.</summary>
public sealed record AnalysisTrack(string File, string Path, string Label, string Instrument);

/// <summary>A rendered stem: its level and node, where it is, and its render status.</summary>
public sealed record AnalysisStem(int Level, string Node, string Path, string Status);

/// <summary>One song: the unit of work of the analysis stage.</summary>
public sealed record AnalysisSong(string SongId, string Folder, IReadOnlyList<AnalysisTrack> Tracks, IReadOnlyList<AnalysisStem> Stems, string? RenderKey);

/// <summary>
/// Reads a dataset (docs/CONTRACTS.md section 3: `manifests/songs.csv`, `stems.csv`, `raw_tracks.csv`) or a catalog
/// (section 1: `catalog/tracks.csv`, labelled by `labels.csv` from `--labels`, else `DIR/labels/labels.csv`, else by
/// the label rules on the fly) into songs. Columns are found by header name; paths are relative to the folder
/// (catalog paths also to `catalog/`) unless absolute. Rows that cannot be used become warnings naming file and line.
/// </summary>
public sealed record AnalysisInput(AnalysisInputKind Kind, string Root, HierarchyDefinition Hierarchy, IReadOnlyList<AnalysisSong> Songs, IReadOnlyList<string> Warnings)
{
    public string AnalysisDir => System.IO.Path.Combine(Root, "analysis");

    public static AnalysisInput Open(string root, string? labels = null, string? hierarchy = null)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"{root}: no such folder");
        }

        var manifests = System.IO.Path.Combine(root, "manifests");
        if (File.Exists(System.IO.Path.Combine(manifests, "stems.csv")) || File.Exists(System.IO.Path.Combine(manifests, "raw_tracks.csv")))
        {
            return OpenDataset(root, hierarchy);
        }

        if (File.Exists(System.IO.Path.Combine(root, "catalog", "tracks.csv")))
        {
            return OpenCatalog(root, labels, hierarchy);
        }

        throw new FileNotFoundException($"{root}: neither a dataset (manifests/stems.csv, manifests/raw_tracks.csv) nor a catalog (catalog/tracks.csv)");
    }

    private static AnalysisInput OpenDataset(string root, string? hierarchyName)
    {
        var warnings = new List<string>();
        var hierarchy = HierarchyDefinition.Load(hierarchyName ?? DatasetHierarchy(root) ?? "ms21");
        var songsPath = System.IO.Path.Combine(root, "manifests", "songs.csv");
        var folders = new Dictionary<string, (string Folder, string? Key)>(StringComparer.Ordinal);
        var order = new List<string>();
        if (File.Exists(songsPath))
        {
            foreach (var row in CsvTable.ReadRows(songsPath).Rows)
            {
                if (row.Get("song_id") is not { } id)
                {
                    warnings.Add($"{songsPath}:{row.Line}: no song_id; row skipped");
                    continue;
                }

                folders[id] = (row.Get("folder") ?? SafeFolder(id), row.Get("render_key"));
                order.Add(id);
            }
        }

        var tracks = new Dictionary<string, List<AnalysisTrack>>(StringComparer.Ordinal);
        var rawPath = System.IO.Path.Combine(root, "manifests", "raw_tracks.csv");
        if (File.Exists(rawPath))
        {
            foreach (var row in CsvTable.ReadRows(rawPath).Rows)
            {
                var (id, file, path) = (row.Get("song_id"), row.Get("file"), row.Get("path"));
                if (id is null || file is null || path is null)
                {
                    warnings.Add($"{rawPath}:{row.Line}: needs song_id, file and path; row skipped");
                    continue;
                }

                var label = row.Get("label") ?? HierarchyDefinition.Unknown;
                Add(tracks, id, new AnalysisTrack(file, Resolve(root, path), label, row.Get("instrument") ?? hierarchy.InstrumentOf(label)));
                Remember(order, folders, id);
            }
        }

        var stems = new Dictionary<string, List<AnalysisStem>>(StringComparer.Ordinal);
        var stemsPath = System.IO.Path.Combine(root, "manifests", "stems.csv");
        if (File.Exists(stemsPath))
        {
            foreach (var row in CsvTable.ReadRows(stemsPath).Rows)
            {
                var (id, node, path) = (row.Get("song_id"), row.Get("node"), row.Get("path"));
                if (id is null || node is null || path is null || !int.TryParse(row.Get("level"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var level))
                {
                    warnings.Add($"{stemsPath}:{row.Line}: needs song_id, level (integer), node and path; row skipped");
                    continue;
                }

                Add(stems, id, new AnalysisStem(level, node, Resolve(root, path), row.Get("status") ?? "ok"));
                Remember(order, folders, id);
            }
        }

        var songs = order.Distinct(StringComparer.Ordinal).Select(id => new AnalysisSong(id, folders[id].Folder,
            tracks.TryGetValue(id, out var t) ? t : [], stems.TryGetValue(id, out var s) ? s : [], folders[id].Key)).ToList();
        return new AnalysisInput(AnalysisInputKind.Dataset, root, hierarchy, songs, warnings);
    }

    private static AnalysisInput OpenCatalog(string root, string? labelsPath, string? hierarchyName)
    {
        var warnings = new List<string>();
        var hierarchy = HierarchyDefinition.Load(hierarchyName ?? "ms21");
        var tracksPath = System.IO.Path.Combine(root, "catalog", "tracks.csv");
        var (header, rows) = CsvTable.ReadRows(tracksPath);
        if (!header.Contains("song_id") || !header.Contains("file"))
        {
            throw new InvalidDataException($"{tracksPath}: needs 'song_id' and 'file' columns (docs/CONTRACTS.md section 1)");
        }

        var entries = new List<(string SongId, string File, string Path)>();
        foreach (var row in rows)
        {
            var (id, file) = (row.Get("song_id"), row.Get("file"));
            if (id is null || file is null)
            {
                warnings.Add($"{tracksPath}:{row.Line}: no song_id or file; row skipped");
                continue;
            }

            var path = row.Get("path");
            var resolved = path is null ? null : Resolve(root, path, System.IO.Path.Combine(root, "catalog"));
            if (resolved is null)
            {
                warnings.Add($"{tracksPath}:{row.Line}: {id} / {file}: no path; row skipped");
                continue;
            }

            entries.Add((id, file, resolved));
        }

        // Labels: a labels.csv (ours, issue 4) when there is one, else the rules on the fly.
        var labelFile = labelsPath is null ? System.IO.Path.Combine(root, "labels", "labels.csv")
            : Directory.Exists(labelsPath) ? System.IO.Path.Combine(labelsPath, "labels.csv") : labelsPath;
        var labels = new Dictionary<(string, string), string>();
        if (File.Exists(labelFile))
        {
            foreach (var row in CsvTable.ReadRows(labelFile).Rows)
            {
                if (row.Get("song_id") is { } id && row.Get("file") is { } file && row.Get("label") is { } label)
                {
                    labels[(id, file)] = label;
                }
            }
        }
        else if (labelsPath is not null)
        {
            throw new FileNotFoundException($"{labelFile}: no such labels file");
        }
        else
        {
            warnings.Add($"{root}: no labels/labels.csv; tracks labelled by the built-in rules (run `forge label` to review them)");
            var labeler = new TrackLabeler(LabelRuleSet.Default, hierarchy);
            foreach (var song in entries.GroupBy(e => e.SongId, StringComparer.Ordinal))
            {
                var files = song.Select(e => e.File).ToList();
                var result = labeler.LabelSong(song.Key, files);
                for (var i = 0; i < files.Count; i++)
                {
                    labels[(song.Key, files[i])] = result[i].Label;
                }
            }
        }

        var songs = new List<AnalysisSong>();
        foreach (var song in entries.GroupBy(e => e.SongId, StringComparer.Ordinal))
        {
            var list = new List<AnalysisTrack>();
            foreach (var (id, file, path) in song)
            {
                if (!labels.TryGetValue((id, file), out var label))
                {
                    warnings.Add($"{labelFile}: no label for {id} / {file}; treated as unknown");
                    label = HierarchyDefinition.Unknown;
                }

                list.Add(new AnalysisTrack(file, path, label, hierarchy.InstrumentOf(label)));
            }

            songs.Add(new AnalysisSong(song.Key, SafeFolder(song.Key), list, [], null));
        }

        return new AnalysisInput(AnalysisInputKind.Catalog, root, hierarchy, songs, warnings);
    }

    /// <summary>The hierarchy named in `dataset.yaml` (a `hierarchy:` or `hierarchy_preset:` key holding a name or path), if any.</summary>
    private static string? DatasetHierarchy(string root)
    {
        var path = System.IO.Path.Combine(root, "dataset.yaml");
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var trimmed = line.Trim();
            foreach (var key in new[] { "hierarchy:", "hierarchy_preset:" })
            {
                if (line.StartsWith(key, StringComparison.Ordinal) && trimmed.Length > key.Length)
                {
                    var value = trimmed[key.Length..].Trim().Trim('"', '\'');
                    if (value.Length > 0 && !value.StartsWith('#'))
                    {
                        return value;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>A song id as a folder name: characters no file system accepts become '_', no leading/trailing dots or spaces.</summary>
    public static string SafeFolder(string songId)
    {
        var chars = songId.Select(c => c is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|' || char.IsControl(c) ? '_' : c).ToArray();
        var name = new string(chars).Trim().Trim('.');
        return name.Length == 0 ? "_" : name;
    }

    private static string Resolve(string root, string path, string? alternative = null)
    {
        if (System.IO.Path.IsPathRooted(path))
        {
            return path;
        }

        var relative = path.Replace('/', System.IO.Path.DirectorySeparatorChar);
        var first = System.IO.Path.Combine(root, relative);
        if (alternative is not null && !File.Exists(first) && File.Exists(System.IO.Path.Combine(alternative, relative)))
        {
            return System.IO.Path.Combine(alternative, relative);
        }

        return first;
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            list = [];
            map[key] = list;
        }

        list.Add(value);
    }

    private static void Remember(List<string> order, Dictionary<string, (string Folder, string? Key)> folders, string id)
    {
        if (!folders.ContainsKey(id))
        {
            folders[id] = (SafeFolder(id), null);
            order.Add(id);
        }
    }

    /// <summary>Throws unless <paramref name="info"/> matches the other stems of the song (same rate per contract).</summary>
    internal static void CheckSameRate(AudioFileInfo info, int rate)
    {
        if (info.SampleRate != rate)
        {
            throw new AudioFormatException(info.Path, $"stem rate {info.SampleRate} Hz differs from the song's {rate} Hz (all stems of a song must share one rate)");
        }
    }
}
