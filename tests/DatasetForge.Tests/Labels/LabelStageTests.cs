using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Hierarchy;
using DatasetForge.Labels;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Labels;

public sealed class LabelStageTests
{
    private static readonly TrackLabeler Labeler = new(LabelRuleSet.Default, HierarchyDefinition.Load("ms21"));

    private static LabelStageResult Run(string source, string outDir, string? corrections = null) =>
        LabelStage.Run(new LabelStageOptions(source, outDir, corrections), Labeler, HierarchyDefinition.Load("ms21"));

    private static string WriteCatalog(TempDir temp, params (string Song, string File)[] tracks)
    {
        var dir = Path.Combine(temp.Path, "lib");
        Directory.CreateDirectory(Path.Combine(dir, "catalog"));
        File.WriteAllLines(Path.Combine(dir, "catalog", "tracks.csv"),
            new[] { "song_id,file,path,channels,sample_rate" }.Concat(tracks.Select(t => $"\"{t.Song}\",\"{t.File}\",/audio/{t.File},2,44100")));
        File.WriteAllLines(Path.Combine(dir, "catalog", "songs.csv"),
            ["song_id,artist,title,broad_genre,sub_genre,vocal_quality", "\"Band - Song\",Band,Song,Rock / Punk,Indie Rock,1"]);
        return dir;
    }

    private static LabelRow Row(string outDir, string file) =>
        CsvTable.Read<LabelRow>(Path.Combine(outDir, LabelStage.LongFile)).Single(r => r.File == file);

    private static void Edit(string path, string file, Func<string[], string[]> change)
    {
        var lines = File.ReadAllLines(path).Select(l =>
        {
            if (!l.Contains(file, StringComparison.Ordinal))
            {
                return l;
            }

            return string.Join(',', change(l.Split(',')));
        });
        File.WriteAllLines(path, lines);
    }

    [Fact]
    public void Catalog_in_long_and_wide_files_out()
    {
        using var temp = new TempDir();
        var lib = WriteCatalog(temp, ("Band - Song", "01_Kick.wav"), ("Band - Song", "02_Snare.wav"), ("Band - Song", "Lead Vox.wav"),
            ("Band - Song", "BVs.wav"), ("Band - Song", "AcGtr.wav"), ("Band - Song", "EGtr.wav"), ("Band - Song", "Mystery.wav"));
        var outDir = temp.File("out");
        var result = Run(lib, outDir);
        Assert.Equal(7, result.Tracks);
        Assert.Equal(1, result.Unknown);
        Assert.Contains(result.Warnings, w => w.Contains("Mystery.wav") && w.Contains("no rule matched"));

        var kick = Row(outDir, "01_Kick.wav");
        Assert.Equal(("Drum_Kick", "drum_set", "rule", "kick", "/audio/01_Kick.wav"), (kick.Label, kick.Instrument, kick.Source, kick.Rule, kick.Path));
        Assert.StartsWith("song_id,file,label,instrument,source,rule,confidence,", File.ReadAllText(Path.Combine(outDir, LabelStage.LongFile)));

        var (header, rows) = CsvTable.ReadRows(Path.Combine(outDir, LabelStage.WideFile));
        Assert.Equal(LabelFiles.WideLeadingColumns, header.Take(5));
        Assert.Equal(LabelFiles.WideTrailingColumns, header.Skip(header.Count - 6).Take(5));
        Assert.Equal(5 + 70 + 5 + 1, header.Count);
        var song = Assert.Single(rows);
        Assert.Equal(("Band - Song", "Song", "Band", "Rock / Punk", "Indie Rock"), (song.Get("Music_Title"), song.Get("Track_Name"), song.Get("Artist"), song.Get("Broad_Genre"), song.Get("Sub_Genre")));
        Assert.Equal("['01_Kick.wav']", song.Get("Drum_Kick"));
        Assert.Null(song.Get("Piano"));
        Assert.Equal(("1", "1", "1"), (song.Get("Vocal_Quality"), song.Get("Lead_Back_both"), song.Get("Guitar_Both")));
        Assert.Equal("['Mystery.wav']", song.Get(LabelFiles.UnlabeledColumn));
    }

