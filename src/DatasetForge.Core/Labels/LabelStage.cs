using DatasetForge.Common;
using DatasetForge.Hierarchy;

namespace DatasetForge.Labels;

/// <param name="Source">catalog folder, audio folder, or CSV of song_id,file</param>
/// <param name="OutDir">where labels.csv, labels_wide.csv, corrections.csv and disagreements.csv go</param>
/// <param name="CorrectionsFile">an extra corrections CSV (long or MS21 wide); every row in it is manual</param>
public sealed record LabelStageOptions(string Source, string OutDir, string? CorrectionsFile = null);

/// <summary>What a `forge label` run did.</summary>
public sealed record LabelStageResult(
    int Songs,
    int Tracks,
    int Manual,
    int Unknown,
    int NewCorrections,
    int OrphanCorrections,
    IReadOnlyList<Disagreement> Disagreements,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<LabelRow> Rows);

/// <summary>
/// The labelling stage: rules label every track; manual corrections always win and are never lost. Corrections
/// come from (1) `OUT/corrections.csv`, the record of all corrections so far; (2) edits to the previous
/// `OUT/labels.csv` — a row whose source is `manual`, or whose label differs from its `rule_label`, timed by that
/// file's last write; (3) an extra corrections file (long or wide; every row manual, timed by its `corrected_at`
/// column or the file's last write). A correction whose label the rules would not give now is reported as a
/// disagreement. Outputs are written atomically, corrections first.
/// </summary>
public static class LabelStage
{
    public const string LongFile = "labels.csv";
    public const string WideFile = "labels_wide.csv";
    public const string CorrectionsFile = "corrections.csv";
    public const string DisagreementsFile = "disagreements.csv";

