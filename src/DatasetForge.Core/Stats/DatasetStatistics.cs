using System.Globalization;
using DatasetForge.Common;
using DatasetForge.Render;
using DatasetForge.Splits;

namespace DatasetForge.Stats;

/// <summary>
/// A row of `stats/stats.csv` (schema `dataset-stats-row.schema.json`): MS21's Table 3 columns for the whole dataset
/// (<see cref="Scope"/> all) or one split. Raw tracks per song counts every readable labelled track in `_RAW/`;
/// vocal % is the share of songs with an ok level-1 vocal stem; leakage % the share of analysed songs whose
/// analysis found bleed (empty without `analysis/bleed.csv`).
/// </summary>
public sealed record StatsRow(
    string Scope,
    int Songs,
    int Artists,
    double Hours,
    double RawTracksMean,
    double RawTracksSd,
    int InstrumentCategories,
    double VocalPercent,
    double? LeakagePercent,
    string StereoMono,
    double RawMonoPercent,
    double MedianSongS);

/// <summary>A row of `stats/distributions.csv` (schema `dataset-distribution-row.schema.json`): songs per genre, per instrument or per length bin.</summary>
public sealed record DistributionRow(string Scope, string Kind, string Key, int Songs, double Fraction);

/// <summary>The statistics of a dataset: the Table 3 rows and the distributions, overall and per split.</summary>
public sealed record DatasetStats(IReadOnlyList<StatsRow> Rows, IReadOnlyList<DistributionRow> Distributions, IReadOnlyList<string> Scopes);

/// <summary>Computes a rendered dataset's statistics from its manifests (no audio is read).</summary>
public static class DatasetStatistics
{
    /// <summary>The length bin of a song ("mm:ss-mm:ss", 30 s wide up to 10 minutes, then "10:00+"; sorts as text).</summary>
    public static string LengthBin(double seconds)
    {
        if (seconds >= 600)
        {
            return "10:00+";
        }

        var lo = (int)(seconds / 30) * 30;
        return $"{lo / 60:00}:{lo % 60:00}-{(lo + 30) / 60:00}:{(lo + 30) % 60:00}";
    }

    public static DatasetStats Compute(string datasetDir)
    {
        var songsCsv = Path.Combine(datasetDir, DatasetManifests.SongsFile);
        if (!File.Exists(songsCsv))
        {
            throw new FileNotFoundException($"{datasetDir}: no {DatasetManifests.SongsFile} (render the dataset first)");
        }

        var inv = CultureInfo.InvariantCulture;
        var songs = CsvTable.ReadRows(songsCsv).Rows.Where(r => r.Get("song_id") is not null).ToList();
        var stems = File.Exists(Path.Combine(datasetDir, DatasetManifests.StemsFile)) ? CsvTable.ReadRows(Path.Combine(datasetDir, DatasetManifests.StemsFile)).Rows : [];
        var raws = File.Exists(Path.Combine(datasetDir, DatasetManifests.RawTracksFile)) ? CsvTable.ReadRows(Path.Combine(datasetDir, DatasetManifests.RawTracksFile)).Rows : [];
        var splits = SplitStage.ReadSplits(datasetDir);
        var bleed = BleedIndex.Load(datasetDir);
        var instrumentsOf = stems.Where(r => r.Get("level") == "1" && (r.Get("status") ?? "ok") == "ok")
            .GroupBy(r => r.Get("song_id") ?? string.Empty, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Get("node")!).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var rawOf = raws.GroupBy(r => r.Get("song_id") ?? string.Empty, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var scopes = new List<string> { "all" };
        scopes.AddRange(SongSplitter.Names.Where(n => splits.Values.Contains(n)));
        var rows = new List<StatsRow>();
        var distributions = new List<DistributionRow>();
        foreach (var scope in scopes)
        {
            var members = songs.Where(s => scope == "all" || splits.GetValueOrDefault(s.Get("song_id")!) == scope).ToList();
            var ids = members.Select(s => s.Get("song_id")!).ToList();
            double Number(CsvTable.Row r, string column) => double.TryParse(r.Get(column), NumberStyles.Float, inv, out var v) ? v : 0;
            var seconds = members.Select(s => Number(s, "duration_s")).ToList();
            var rawCounts = ids.Select(id => (double)(rawOf.GetValueOrDefault(id)?.Count ?? 0)).ToList();
            var mean = rawCounts.Count > 0 ? rawCounts.Average() : 0;
            var sd = rawCounts.Count > 1 ? Math.Sqrt(rawCounts.Sum(c => (c - mean) * (c - mean)) / (rawCounts.Count - 1)) : 0;
            var instruments = ids.SelectMany(id => instrumentsOf.GetValueOrDefault(id) ?? []).ToHashSet(StringComparer.Ordinal);
            var vocal = ids.Count(id => (instrumentsOf.GetValueOrDefault(id) ?? []).Any(n => n.Contains("vocal", StringComparison.OrdinalIgnoreCase)));
            var analysed = ids.Where(id => bleed.HasBleed(id) != "unknown").ToList();
            var channels = members.Select(s => s.Get("channels")).Distinct().ToList();
            var layout = channels.Count == 1 ? channels[0] switch { "1" => "mono", "2" => "stereo", var c => $"{c} channels" } : "mixed";
            var scopeRaws = ids.SelectMany(id => rawOf.GetValueOrDefault(id) ?? []).ToList();
            var sorted = seconds.Order().ToList();
            rows.Add(new StatsRow(
                scope,
                members.Count,
                members.Select(s => SongSplitter.ArtistKey(s.Get("artist") ?? string.Empty)).Distinct().Count(),
                Math.Round(seconds.Sum() / 3600, 4),
                Math.Round(mean, 2),
                Math.Round(sd, 2),
                instruments.Count,
                members.Count > 0 ? Math.Round(100.0 * vocal / members.Count, 1) : 0,
                analysed.Count > 0 ? Math.Round(100.0 * analysed.Count(id => bleed.HasBleed(id) == "yes") / analysed.Count, 1) : null,
                members.Count > 0 ? layout : string.Empty,
                scopeRaws.Count > 0 ? Math.Round(100.0 * scopeRaws.Count(r => r.Get("channels") == "1") / scopeRaws.Count, 1) : 0,
                sorted.Count > 0 ? Math.Round(sorted[sorted.Count / 2], 2) : 0));

            void Distribution(string kind, IEnumerable<string> keys)
            {
                foreach (var g in keys.GroupBy(k => k, StringComparer.Ordinal).OrderBy(g => kind == "length" ? g.Key : string.Empty, StringComparer.Ordinal).ThenByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
                {
                    distributions.Add(new DistributionRow(scope, kind, g.Key, g.Count(), members.Count > 0 ? Math.Round((double)g.Count() / members.Count, 4) : 0));
                }
            }

            Distribution("genre", members.Select(s => s.Get("broad_genre") ?? "(unknown)"));
            Distribution("instrument", ids.SelectMany(id => instrumentsOf.GetValueOrDefault(id) ?? []));
            Distribution("length", seconds.Select(LengthBin));
        }

        return new DatasetStats(rows, distributions, scopes);
    }
}