    [Fact]
    public void Manual_corrections_survive_re_runs_win_over_rules_and_disagreements_are_reported()
    {
        using var temp = new TempDir();
        var lib = WriteCatalog(temp, ("Band - Song", "08_DrumsReverb.wav"), ("Band - Song", "01_Kick.wav"), ("Band - Song", "Vox.wav"));
        var outDir = temp.File("out");
        Run(lib, outDir);
        var longPath = Path.Combine(outDir, LabelStage.LongFile);
        Assert.Equal("Drum_Overheads", Row(outDir, "08_DrumsReverb.wav").Label);

        // The curator changes the label (and nothing else) in labels.csv.
        Edit(longPath, "08_DrumsReverb.wav", f => { f[2] = "Drum_Room"; return f; });
        var editedAt = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(longPath, editedAt);

        var second = Run(lib, outDir);
        Assert.Equal(1, second.NewCorrections);
        var row = Row(outDir, "08_DrumsReverb.wav");
        Assert.Equal(("Drum_Room", "drum_set", "manual", "Drum_Overheads", "2024-05-06T07:08:09Z"), (row.Label, row.Instrument, row.Source, row.RuleLabel, row.CorrectedAt));
        var disagreement = Assert.Single(second.Disagreements);
        Assert.Equal(("Drum_Room", "Drum_Overheads", "drum-full-kit"), (disagreement.ManualLabel, disagreement.RuleLabel, disagreement.Rule));
        Assert.Single(CsvTable.ReadRows(Path.Combine(outDir, LabelStage.DisagreementsFile)).Rows);

        // Re-running again (and again) changes nothing: the correction and its time stay.
        var third = Run(lib, outDir);
        Assert.Equal(0, third.NewCorrections);
        Assert.Equal("2024-05-06T07:08:09Z", Row(outDir, "08_DrumsReverb.wav").CorrectedAt);
        var stored = Assert.Single(LabelFiles.ReadCorrections(Path.Combine(outDir, LabelStage.CorrectionsFile)));
        Assert.Equal(("Drum_Room", "2024-05-06T07:08:09Z", "Drum_Overheads"), (stored.Label, stored.CorrectedAt, stored.RuleLabel));

        // Even deleting labels.csv loses nothing: corrections.csv is the record.
        File.Delete(longPath);
        Run(lib, outDir);
        Assert.Equal("manual", Row(outDir, "08_DrumsReverb.wav").Source);

        // A correction that agrees with the rules is still manual, without a disagreement.
        Edit(longPath, "Vox.wav", f => { f[4] = "manual"; return f; });
        var agree = Run(lib, outDir);
        Assert.Equal("manual", Row(outDir, "Vox.wav").Source);
        Assert.Single(agree.Disagreements);
    }