    public static LabelStageResult Run(
        LabelStageOptions options,
        TrackLabeler labeler,
        HierarchyDefinition hierarchy,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rules = labeler.Rules;
        var input = LabelInput.Read(options.Source, rules.Tokenizer.Extensions);
        var warnings = new List<string>(input.Warnings);
        foreach (var label in rules.Labels.Where(l => !hierarchy.Maps(l)))
        {
            warnings.Add($"{hierarchy.Origin}: hierarchy '{hierarchy.Name}' does not map label '{label}' of {rules.Origin}; such tracks get instrument '{hierarchy.InstrumentOf(label)}'");
        }

        Directory.CreateDirectory(options.OutDir);
        var correctionsPath = Path.Combine(options.OutDir, CorrectionsFile);
        var longPath = Path.Combine(options.OutDir, LongFile);
        var store = CorrectionStore.Load(correctionsPath);
        var changed = new HashSet<(string, string)>();

        void Record(string songId, string file, string label, string correctedAt, string origin)
        {
            if (store.Set(songId, file, label, correctedAt, string.Empty, origin))
            {
                changed.Add((CorrectionStore.SongKey(songId), CorrectionStore.FileKey(file)));
            }
        }

        // (2) edits to the previous labels.csv
        if (File.Exists(longPath))
        {
            var editedAt = LabelFiles.Iso(File.GetLastWriteTimeUtc(longPath));
            foreach (var row in LabelFiles.ReadLong(longPath))
            {
                var manual = string.Equals(row.Source, "manual", StringComparison.OrdinalIgnoreCase);
                var edited = !string.IsNullOrEmpty(row.RuleLabel) && row.Label != row.RuleLabel;
                if (row.Label.Length == 0 || !(manual || edited))
                {
                    continue;
                }

                var known = store.FindExact(row.SongId, row.File) ?? store.MatchSong(row.SongId, [row.File]).GetValueOrDefault(0);
                if (known is not null && known.Label == row.Label)
                {
                    continue;
                }

                var at = !string.IsNullOrEmpty(row.CorrectedAt) && row.CorrectedAt != known?.CorrectedAt ? row.CorrectedAt : editedAt;
                Record(known?.SongId ?? row.SongId, known?.File ?? row.File, row.Label, at, $"{longPath}:{row.Line}");
            }
        }

        // (3) an extra corrections file
        if (options.CorrectionsFile is { } extra)
        {
            var fileTime = LabelFiles.Iso(File.GetLastWriteTimeUtc(extra));
            var entries = LabelFiles.IsWide(extra)
                ? LabelFiles.ReadWide(extra, rules.Labels.ToHashSet(StringComparer.Ordinal))
                : LabelFiles.ReadLong(extra);
            foreach (var e in entries.Where(e => e.Label.Length > 0))
            {
                Record(e.SongId, e.File, e.Label, string.IsNullOrEmpty(e.CorrectedAt) ? fileTime : e.CorrectedAt, $"{extra}:{e.Line}");
            }
        }

        var rows = new List<LabelRow>(input.Tracks.Count);
        var disagreements = new List<Disagreement>();
        var matched = new HashSet<(string, string)>();
        static (string, string) KeyOf(Correction c) => (CorrectionStore.SongKey(c.SongId), CorrectionStore.FileKey(c.File));
        var badLabels = new HashSet<string>(StringComparer.Ordinal);
        var hierarchyLabels = hierarchy.Labels.ToHashSet(StringComparer.Ordinal);
        var songOrder = input.Tracks.Select(t => t.SongId).Distinct(StringComparer.Ordinal).ToList();
        var bySong = input.Tracks.ToLookup(t => t.SongId, StringComparer.Ordinal);
        for (var s = 0; s < songOrder.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var songId = songOrder[s];
            progress?.Report(new StageProgress("label", songId, s, songOrder.Count));
            var tracks = bySong[songId].ToList();
            var files = tracks.Select(t => t.File).ToList();
            var labels = labeler.LabelSong(songId, files);
            var corrections = store.MatchSong(songId, files);
            for (var i = 0; i < tracks.Count; i++)
            {
                var l = labels[i];
                var path = tracks[i].Path ?? string.Empty;
                if (corrections.TryGetValue(i, out var c) && (rules.IsLabel(c.Label) || hierarchyLabels.Contains(c.Label)))
                {
                    matched.Add(KeyOf(c));
                    if (changed.Contains(KeyOf(c)) || c.RuleLabel.Length == 0)
                    {
                        store.SetRuleLabel(c, l.Label);
                    }

                    if (c.Label != l.Label)
                    {
                        disagreements.Add(new Disagreement(songId, l.File, c.Label, l.Label, l.Rule, c.CorrectedAt));
                    }

                    rows.Add(new LabelRow(songId, l.File, c.Label, labeler.InstrumentOf(c.Label), "manual", l.Rule, 1.0, l.Label, c.CorrectedAt, path, string.Empty));
                    continue;
                }

                if (c is not null)
                {
                    matched.Add(KeyOf(c));
                    if (badLabels.Add(c.Label))
                    {
                        warnings.Add($"{correctionsPath}: correction label '{c.Label}' ({c.SongId} / {c.File}) is not in the vocabulary of {rules.Origin}; kept, not applied");
                    }
                }

                if (l.Warning is not null)
                {
                    warnings.Add($"{songId} / {l.File}: {l.Warning}");
                }

                rows.Add(new LabelRow(songId, l.File, l.Label, l.Instrument, "rule", l.Rule, l.Confidence, l.Label, string.Empty, path, l.Warning ?? string.Empty));
            }
        }

        progress?.Report(new StageProgress("label", string.Empty, songOrder.Count, songOrder.Count));
        var orphans = store.All.Count(c => !matched.Contains(KeyOf(c)));
        if (orphans > 0)
        {
            warnings.Add($"{correctionsPath}: {orphans} correction(s) name tracks that are not in {options.Source}; kept for when they come back");
        }

        LabelFiles.WriteCorrections(correctionsPath, store.All);
        LabelFiles.WriteLong(longPath, rows);
        LabelFiles.WriteWide(Path.Combine(options.OutDir, WideFile), rules.Labels.ToList(), rows.GroupBy(r => r.SongId, StringComparer.Ordinal), input.Songs);
        CsvTable.Write(Path.Combine(options.OutDir, DisagreementsFile), disagreements);

        return new LabelStageResult(
            songOrder.Count,
            rows.Count,
            rows.Count(r => r.Source == "manual"),
            rows.Count(r => r.Label == HierarchyDefinition.Unknown),
            changed.Count,
            orphans,
            disagreements,
            warnings,
            rows);
    }
}
