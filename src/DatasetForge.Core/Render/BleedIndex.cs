using System.Globalization;
using DatasetForge.Common;

namespace DatasetForge.Render;

/// <summary>
/// What the analysis stage found about bleed (`analysis/bleed.csv`, docs/CONTRACTS.md section 4: one row per raw
/// track with `song_id, file, bleed_prob, harmful, ...`). A song has bleed when any of its tracks is `harmful` or has
/// <c>bleed_prob &gt;= 0.5</c>; a song with no rows is unknown. Used for MedleyDB's `has_bleed` and the leakage column
/// of the statistics.
/// </summary>
public sealed class BleedIndex
{
    public const double ProbabilityThreshold = 0.5;

    private readonly Dictionary<string, bool> bySong;

    private BleedIndex(Dictionary<string, bool> bySong, string? source)
    {
        this.bySong = bySong;
        Source = source;
    }

    /// <summary>The file read, or null when there was none.</summary>
    public string? Source { get; }

    public static BleedIndex Empty { get; } = new(new Dictionary<string, bool>(StringComparer.Ordinal), null);

    /// <summary>Reads `DIR/analysis/bleed.csv` when it exists (DIR = a dataset or catalog folder).</summary>
    public static BleedIndex Load(string dir) => LoadFile(Path.Combine(dir, "analysis", "bleed.csv"));

    /// <summary>Reads a bleed.csv of that layout (the gathered one, or one song's `analysis/songs/&lt;Song&gt;/bleed.csv`).</summary>
    public static BleedIndex LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }

        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var row in CsvTable.ReadRows(path).Rows)
        {
            if (row.Get("song_id") is not { } song)
            {
                continue;
            }

            var harmful = row.Get("harmful") is { } h && (h.Equals("true", StringComparison.OrdinalIgnoreCase) || h == "1" || h.Equals("yes", StringComparison.OrdinalIgnoreCase));
            var prob = double.TryParse(row.Get("bleed_prob"), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : 0;
            result[song] = result.GetValueOrDefault(song) || harmful || prob >= ProbabilityThreshold;
        }

        return new BleedIndex(result, path);
    }

    /// <summary>yes, no, or unknown (no analysis rows for the song).</summary>
    public string HasBleed(string songId) => bySong.TryGetValue(songId, out var bleed) ? (bleed ? "yes" : "no") : "unknown";
}
