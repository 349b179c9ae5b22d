using System.Globalization;
using System.Text;
using CsvHelper;
using DatasetForge.Common;

namespace DatasetForge.Labels;

/// <summary>
/// A row of `labels.csv` (schema `labels-row.schema.json`): one track. A curator corrects a track by changing
/// <see cref="Label"/> (and optionally <see cref="Source"/> to `manual`); the next run keeps it as a correction.
/// </summary>
/// <param name="Source">`rule` or `manual`</param>
/// <param name="Rule">id of the rule that names the track (for manual rows: the rule that would)</param>
/// <param name="RuleLabel">what the rules say, so an edited <paramref name="Label"/> can be told from it</param>
/// <param name="CorrectedAt">for manual rows, when the correction was made (ISO 8601 UTC)</param>
public sealed record LabelRow(
    string SongId,
    string File,
    string Label,
    string Instrument,
    string Source,
    string Rule,
    double Confidence,
    string RuleLabel,
    string CorrectedAt,
    string Path,
    string Warning);

/// <summary>A manual correction (`corrections.csv`, schema `correction-row.schema.json`); kept for good once made.</summary>
/// <param name="RuleLabel">what the rules said when the correction was recorded</param>
/// <param name="Origin">the file it was read from</param>
public sealed record Correction(string SongId, string File, string Label, string CorrectedAt, string RuleLabel, string Origin);

/// <summary>A manual label that the rules, as they are now, would not give.</summary>
public sealed record Disagreement(string SongId, string File, string ManualLabel, string RuleLabel, string Rule, string CorrectedAt);

/// <summary>Reading and writing the label files: long `labels.csv`, `corrections.csv`, and the MS21 wide layout.</summary>
public static class LabelFiles
{
    /// <summary>Columns of the MS21 wide file before the per-label columns.</summary>
    public static readonly IReadOnlyList<string> WideLeadingColumns = ["Music_Title", "Track_Name", "Artist", "Broad_Genre", "Sub_Genre"];

    /// <summary>Columns of the MS21 wide file after the per-label columns (then `Unlabeled`, ours: files no rule named).</summary>
    public static readonly IReadOnlyList<string> WideTrailingColumns = ["Unused", "Ambient_Microphone", "Vocal_Quality", "Lead_Back_both", "Guitar_Both"];

    public const string UnlabeledColumn = "Unlabeled";

    /// <summary>One row of a corrections source, with the line it came from (for messages).</summary>
    public sealed record CorrectionEntry(string SongId, string File, string Label, string? Source, string? RuleLabel, string? CorrectedAt, int Line);

    public static void WriteLong(string path, IEnumerable<LabelRow> rows) => CsvTable.Write(path, rows);

    /// <summary>Rows of a long file (ours, possibly edited by a curator): song_id, file, label[, source, rule_label, corrected_at].</summary>
    public static IReadOnlyList<CorrectionEntry> ReadLong(string path)
    {
        var (header, rows) = CsvTable.ReadRows(path);
        RequireColumns(path, header, "song_id", "file", "label");
        return rows.Where(r => r.Get("song_id") is not null && r.Get("file") is not null)
            .Select(r => new CorrectionEntry(r.Get("song_id")!, r.Get("file")!, r.Get("label") ?? string.Empty, r.Get("source"), r.Get("rule_label"), r.Get("corrected_at"), r.Line))
            .ToList();
    }

    public static void WriteCorrections(string path, IEnumerable<Correction> rows) => CsvTable.Write(path, rows);

    public static IReadOnlyList<Correction> ReadCorrections(string path)
    {
        var (header, rows) = CsvTable.ReadRows(path);
        RequireColumns(path, header, "song_id", "file", "label");
        return rows.Where(r => r.Get("song_id") is not null && r.Get("file") is not null && r.Get("label") is not null)
            .Select(r => new Correction(r.Get("song_id")!, r.Get("file")!, r.Get("label")!, r.Get("corrected_at") ?? string.Empty, r.Get("rule_label") ?? string.Empty, r.Get("origin") ?? string.Empty))
            .ToList();
    }

    /// <summary>True when the CSV has the MS21 wide header (Music_Title first).</summary>
    public static bool IsWide(string path)
    {
        var header = File.ReadLines(path).FirstOrDefault() ?? string.Empty;
        return header.TrimStart('\uFEFF').StartsWith("Music_Title", StringComparison.Ordinal);
    }

    /// <summary>
    /// Writes the MS21 wide layout: one row per song; `Music_Title` (our song_id), `Track_Name`, `Artist`,
    /// `Broad_Genre`, `Sub_Genre`; a column per fine label with the song's files as a Python-style list
    /// (`['01_Kick.wav', '02_Kick2.wav']`, empty cell for none); then `Unused`, `Ambient_Microphone`,
    /// `Vocal_Quality` (from the catalog when known), `Lead_Back_both` and `Guitar_Both` (1 when the song has both
    /// kinds), and `Unlabeled` (files no rule could name).
    /// </summary>
    public static void WriteWide(string path, IReadOnlyList<string> fineLabels, IEnumerable<IGrouping<string, LabelRow>> songs, IReadOnlyDictionary<string, SongInfo> info) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            using var csv = new CsvWriter(writer, CsvTable.Configuration);
            var labelColumns = fineLabels.Where(l => l is not ("Unused" or "Ambient_Microphone")).ToList();
            foreach (var h in WideLeadingColumns.Concat(labelColumns).Concat(WideTrailingColumns).Append(UnlabeledColumn))
            {
                csv.WriteField(h);
            }

