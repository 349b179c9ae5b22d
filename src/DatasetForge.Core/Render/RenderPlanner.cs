using System.Text;
using DatasetForge.Common;
using DatasetForge.Hierarchy;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Labels;

namespace DatasetForge.Render;

/// <summary>A labelled track of a song, as the planner reads it: file name, fine label, catalog path, and kind (raw | stem | mix).</summary>
public sealed record RenderTrackInput(string File, string Label, string Path, string Kind = "raw");

/// <summary>What <see cref="RenderPlanner.Plan"/> found: one plan per song and the rows it could not use.</summary>
public sealed record RenderPlanSet(IReadOnlyList<SongRenderPlan> Songs, IReadOnlyList<QuarantineRecord> Problems, string? CatalogDir);

/// <summary>
/// Builds per-song render plans from the label stage's `labels.csv` (song_id, file, label, path) and, when there is
/// one, ingest's catalog (`catalog/songs.csv` for artist/title/genre/origin, `catalog/tracks.csv` for the track
/// kind: when a song has raw tracks, its dataset stems and mix are left out). Paths in labels.csv are the catalog's:
/// relative to the catalog folder (given, or LABELS_DIR, or its parent, when that holds `catalog/tracks.csv`) or
/// absolute. The instrument of each track is looked up in the render hierarchy from its fine label, so one labels
/// file serves any hierarchy.
/// </summary>
public static class RenderPlanner
{
    /// <summary>Bytes a song folder name may take: file names inside add "_STEM_L2_nontonal_percussion.wav" and temp decorations, within 255.</summary>
    public const int MaxFolderBytes = 140;

    public static RenderPlanSet Plan(string labelsPath, string? catalogDir, HierarchyDefinition hierarchy, RenderOptions options, string datasetDir)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var labelsFile = Directory.Exists(labelsPath) ? Path.Combine(labelsPath, LabelStage.LongFile) : labelsPath;
        if (!File.Exists(labelsFile))
        {
            throw new FileNotFoundException($"{labelsFile}: no labels file (run `forge label` first; LABELS_DIR holds labels.csv)");
        }

        var labelsDir = Path.GetDirectoryName(Path.GetFullPath(labelsFile))!;
        catalogDir ??= FindCatalog(labelsDir);
        if (catalogDir is not null && !File.Exists(Path.Combine(catalogDir, "catalog", "tracks.csv")) && !File.Exists(Path.Combine(catalogDir, "catalog", "songs.csv")))
        {
            throw new DirectoryNotFoundException($"{catalogDir}: not a catalog folder (no catalog/tracks.csv or catalog/songs.csv)");
        }

        var (header, rows) = CsvTable.ReadRows(labelsFile);
        foreach (var column in new[] { "song_id", "file", "label" })
        {
            if (!header.Contains(column))
            {
                throw new InvalidDataException($"{labelsFile}: no '{column}' column (expected forge label's labels.csv)");
            }
        }

