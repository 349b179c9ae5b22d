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
        var input = LabelInput.Read(options.Source, labeler.Rules.Tokenizer.Extensions);
        var session = LabelSession.Open(options.OutDir, options.CorrectionsFile, labeler, hierarchy);
        var warnings = new List<string>(input.Warnings);
        var rows = new List<LabelRow>(input.Tracks.Count);
        var disagreements = new List<Disagreement>();
        var songOrder = input.Tracks.Select(t => t.SongId).Distinct(StringComparer.Ordinal).ToList();
        var bySong = input.Tracks.ToLookup(t => t.SongId, StringComparer.Ordinal);
        for (var s = 0; s < songOrder.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var songId = songOrder[s];
            progress?.Report(new StageProgress("label", songId, s, songOrder.Count));
            var song = session.LabelSong(songId, bySong[songId].ToList(), input.Songs.GetValueOrDefault(songId)?.Artist);
            rows.AddRange(song.Rows);
            disagreements.AddRange(song.Disagreements);
            warnings.AddRange(song.Warnings);
        }

        progress?.Report(new StageProgress("label", string.Empty, songOrder.Count, songOrder.Count));
        var written = session.Write(rows, disagreements, input.Songs, options.Source);
        warnings.InsertRange(input.Warnings.Count, session.Warnings);
        warnings.AddRange(written.Warnings);
        return new LabelStageResult(
            songOrder.Count,
            rows.Count,
            rows.Count(r => r.Source == "manual"),
            rows.Count(r => r.Label == HierarchyDefinition.Unknown),
            session.NewCorrections,
            written.Orphans,
            disagreements,
            warnings,
            rows);
    }
}

/// <summary>One song's labels: its rows, the manual labels the rules disagree with, and warnings.</summary>
public sealed record SongLabels(string SongId, IReadOnlyList<LabelRow> Rows, IReadOnlyList<Disagreement> Disagreements, IReadOnlyList<string> Warnings);

/// <summary>
/// The label stage song by song (what <see cref="LabelStage.Run"/> does for a whole library, usable by a pipeline
/// that labels songs as they arrive): <see cref="Open"/> gathers the corrections (corrections.csv, edits to the
/// previous labels.csv, an extra corrections file), <see cref="LabelSong"/> labels one song (thread-safe),
/// <see cref="Write"/> writes labels.csv, labels_wide.csv, corrections.csv and disagreements.csv.
/// </summary>
public sealed class LabelSession
{
    private readonly object gate = new();
    private readonly TrackLabeler labeler;
    private readonly CorrectionStore store;
    private readonly HashSet<(string, string)> changed;
    private readonly HashSet<(string, string)> matched = [];
    private readonly HashSet<string> badLabels = new(StringComparer.Ordinal);
    private readonly HashSet<string> hierarchyLabels;
    private readonly List<string> warnings;

    private LabelSession(string outDir, TrackLabeler labeler, HierarchyDefinition hierarchy, CorrectionStore store, HashSet<(string, string)> changed, List<string> warnings)
    {
        OutDir = outDir;
        this.labeler = labeler;
        this.store = store;
        this.changed = changed;
        this.warnings = warnings;
        hierarchyLabels = hierarchy.Labels.ToHashSet(StringComparer.Ordinal);
    }

    public string OutDir { get; }

    public string CorrectionsPath => Path.Combine(OutDir, LabelStage.CorrectionsFile);

    /// <summary>Warnings found opening the session (labels the hierarchy does not map).</summary>
    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>Corrections recorded by this session (from edits or the extra file).</summary>
    public int NewCorrections => changed.Count;

    public static LabelSession Open(string outDir, string? correctionsFile, TrackLabeler labeler, HierarchyDefinition hierarchy)
    {
        ArgumentNullException.ThrowIfNull(labeler);
        ArgumentNullException.ThrowIfNull(hierarchy);
        var rules = labeler.Rules;
        var warnings = new List<string>();
        foreach (var label in rules.Labels.Where(l => !hierarchy.Maps(l)))
        {
            warnings.Add($"{hierarchy.Origin}: hierarchy '{hierarchy.Name}' does not map label '{label}' of {rules.Origin}; such tracks get instrument '{hierarchy.InstrumentOf(label)}'");
        }

        Directory.CreateDirectory(outDir);
        var correctionsPath = Path.Combine(outDir, LabelStage.CorrectionsFile);
        var longPath = Path.Combine(outDir, LabelStage.LongFile);
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
        if (correctionsFile is { } extra)
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

        return new LabelSession(outDir, labeler, hierarchy, store, changed, warnings);
    }

