using System.Globalization;
using DatasetForge.Common;
using DatasetForge.Synth;

namespace DatasetForge.Pipeline;

/// <summary>
/// How a pipeline's results on a synthetic library compare with the library's ground truth (forge synth's
/// ground_truth/): label accuracy per track (fine label and level-1 instrument, tracks matched by song id and file
/// name), bleed detection as a ROC AUC of the analysis' per-track bleed probability (positives: tracks with injected
/// bleed; negatives: tracks with no leakage of any kind, hard negatives such as doubled vocals included; drum close
/// mics hearing their own kit and room mics are left out, their leakage is by design), and the song-level has_bleed
/// verdict against the truth.
/// </summary>
public sealed record GroundTruthComparison(
    int TruthTracks,
    int LabelledTracks,
    int LabelCorrect,
    int InstrumentCorrect,
    IReadOnlyList<(string Label, string Predicted, int Count)> TopConfusions,
    int BleedPositives,
    int BleedNegatives,
    double BleedAuc,
    int SongsCompared,
    int SongBleedCorrect)
{
    public double LabelAccuracy => LabelledTracks == 0 ? double.NaN : (double)LabelCorrect / LabelledTracks;

    public double InstrumentAccuracy => LabelledTracks == 0 ? double.NaN : (double)InstrumentCorrect / LabelledTracks;

    /// <param name="synthDir">the synthetic library (ground_truth/labels.csv, bleed.csv, songs.csv)</param>
    /// <param name="labelsCsv">the pipeline's labels.csv</param>
    /// <param name="analysisDir">the dataset's analysis/ (bleed.csv, songs.csv)</param>
    public static GroundTruthComparison Compute(string synthDir, string labelsCsv, string analysisDir)
    {
        var truthDir = Path.Combine(synthDir, "ground_truth");
        var truth = CsvTable.Read<LabelTruthRow>(Path.Combine(truthDir, "labels.csv"));
        var predicted = File.Exists(labelsCsv)
            ? CsvTable.ReadRows(labelsCsv).Rows
                .Where(r => r.Get("song_id") is not null && r.Get("file") is not null)
                .GroupBy(r => (r.Get("song_id")!, r.Get("file")!))
                .ToDictionary(g => g.Key, g => (Label: g.First().Get("label") ?? string.Empty, Instrument: g.First().Get("instrument") ?? string.Empty))
            : [];
        int labelled = 0, correct = 0, instrumentCorrect = 0;
        var confusions = new Dictionary<(string, string), int>();
        foreach (var t in truth)
        {
            if (!predicted.TryGetValue((t.SongId, t.File), out var p))
            {
                continue;
            }

            labelled++;
            if (p.Label == t.Label)
            {
                correct++;
            }
            else
            {
                confusions[(t.Label, p.Label)] = confusions.GetValueOrDefault((t.Label, p.Label)) + 1;
            }

            if (p.Instrument == t.Instrument)
            {
                instrumentCorrect++;
            }
        }

        // Bleed: per-track probability from the analysis against the injected truth.
        var bleedTruth = CsvTable.Read<BleedTruthRow>(Path.Combine(truthDir, "bleed.csv"));
        var kinds = bleedTruth.GroupBy(b => (b.SongId, b.Track)).ToDictionary(g => g.Key, g => g.Select(b => b.Kind).ToHashSet(StringComparer.Ordinal));
        var truthTracks = truth.Select(t => (t.SongId, t.File)).ToHashSet();
        var scores = new List<(bool Positive, double P)>();
        var bleedCsv = Path.Combine(analysisDir, "bleed.csv");
        if (File.Exists(bleedCsv) && new FileInfo(bleedCsv).Length > 0)
        {
            foreach (var row in CsvTable.ReadRows(bleedCsv).Rows)
            {
                if (row.Get("song_id") is not { } song || row.Get("file") is not { } file
                    || !double.TryParse(row.Get("bleed_prob"), NumberStyles.Float, CultureInfo.InvariantCulture, out var p))
                {
                    continue;
                }

                var k = kinds.GetValueOrDefault((song, file)) ?? [];
                if (k.Contains("injected"))
                {
                    scores.Add((true, p));
                }
                else if (!k.Contains("kit") && !k.Contains("ambient") && truthTracks.Contains((song, file)))
                {
                    scores.Add((false, p));
                }
            }
        }

        // Song level: has_bleed of the analysis against the truth's.
        var songTruth = CsvTable.Read<SongTruthRow>(Path.Combine(truthDir, "songs.csv")).ToDictionary(s => s.SongId, s => s.HasBleed == 1, StringComparer.Ordinal);
        int songs = 0, songCorrect = 0;
        var songsCsv = Path.Combine(analysisDir, "songs.csv");
        if (File.Exists(songsCsv) && new FileInfo(songsCsv).Length > 0)
        {
            foreach (var row in CsvTable.ReadRows(songsCsv).Rows)
            {
                if (row.Get("song_id") is { } song && songTruth.TryGetValue(song, out var hasBleed))
                {
                    songs++;
                    if (string.Equals(row.Get("has_bleed"), "True", StringComparison.OrdinalIgnoreCase) == hasBleed)
                    {
                        songCorrect++;
                    }
                }
            }
        }

        return new GroundTruthComparison(
            truth.Count,
            labelled,
            correct,
            instrumentCorrect,
            confusions.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Item1, StringComparer.Ordinal).Take(5).Select(c => (c.Key.Item1, c.Key.Item2, c.Value)).ToList(),
            scores.Count(s => s.Positive),
            scores.Count(s => !s.Positive),
            RocAuc.Of(scores.Where(s => s.Positive).Select(s => s.P), scores.Where(s => !s.Positive).Select(s => s.P)),
            songs,
            songCorrect);
    }
}
