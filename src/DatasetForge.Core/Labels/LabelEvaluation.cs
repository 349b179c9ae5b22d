using System.Text;
using DatasetForge.Common;

namespace DatasetForge.Labels;

/// <summary>A row of a truth file: `song_id, file, instrument`, optional `label` and `artist`.</summary>
public sealed record TruthRow(string SongId, string File, string Instrument, string? Label = null, string? Artist = null);

/// <summary>One labelled track next to its truth.</summary>
public sealed record EvaluatedTrack(TruthRow Truth, TrackLabel Predicted)
{
    public bool InstrumentCorrect => Truth.Instrument == Predicted.Instrument;

    public bool? LabelCorrect => string.IsNullOrEmpty(Truth.Label) ? null : Truth.Label == Predicted.Label;
}

/// <summary>
/// Exact-match accuracy of the labeller against a truth file: level-1 instruments over all rows, fine labels over
/// the rows that give one. Every file of a song_id in the truth file is labelled together, so the other files of
/// the song are its context, as in a real ingest.
/// </summary>
public sealed class LabelEvaluation
{
    private LabelEvaluation(IReadOnlyList<EvaluatedTrack> tracks)
    {
        Tracks = tracks;
        N = tracks.Count;
        InstrumentAccuracy = N == 0 ? 0 : tracks.Count(t => t.InstrumentCorrect) / (double)N;
        var withLabel = tracks.Where(t => t.LabelCorrect is not null).ToList();
        LabelN = withLabel.Count;
        LabelAccuracy = withLabel.Count == 0 ? null : withLabel.Count(t => t.LabelCorrect == true) / (double)withLabel.Count;
    }

    public IReadOnlyList<EvaluatedTrack> Tracks { get; }

    public int N { get; }

    public double InstrumentAccuracy { get; }

    /// <summary>Rows with a fine label in the truth file.</summary>
    public int LabelN { get; }

    /// <summary>Null when the truth file has no `label` column (or it is empty).</summary>
    public double? LabelAccuracy { get; }

    /// <summary>Reads a truth CSV; a missing `song_id`, `file` or `instrument` column is an error naming the file.</summary>
    public static IReadOnlyList<TruthRow> ReadTruth(string path)
    {
        var (header, rows) = CsvTable.ReadRows(path);
        foreach (var column in new[] { "song_id", "file", "instrument" })
        {
            if (!header.Contains(column))
            {
                throw new InvalidDataException($"{path}: no '{column}' column (need song_id, file, instrument; label and artist optional)");
            }
        }

        var truth = new List<TruthRow>(rows.Count);
        foreach (var r in rows)
        {
            if (r.Get("song_id") is not { } song || r.Get("file") is not { } file || r.Get("instrument") is not { } instrument)
            {
                throw new InvalidDataException($"{path}:{r.Line}: song_id, file and instrument must not be empty");
            }

            truth.Add(new TruthRow(song, file, instrument, r.Get("label"), r.Get("artist")));
        }

        return truth;
    }

    /// <summary>
    /// Keeps the rows whose artist falls in fold <paramref name="fold"/> of <paramref name="folds"/> (a stable hash
    /// of the artist, or of the part of song_id before " - " when there is no artist column): artist-disjoint
    /// halves for checking that rules generalise.
    /// </summary>
    public static IReadOnlyList<TruthRow> Fold(IReadOnlyList<TruthRow> rows, int fold, int folds)
    {
        if (folds < 1 || fold < 0 || fold >= folds)
        {
            throw new ArgumentOutOfRangeException(nameof(fold), $"fold {fold}/{folds}: need 0 <= fold < folds");
        }

        return rows.Where(r => ArtistHash(ArtistOf(r)) % (uint)folds == fold).ToList();
    }

    public static LabelEvaluation Run(TrackLabeler labeler, IReadOnlyList<TruthRow> truth)
    {
        var tracks = new List<EvaluatedTrack>(truth.Count);
        foreach (var song in truth.GroupBy(r => r.SongId, StringComparer.Ordinal))
        {
            var rows = song.ToList();
            var labels = labeler.LabelSong(song.Key, rows.Select(r => r.File).ToList(), rows[0].Artist);
            for (var i = 0; i < rows.Count; i++)
            {
                tracks.Add(new EvaluatedTrack(rows[i], labels[i]));
            }
        }

        return new LabelEvaluation(tracks);
    }

    /// <summary>Counts of (truth, predicted) level-1 instruments.</summary>
    public IReadOnlyDictionary<(string Truth, string Predicted), int> InstrumentConfusion() =>
        Tracks.GroupBy(t => (t.Truth.Instrument, t.Predicted.Instrument)).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Counts of (truth, predicted) fine labels over the rows that give a label.</summary>
    public IReadOnlyDictionary<(string Truth, string Predicted), int> LabelConfusion() =>
        Tracks.Where(t => t.LabelCorrect is not null).GroupBy(t => (t.Truth.Label!, t.Predicted.Label)).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>
    /// Instrument accuracy per band of the labeller's confidence ([lower, upper) bounds; the last band includes 1):
    /// how far a curator can trust high-confidence rows and where to start reviewing.
    /// </summary>
    public IReadOnlyList<(double Lower, double Upper, int N, double InstrumentAccuracy)> ByConfidence(params double[] bounds)
    {
        double[] edges = bounds.Length > 0 ? bounds : [0, 0.6, 0.8, 0.9, 1.0];
        var bands = new List<(double, double, int, double)>();
        for (var i = 0; i + 1 < edges.Length; i++)
        {
            var (lo, hi, last) = (edges[i], edges[i + 1], i + 2 == edges.Length);
            var inBand = Tracks.Where(t => t.Predicted.Confidence >= lo && (t.Predicted.Confidence < hi || (last && t.Predicted.Confidence <= hi))).ToList();
            bands.Add((lo, hi, inBand.Count, inBand.Count == 0 ? 0 : inBand.Count(t => t.InstrumentCorrect) / (double)inBand.Count));
        }

        return bands;
    }

    /// <summary>`{"instrument_accuracy": x, "label_accuracy": y, "n": n}` (label_accuracy null without labels).</summary>
    public string ToJson()
    {
        var sb = new StringBuilder();
        sb.Append("{\"instrument_accuracy\": ").Append(InstrumentAccuracy.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture));
        sb.Append(", \"label_accuracy\": ").Append(LabelAccuracy is { } l ? l.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture) : "null");
        sb.Append(", \"n\": ").Append(N).Append('}');
        return sb.ToString();
    }

    private static string ArtistOf(TruthRow row)
    {
        if (!string.IsNullOrEmpty(row.Artist))
        {
            return row.Artist;
        }

        var cut = row.SongId.IndexOf(" - ", StringComparison.Ordinal);
        return cut > 0 ? row.SongId[..cut] : row.SongId;
    }

    /// <summary>FNV-1a (32 bit) of the UTF-8 bytes: stable across runs and platforms.</summary>
    internal static uint ArtistHash(string artist)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(artist))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }
}
