using DatasetForge.Common;

namespace DatasetForge.Labels;

/// <summary>A track to label: its song, the engineer's file name, and where the audio is (when known).</summary>
public sealed record CatalogTrack(string SongId, string File, string? Path = null);

/// <summary>What the wide (MS21) file says about a song; from ingest's `catalog/songs.csv` when there is one.</summary>
public sealed record SongInfo(string SongId, string? Artist = null, string? Title = null, string? BroadGenre = null, string? SubGenre = null, string? VocalQuality = null);

/// <summary>The tracks (and song metadata) to label, with the problems found reading them.</summary>
public sealed record LabelInputSet(IReadOnlyList<CatalogTrack> Tracks, IReadOnlyDictionary<string, SongInfo> Songs, IReadOnlyList<string> Warnings);

/// <summary>
/// Reads what `forge label` labels: ingest's catalog (`DIR/catalog/tracks.csv`, with `songs.csv` for the wide
/// file's metadata), any CSV with `song_id,file` columns, or a folder of audio files where each sub-folder is a
/// song (files directly in the folder form one song named after it). Rows without a song or file name are skipped
/// with a warning naming the file and line.
/// </summary>
public static class LabelInput
{
    public static LabelInputSet Read(string source, IReadOnlySet<string> audioExtensions)
    {
        if (Directory.Exists(source))
        {
            var catalog = System.IO.Path.Combine(source, "catalog", "tracks.csv");
            if (File.Exists(catalog))
            {
                return ReadCsv(catalog, System.IO.Path.Combine(source, "catalog", "songs.csv"));
            }

            var flat = System.IO.Path.Combine(source, "tracks.csv");
            return File.Exists(flat) ? ReadCsv(flat, System.IO.Path.Combine(source, "songs.csv")) : ReadFolder(source, audioExtensions);
        }

        if (File.Exists(source))
        {
            return ReadCsv(source, System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(source))!, "songs.csv"));
        }

        throw new FileNotFoundException($"{source}: no such catalog folder, audio folder or CSV file");
    }

    private static LabelInputSet ReadCsv(string path, string songsPath)
    {
        var (header, rows) = CsvTable.ReadRows(path);
        if (!header.Contains("song_id") || !header.Contains("file"))
        {
            throw new InvalidDataException($"{path}: needs 'song_id' and 'file' columns (ingest's catalog/tracks.csv, or any CSV of file names)");
        }

        var warnings = new List<string>();
        var tracks = new List<CatalogTrack>();
        foreach (var row in rows)
        {
            var songId = row.Get("song_id");
            var file = row.Get("file");
            if (songId is null || file is null)
            {
                warnings.Add($"{path}:{row.Line}: no song_id or file; row skipped");
                continue;
            }

            tracks.Add(new CatalogTrack(songId, file, row.Get("path")));
        }

        var songs = new Dictionary<string, SongInfo>(StringComparer.Ordinal);
        if (File.Exists(songsPath))
        {
            foreach (var s in CsvTable.ReadRows(songsPath).Rows)
            {
                if (s.Get("song_id") is { } id)
                {
                    songs[id] = new SongInfo(id, s.Get("artist"), s.Get("title"), s.Get("broad_genre"), s.Get("sub_genre"), s.Get("vocal_quality"));
                }
            }
        }

        return new LabelInputSet(tracks, songs, warnings);
    }

    private static LabelInputSet ReadFolder(string root, IReadOnlySet<string> audioExtensions)
    {
        var tracks = new List<CatalogTrack>();
        var rootName = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(root)));
        foreach (var file in Directory.EnumerateFiles(root).Where(f => IsAudio(f, audioExtensions)).Order(StringComparer.Ordinal))
        {
            tracks.Add(new CatalogTrack(rootName, System.IO.Path.GetFileName(file), file));
        }

        foreach (var songDir in Directory.EnumerateDirectories(root).Where(d => !IsJunk(System.IO.Path.GetFileName(d))).Order(StringComparer.Ordinal))
        {
            var songId = System.IO.Path.GetFileName(songDir);
            var files = Directory.EnumerateFiles(songDir, "*", SearchOption.AllDirectories)
                .Where(f => IsAudio(f, audioExtensions) && !System.IO.Path.GetRelativePath(songDir, f).Split(System.IO.Path.DirectorySeparatorChar).Any(IsJunk))
                .Order(StringComparer.Ordinal);
            tracks.AddRange(files.Select(f => new CatalogTrack(songId, System.IO.Path.GetFileName(f), f)));
        }

        var warnings = tracks.Count == 0 ? new List<string> { $"{root}: no audio files ({string.Join(", ", audioExtensions.Order())}) found" } : [];
        return new LabelInputSet(tracks, new Dictionary<string, SongInfo>(), warnings);
    }

    private static bool IsAudio(string path, IReadOnlySet<string> extensions)
    {
        var name = System.IO.Path.GetFileName(path);
        var dot = name.LastIndexOf('.');
        return !IsJunk(name) && !AtomicFile.IsTempFile(path) && dot > 0 && extensions.Contains(name[(dot + 1)..].ToLowerInvariant());
    }

    private static bool IsJunk(string name) => name.StartsWith('.') || name == "__MACOSX";
}