    /// <summary>The manual labels that apply to a song's files (file index -> label), for keying per-song work.</summary>
    public IReadOnlyDictionary<int, string> ManualLabels(string songId, IReadOnlyList<string> files)
    {
        lock (gate)
        {
            return store.MatchSong(songId, files).ToDictionary(kv => kv.Key, kv => kv.Value.Label);
        }
    }

    /// <summary>
    /// Labels one song: the rules, with manual corrections on top. Safe to call from several threads. The artist
    /// (from the catalog's songs.csv; default: the song id before " - ") helps find the lead among named singers.
    /// </summary>
    public SongLabels LabelSong(string songId, IReadOnlyList<CatalogTrack> tracks, string? artist = null)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        var rules = labeler.Rules;
        var files = tracks.Select(t => t.File).ToList();
        var labels = labeler.LabelSong(songId, files, artist);
        var rows = new List<LabelRow>(tracks.Count);
        var disagreements = new List<Disagreement>();
        var songWarnings = new List<string>();
        static (string, string) KeyOf(Correction c) => (CorrectionStore.SongKey(c.SongId), CorrectionStore.FileKey(c.File));
        lock (gate)
        {
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
                        songWarnings.Add($"{CorrectionsPath}: correction label '{c.Label}' ({c.SongId} / {c.File}) is not in the vocabulary of {rules.Origin}; kept, not applied");
                    }
                }

                if (l.Warning is not null)
                {
                    songWarnings.Add($"{songId} / {l.File}: {l.Warning}");
                }

                rows.Add(new LabelRow(songId, l.File, l.Label, l.Instrument, "rule", l.Rule, l.Confidence, l.Label, string.Empty, path, l.Warning ?? string.Empty));
            }
        }

        return new SongLabels(songId, rows, disagreements, songWarnings);
    }

    /// <summary>Marks a song's corrections as seen (for a song whose labels were reused rather than recomputed).</summary>
    public void MarkSeen(string songId, IReadOnlyList<string> files)
    {
        lock (gate)
        {
            foreach (var c in store.MatchSong(songId, files).Values)
            {
                matched.Add((CorrectionStore.SongKey(c.SongId), CorrectionStore.FileKey(c.File)));
            }
        }
    }

    /// <summary>
    /// Writes corrections.csv (first), labels.csv, labels_wide.csv and disagreements.csv (each atomically). Returns the
    /// number of corrections whose track is not among the rows (orphans, kept) and the warning about them.
    /// </summary>
    public (int Orphans, IReadOnlyList<string> Warnings) Write(
        IReadOnlyList<LabelRow> rows, IReadOnlyList<Disagreement> disagreements, IReadOnlyDictionary<string, SongInfo> songs, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new List<string>();
        lock (gate)
        {
            var orphans = store.All.Count(c => !matched.Contains((CorrectionStore.SongKey(c.SongId), CorrectionStore.FileKey(c.File))));
            if (orphans > 0)
            {
                result.Add($"{CorrectionsPath}: {orphans} correction(s) name tracks that are not in {sourceName}; kept for when they come back");
            }

            LabelFiles.WriteCorrections(CorrectionsPath, store.All);
            LabelFiles.WriteLong(Path.Combine(OutDir, LabelStage.LongFile), rows);
            LabelFiles.WriteWide(Path.Combine(OutDir, LabelStage.WideFile), labeler.Rules.Labels.ToList(), rows.GroupBy(r => r.SongId, StringComparer.Ordinal), songs);
            CsvTable.Write(Path.Combine(OutDir, LabelStage.DisagreementsFile), disagreements);
            return (orphans, result);
        }
    }
}
