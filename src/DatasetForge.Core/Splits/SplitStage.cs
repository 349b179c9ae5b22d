using System.Globalization;
using DatasetForge.Common;
using DatasetForge.Render;

namespace DatasetForge.Splits;

/// <summary>
/// `forge split`: reads a rendered dataset's manifests (songs.csv for artist, genre and length; stems.csv for the
/// level-1 instruments with an ok stem), splits it with <see cref="SongSplitter"/>, and writes `splits.csv`
/// (song_id, artist, split) and `stats/split_balance.csv` (songs, artists, hours, divergences per split).
/// </summary>
public static class SplitStage
{
    public const string SplitsFile = "splits.csv";
    public const string BalanceFile = "stats/split_balance.csv";

    /// <summary>The songs of a dataset as the splitter sees them.</summary>
    public static IReadOnlyList<SplitSong> ReadSongs(string datasetDir)
    {
        var songsCsv = Path.Combine(datasetDir, DatasetManifests.SongsFile);
        var stemsCsv = Path.Combine(datasetDir, DatasetManifests.StemsFile);
        if (!File.Exists(songsCsv) || !File.Exists(stemsCsv))
        {
            throw new FileNotFoundException($"{datasetDir}: no {DatasetManifests.SongsFile} / {DatasetManifests.StemsFile} (render the dataset first)");
        }

        var instruments = CsvTable.ReadRows(stemsCsv).Rows
            .Where(r => r.Get("level") == "1" && (r.Get("status") ?? "ok") == "ok" && r.Get("song_id") is not null && r.Get("node") is not null)
            .GroupBy(r => r.Get("song_id")!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Get("node")!).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        return CsvTable.ReadRows(songsCsv).Rows.Where(r => r.Get("song_id") is not null).Select(r =>
        {
            var id = r.Get("song_id")!;
            var seconds = double.TryParse(r.Get("duration_s"), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;
            return new SplitSong(id, r.Get("artist") ?? RenderPlanner.FromSongId(id).Artist, r.Get("broad_genre") ?? string.Empty, instruments.GetValueOrDefault(id) ?? [], seconds);
        }).ToList();
    }

    public static SplitResult Run(string datasetDir, SplitOptions options)
    {
        var result = SongSplitter.Split(ReadSongs(datasetDir), options);
        CsvTable.Write(Path.Combine(datasetDir, SplitsFile), result.Rows);
        CsvTable.Write(Path.Combine(datasetDir, BalanceFile), result.Balance);
        return result;
    }

    /// <summary>splits.csv of a dataset by song id (empty when there is none).</summary>
    public static IReadOnlyDictionary<string, string> ReadSplits(string datasetDir)
    {
        var path = Path.Combine(datasetDir, SplitsFile);
        return File.Exists(path)
            ? CsvTable.ReadRows(path).Rows.Where(r => r.Get("song_id") is not null).ToDictionary(r => r.Get("song_id")!, r => r.Get("split") ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
    }
}