    [Fact]
    public void Written_rows_match_their_schemas()
    {
        using var temp = new TempDir();
        var lib = WriteCatalog(temp, ("Band - Song", "Kick.wav"), ("Band - Song", "Vox.wav"), ("Band - Song", "Mystery.wav"));
        var outDir = temp.File("out");
        var fix = temp.File("fix.csv");
        File.WriteAllText(fix, "song_id,file,label\nBand - Song,Vox.wav,Backing_Vocal\n");
        Run(lib, outDir, fix);
        AssertRowsMatch(Path.Combine(outDir, LabelStage.LongFile), "labels-row.schema.json", 3);
        AssertRowsMatch(Path.Combine(outDir, LabelStage.CorrectionsFile), "correction-row.schema.json", 1);
        AssertRowsMatch(Path.Combine(outDir, LabelStage.DisagreementsFile), "disagreement-row.schema.json", 1);

        static void AssertRowsMatch(string path, string schemaName, int expected)
        {
            var schema = SchemaValidatedConfig.Schema(schemaName);
            var rows = CsvTable.ReadRows(path).Rows;
            Assert.Equal(expected, rows.Count);
            foreach (var row in rows)
            {
                var obj = new JsonObject();
                foreach (var (key, value) in row.Fields)
                {
                    obj[key] = key == "confidence" ? JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture)) : JsonValue.Create(value);
                }

                using var doc = JsonDocument.Parse(obj.ToJsonString());
                Assert.True(schema.Evaluate(doc.RootElement).IsValid, $"{path}:{row.Line} does not match {schemaName}: {obj.ToJsonString()}");
            }
        }
    }

    [Fact]
    public void Corrections_file_long_or_wide_is_manual_and_newer_edits_win()
    {
        using var temp = new TempDir();
        var lib = WriteCatalog(temp, ("Band - Song", "Gtr 1.wav"), ("Band - Song", "Gtr 2.wav"), ("Band - Song", "Kick.wav"));
        var outDir = temp.File("out");
        var corrections = temp.File("fix.csv");
        File.WriteAllText(corrections, "song_id,file,label,corrected_at\nBand - Song,Gtr 1.wav,Acoustic_Guitar,2023-01-02T03:04:05Z\n");
        var first = Run(lib, outDir, corrections);
        Assert.Equal(1, first.Manual);
        Assert.Equal(("Acoustic_Guitar", "acoustic_guitar", "2023-01-02T03:04:05Z"), (Row(outDir, "Gtr 1.wav").Label, Row(outDir, "Gtr 1.wav").Instrument, Row(outDir, "Gtr 1.wav").CorrectedAt));

        // The MS21 wide layout read back as corrections: every file it lists is manual.
        var wide = temp.File("wide.csv");
        File.WriteAllText(wide, "Music_Title,Track_Name,Artist,Broad_Genre,Sub_Genre,Acoustic_Guitar,Drum_Kick,Unused\n"
            + "Band - Song,Song,Band,,,\"['Gtr 1.wav', 'Gtr 2.wav']\",,['Kick.wav']\n");
        Run(lib, outDir, wide);
        Assert.Equal(("Acoustic_Guitar", "manual"), (Row(outDir, "Gtr 2.wav").Label, Row(outDir, "Gtr 2.wav").Source));
        Assert.Equal(("Unused", "unused", "manual"), (Row(outDir, "Kick.wav").Label, Row(outDir, "Kick.wav").Instrument, Row(outDir, "Kick.wav").Source));
        Assert.Equal("2023-01-02T03:04:05Z", Row(outDir, "Gtr 1.wav").CorrectedAt); // same label again: time kept
    }

    [Fact]
    public void Corrections_survive_a_re_ingest_with_new_extension_decomposed_unicode_renumbering_and_case()
    {
        using var temp = new TempDir();
        var before = WriteCatalog(temp, ("Café Band - Señor", "03_Guitarra Ac\u00FAstica.aif"), ("Café Band - Señor", "04_Bass.aif"));
        var outDir = temp.File("out");
        Run(before, outDir, null);
        var fix = temp.File("fix.csv");
        File.WriteAllText(fix, "song_id,file,label\n\"Café Band - Señor\",\"03_Guitarra Ac\u00FAstica.aif\",Electric_Guitar\n\"Café Band - Señor\",04_Bass.aif,Double_Bass\n");
        Run(before, outDir, fix);

        // Re-ingest: NFD names, WAV instead of AIFF, renumbered tracks, a song id in other case, one track gone.
        Directory.Delete(before, recursive: true);
        var after = WriteCatalog(temp, ("CAFE\u0301 BAND - SEN\u0303OR", "05_Guitarra Acu\u0301stica.wav"), ("CAFE\u0301 BAND - SEN\u0303OR", "06_Piano.wav"));
        var result = Run(after, outDir);
        Assert.Equal("Electric_Guitar", Row(outDir, "05_Guitarra Acu\u0301stica.wav").Label);
        Assert.Equal("manual", Row(outDir, "05_Guitarra Acu\u0301stica.wav").Source);
        Assert.Equal(1, result.OrphanCorrections);
        Assert.Contains(result.Warnings, w => w.Contains("kept"));
        Assert.Equal(2, LabelFiles.ReadCorrections(Path.Combine(outDir, LabelStage.CorrectionsFile)).Count);
    }

    [Fact]
    public void A_correction_with_a_label_outside_the_vocabulary_is_kept_but_not_applied()
    {
        using var temp = new TempDir();
        var lib = WriteCatalog(temp, ("Band - Song", "Kick.wav"));
        var outDir = temp.File("out");
        var fix = temp.File("fix.csv");
        File.WriteAllText(fix, "song_id,file,label\nBand - Song,Kick.wav,Drum_Kik\n");
        var result = Run(lib, outDir, fix);
        Assert.Equal("Drum_Kick", Row(outDir, "Kick.wav").Label);
        Assert.Contains(result.Warnings, w => w.Contains("'Drum_Kik'") && w.Contains("not applied"));
        Assert.Single(LabelFiles.ReadCorrections(Path.Combine(outDir, LabelStage.CorrectionsFile)));
    }

    [Fact]
    public void A_folder_of_audio_files_or_a_csv_of_names_is_enough()
    {
        using var temp = new TempDir();
        var root = temp.File("songs");
        Directory.CreateDirectory(Path.Combine(root, "Artist - Title", "Raw"));
        Directory.CreateDirectory(Path.Combine(root, "__MACOSX"));
        foreach (var f in new[] { "Artist - Title/01_Kick.wav", "Artist - Title/Raw/Bass DI.AIF", "Artist - Title/notes.txt", "Artist - Title/.hidden.wav", "__MACOSX/x.wav" })
        {
            File.WriteAllText(Path.Combine(root, f), string.Empty);
        }

        var outDir = temp.File("out");
        var result = Run(root, outDir);
        Assert.Equal(2, result.Tracks);
        Assert.Equal(["01_Kick.wav", "Bass DI.AIF"], result.Rows.Select(r => r.File).Order(StringComparer.Ordinal));
        Assert.All(result.Rows, r => Assert.Equal("Artist - Title", r.SongId));

        var csv = temp.File("names.csv");
        File.WriteAllText(csv, "song_id,file\nS,Kick.wav\n,Orphan.wav\nS,Snare.wav\n");
        var fromCsv = Run(csv, temp.File("out2"));
        Assert.Equal(2, fromCsv.Tracks);
        Assert.Contains(fromCsv.Warnings, w => w.Contains("names.csv:3"));
    }

    [Fact]
    public void Reports_progress_per_song_and_honours_cancellation()
    {
        using var temp = new TempDir();
        var lib = WriteCatalog(temp, ("A - 1", "Kick.wav"), ("B - 2", "Bass.wav"), ("C - 3", "Vox.wav"));
        var reports = new List<StageProgress>();
        LabelStage.Run(new LabelStageOptions(lib, temp.File("out")), Labeler, HierarchyDefinition.Load("ms21"), new SyncProgress(reports.Add));
        Assert.Equal([0L, 1L, 2L, 3L], reports.Select(r => r.Done));
        Assert.All(reports, r => Assert.Equal(3, r.Total));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            LabelStage.Run(new LabelStageOptions(lib, temp.File("out2")), Labeler, HierarchyDefinition.Load("ms21"), null, cancelled.Token));
        Assert.False(File.Exists(Path.Combine(temp.File("out2"), LabelStage.LongFile)));
    }

    private sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }

    [Fact]
    public void Bad_inputs_are_named()
    {
        using var temp = new TempDir();
        var csv = temp.File("x.csv");
        File.WriteAllText(csv, "name,other\na,b\n");
        var error = Assert.Throws<InvalidDataException>(() => Run(csv, temp.File("out")));
        Assert.Contains("x.csv", error.Message);
        Assert.Throws<FileNotFoundException>(() => Run(temp.File("missing"), temp.File("out")));
    }

    [Theory]
    [InlineData(new[] { "a.wav" }, "['a.wav']")]
    [InlineData(new[] { "Devil's.wav", "b c.wav" }, "[\"Devil's.wav\", 'b c.wav']")]
    [InlineData(new string[0], "")]
    public void Python_style_file_lists_round_trip(string[] files, string text)
    {
        Assert.Equal(text, LabelFiles.FormatList(files));
        Assert.Equal(files, LabelFiles.ParseList(text));
    }

    [Fact]
    public void File_lists_parse_quotes_escapes_and_plain_names()
    {
        Assert.Equal(["it's \"x\".wav"], LabelFiles.ParseList("['it\\'s \"x\".wav']"));
        Assert.Equal(["a.wav", "b.wav"], LabelFiles.ParseList("a.wav; b.wav"));
        Assert.Empty(LabelFiles.ParseList("[]"));
        Assert.Empty(LabelFiles.ParseList("nan"));
        Assert.Throws<FormatException>(() => LabelFiles.ParseList("['a.wav'"));
    }
}