            csv.NextRecord();
            foreach (var song in songs)
            {
                var rows = song.ToList();
                info.TryGetValue(song.Key, out var meta);
                var (artist, title) = SplitSongId(song.Key);
                csv.WriteField(song.Key);
                csv.WriteField(meta?.Title ?? title);
                csv.WriteField(meta?.Artist ?? artist);
                csv.WriteField(meta?.BroadGenre ?? string.Empty);
                csv.WriteField(meta?.SubGenre ?? string.Empty);
                foreach (var label in labelColumns.Concat(["Unused", "Ambient_Microphone"]))
                {
                    csv.WriteField(FormatList(rows.Where(r => r.Label == label).Select(r => r.File)));
                }

                var labels = rows.Select(r => r.Label).ToHashSet(StringComparer.Ordinal);
                csv.WriteField(meta?.VocalQuality ?? string.Empty);
                csv.WriteField(labels.Contains("Lead_Vocal") && (labels.Contains("Backing_Vocal") || labels.Contains("Choir")) ? "1" : "0");
                csv.WriteField(labels.Contains("Electric_Guitar") && labels.Contains("Acoustic_Guitar") ? "1" : "0");
                csv.WriteField(FormatList(rows.Where(r => !fineLabels.Contains(r.Label)).Select(r => r.File)));
                csv.NextRecord();
            }
        });

    /// <summary>Reads a wide file back as (song_id, file, label) entries: every file listed under a fine-label column.</summary>
    public static IReadOnlyList<CorrectionEntry> ReadWide(string path, IReadOnlySet<string> fineLabels)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        using var csv = new CsvReader(reader, CsvTable.Configuration);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null || !csv.HeaderRecord.Contains("Music_Title"))
        {
            throw new InvalidDataException($"{path}: not an MS21 wide file (no Music_Title column)");
        }

        var header = csv.HeaderRecord;
        var result = new List<CorrectionEntry>();
        while (csv.Read())
        {
            var line = csv.Parser.Row;
            var song = csv.GetField("Music_Title")?.Trim();
            if (string.IsNullOrEmpty(song))
            {
                continue;
            }

            foreach (var column in header.Where(fineLabels.Contains))
            {
                var cell = csv.GetField(column) ?? string.Empty;
                List<string> files;
                try
                {
                    files = ParseList(cell);
                }
                catch (FormatException e)
                {
                    throw new InvalidDataException($"{path}:{line}: column {column}: {e.Message}", e);
                }

                result.AddRange(files.Select(f => new CorrectionEntry(song, f, column, "manual", null, null, line)));
            }
        }

        return result;
    }

    /// <summary>`['a.wav', "Devil's.wav"]`: a Python-style list literal (how MS21's CSV holds file lists); empty for none.</summary>
    public static string FormatList(IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            return string.Empty;
        }

        return "[" + string.Join(", ", list.Select(Quote)) + "]";

        static string Quote(string s)
        {
            var q = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
            var escaped = s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(q.ToString(), "\\" + q, StringComparison.Ordinal);
            return q + escaped + q;
        }
    }

    /// <summary>Parses a Python-style list of strings; also a bare name, or names separated by ';' or newlines.</summary>
    public static List<string> ParseList(string cell)
    {
        var text = cell.Trim();
        if (text.Length == 0 || text == "[]" || text.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        if (!text.StartsWith('['))
        {
            return text.Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }

        var items = new List<string>();
        var i = 1;
        while (true)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ','))
            {
                i++;
            }

            if (i >= text.Length)
            {
                throw new FormatException("list not closed with ']'");
            }

            if (text[i] == ']')
            {
                return items;
            }

            var quote = text[i];
            if (quote is not ('\'' or '"'))
            {
                throw new FormatException($"expected a quoted name at position {i} of {text}");
            }

            var sb = new StringBuilder();
            for (i++; ; i++)
            {
                if (i >= text.Length)
                {
                    throw new FormatException("unterminated quoted name");
                }

                if (text[i] == '\\' && i + 1 < text.Length)
                {
                    sb.Append(text[++i]);
                }
                else if (text[i] == quote)
                {
                    i++;
                    break;
                }
                else
                {
                    sb.Append(text[i]);
                }
            }

            items.Add(sb.ToString());
        }
    }

    /// <summary>"Artist - Title" -> (Artist, Title); a song_id without " - " is its own title.</summary>
    public static (string Artist, string Title) SplitSongId(string songId)
    {
        var cut = songId.IndexOf(" - ", StringComparison.Ordinal);
        return cut > 0 ? (songId[..cut], songId[(cut + 3)..]) : (string.Empty, songId);
    }

    private static void RequireColumns(string path, IReadOnlyList<string> header, params string[] columns)
    {
        var missing = columns.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{path}: missing column(s) {string.Join(", ", missing)}");
        }
    }

    internal static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