        var problems = new List<QuarantineRecord>();
        var fields = ReadSongFields(catalogDir, labelsDir);
        var kinds = ReadKinds(catalogDir);
        var layout = catalogDir is null ? null : new CatalogLayout(catalogDir);
        var relativeWithoutCatalog = 0;
        var bySong = new Dictionary<string, List<(CsvTable.Row Row, string File, string Label, string Path)>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var row in rows)
        {
            var songId = row.Get("song_id");
            var file = row.Get("file");
            if (songId is null || file is null)
            {
                problems.Add(new QuarantineRecord($"{labelsFile}:{row.Line}", "render", "no song_id or file; row skipped"));
                continue;
            }

            var path = row.Get("path") ?? string.Empty;
            if (path.Length == 0)
            {
                problems.Add(new QuarantineRecord($"{songId}/{file}", "render", $"{labelsFile}:{row.Line}: no path to the audio; track skipped"));
                continue;
            }

            if (!Path.IsPathRooted(path) && layout is null)
            {
                relativeWithoutCatalog++;
            }

            if (!bySong.TryGetValue(songId, out var list))
            {
                list = [];
                bySong[songId] = list;
                order.Add(songId);
            }

            list.Add((row, file, row.Get("label") ?? HierarchyDefinition.Unknown, path));
        }

        if (relativeWithoutCatalog > 0)
        {
            throw new ArgumentException(
                $"{labelsFile}: {relativeWithoutCatalog} track path(s) are relative to the catalog folder they were ingested into, "
                + "and no catalog was found beside the labels: pass --catalog DIR (the folder holding catalog/tracks.csv)");
        }

        var bleed = BleedIndex.Load(datasetDir);
        var folderOf = FolderNames(order);
        var plans = new List<SongRenderPlan>();
        foreach (var songId in order)
        {
            var inputs = bySong[songId].Select(e => new RenderTrackInput(e.File, e.Label, e.Path, kinds.Count > 0 ? kinds.GetValueOrDefault((songId, e.Path), "raw") : "raw")).ToList();
            var songFields = (fields.GetValueOrDefault(songId) ?? FromSongId(songId)) with { HasBleed = bleed.HasBleed(songId) };
            plans.Add(PlanSong(songId, folderOf[songId], songFields, inputs, layout, hierarchy, options, datasetDir));
        }

        return new RenderPlanSet(plans, problems, catalogDir is null ? null : Path.GetFullPath(catalogDir));
    }

    /// <summary>
    /// One song's plan (the per-song unit of <see cref="Plan"/>, for pipelines that plan songs as they arrive): when
    /// the song has raw tracks only those are rendered (a dataset's stems and mix are left out), else everything but
    /// mixes; each track's instrument comes from the render hierarchy; raw names are made unique; L/R pairs placed.
    /// <paramref name="folder"/> comes from <see cref="FolderNames"/> over the whole library (unique folders).
    /// Relative track paths are resolved against <paramref name="catalog"/>.
    /// </summary>
    public static SongRenderPlan PlanSong(
        string songId, string folder, SongFields fields, IReadOnlyList<RenderTrackInput> tracks, CatalogLayout? catalog, HierarchyDefinition hierarchy, RenderOptions options, string datasetDir)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        ArgumentNullException.ThrowIfNull(hierarchy);
        IEnumerable<RenderTrackInput> entries = tracks;
        if (tracks.Any(t => t.Kind == "raw"))
        {
            entries = tracks.Where(t => t.Kind == "raw");
        }
        else
        {
            entries = tracks.Where(t => t.Kind != "mix");
        }

        var rawNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var planned = new List<RawTrackPlan>();
        foreach (var entry in entries)
        {
            var instrument = hierarchy.InstrumentOf(entry.Label);
            var mixed = !hierarchy.IsExcluded(instrument);
            var source = catalog?.Resolve(entry.Path) ?? Path.GetFullPath(entry.Path);
            planned.Add(new RawTrackPlan(entry.File, source, entry.Label, instrument, mixed, Unique(SongIds.Safe(entry.File), rawNames, keepExtension: true)));
        }

        var placements = StereoPairs.Find(planned.Select(t => t.File));
        planned = planned.Select(t => placements.TryGetValue(t.File, out var side) ? t with { Placement = side } : t).ToList();
        return new SongRenderPlan(songId, folder, fields, planned, hierarchy, options, Path.GetFullPath(datasetDir));
    }

    /// <summary>The folder of every song (in the given order: a later song whose folder name is taken, ignoring case, gets " (2)").</summary>
    public static IReadOnlyDictionary<string, string> FolderNames(IEnumerable<string> songIds)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in songIds)
        {
            if (!result.ContainsKey(id))
            {
                result[id] = Unique(FolderName(id), taken, keepExtension: false);
            }
        }

        return result;
    }

    /// <summary>The song folder name: the song id made path-safe and at most <see cref="MaxFolderBytes"/> UTF-8 bytes.</summary>
    public static string FolderName(string songId)
    {
        var name = SongIds.Safe(songId);
        while (Encoding.UTF8.GetByteCount(name) > MaxFolderBytes)
        {
            name = name[..^(char.IsLowSurrogate(name[^1]) ? 2 : 1)].TrimEnd();
        }

        return name;
    }

    private static string? FindCatalog(string labelsDir)
    {
        foreach (var candidate in new[] { labelsDir, Path.GetDirectoryName(labelsDir) })
        {
            if (candidate is not null && File.Exists(Path.Combine(candidate, "catalog", "tracks.csv")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static Dictionary<string, SongFields> ReadSongFields(string? catalogDir, string labelsDir)
    {
        var result = new Dictionary<string, SongFields>(StringComparer.Ordinal);
        var songsCsv = catalogDir is null ? null : Path.Combine(catalogDir, "catalog", "songs.csv");
        if (songsCsv is not null && File.Exists(songsCsv))
        {
            foreach (var s in CsvTable.ReadRows(songsCsv).Rows)
            {
                if (s.Get("song_id") is { } id)
                {
                    var fallback = FromSongId(id);
                    result[id] = new SongFields(s.Get("artist") ?? fallback.Artist, s.Get("title") ?? fallback.Title, s.Get("broad_genre") ?? string.Empty,
                        s.Get("sub_genre") ?? string.Empty, s.Get("source") ?? string.Empty, s.Get("origin") ?? string.Empty);
                }
            }

            return result;
        }

        var wide = Path.Combine(labelsDir, LabelStage.WideFile);
        if (File.Exists(wide))
        {
            foreach (var s in CsvTable.ReadRows(wide).Rows)
            {
                if (s.Get("Music_Title") is { } id)
                {
                    var fallback = FromSongId(id);
                    result[id] = new SongFields(s.Get("Artist") ?? fallback.Artist, s.Get("Track_Name") ?? fallback.Title, s.Get("Broad_Genre") ?? string.Empty,
                        s.Get("Sub_Genre") ?? string.Empty, string.Empty, string.Empty);
                }
            }
        }

        return result;
    }

    private static Dictionary<(string SongId, string Path), string> ReadKinds(string? catalogDir)
    {
        var result = new Dictionary<(string, string), string>();
        var tracksCsv = catalogDir is null ? null : Path.Combine(catalogDir, "catalog", "tracks.csv");
        if (tracksCsv is null || !File.Exists(tracksCsv))
        {
            return result;
        }

        foreach (var t in CsvTable.ReadRows(tracksCsv).Rows)
        {
            if (t.Get("song_id") is { } id && t.Get("path") is { } path)
            {
                result[(id, path)] = t.Get("kind") ?? "raw";
            }
        }

        return result;
    }

    /// <summary>Artist and title from an MS21-style "Artist - Title" id when nothing better is known.</summary>
    public static SongFields FromSongId(string songId)
    {
        var cut = songId.IndexOf(" - ", StringComparison.Ordinal);
        return cut > 0
            ? new SongFields(songId[..cut].Trim(), songId[(cut + 3)..].Trim(), string.Empty, string.Empty, string.Empty, string.Empty)
            : new SongFields(string.Empty, songId, string.Empty, string.Empty, string.Empty, string.Empty);
    }

    private static string Unique(string name, HashSet<string> taken, bool keepExtension)
    {
        if (taken.Add(name))
        {
            return name;
        }

        var ext = keepExtension ? Path.GetExtension(name) : string.Empty;
        var stem = name[..^ext.Length];
        for (var n = 2; ; n++)
        {
            var candidate = $"{stem} ({n}){ext}";
            if (taken.Add(candidate))
            {
                return candidate;
            }
        }
    }
}
