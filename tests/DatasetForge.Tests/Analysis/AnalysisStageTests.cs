using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Analysis;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Analysis;

public sealed class AnalysisStageTests(AnalysisFixture fixture) : IClassFixture<AnalysisFixture>
{
    private static IReadOnlyList<CsvTable.Row> Rows(string dir, string name) => CsvTable.ReadRows(Path.Combine(dir, "analysis", name)).Rows;

    [Fact]
    public void A_dataset_gets_every_output_with_the_contract_columns()
    {
        var dir = fixture.Dataset;
        Assert.Equal(2, fixture.Run.Analysed);
        var (segHeader, _) = CsvTable.ReadRows(Path.Combine(dir, "analysis", "segments.csv"));
        Assert.Equal(["song_id", "source", "level", "name", "method", "start_s", "end_s", "salient"], segHeader);
        var (salHeader, _) = CsvTable.ReadRows(Path.Combine(dir, "analysis", "saliency.csv"));
        Assert.Equal(["song_id", "level", "node", "frame", "start_s", "end_s", "rms_db", "salient"], salHeader);
        var (bleedHeader, _) = CsvTable.ReadRows(Path.Combine(dir, "analysis", "bleed.csv"));
        Assert.Equal(["song_id", "file", "bleed_prob", "bleed_db", "delay_ms", "sources", "harmful"], bleedHeader.Take(7));

        // Segments of stems (level = stem level, name = node) and raw tracks (level 0, name = file), both methods.
        var segments = Rows(dir, "segments.csv");
        Assert.Contains(segments, r => r.Get("source") == "stem" && r.Get("level") == "1" && r.Get("name") == "lead_vocal" && r.Get("method") == "bsrnn");
        Assert.Contains(segments, r => r.Get("source") == "stem" && r.Get("level") == "2" && r.Get("name") == "vocal" && r.Get("method") == "mixit");
        Assert.Contains(segments, r => r.Get("source") == "raw" && r.Get("level") == "0" && r.Get("name") == "01_LeadVox.wav");
        Assert.Contains(segments, r => r.Get("salient") == "True");

        // Saliency: every present node of levels 1-3 (level 3 has no stem: summed from level 2).
        var saliency = Rows(dir, "saliency.csv");
        var alpha = saliency.Where(r => r.Get("song_id") == "Alpha Band - First Light").Select(r => (r.Get("level"), r.Get("node"))).Distinct().ToList();
        Assert.Contains(("1", "acoustic_guitar"), alpha);
        Assert.Contains(("2", "other"), alpha);
        Assert.Contains(("3", "accompaniment"), alpha);
        Assert.Contains(("3", "vocal"), alpha);
    }

    [Fact]
    public void Bleed_vocal_quality_and_song_verdicts_match_what_was_injected()
    {
        var dir = fixture.Dataset;
        var vocal = Rows(dir, "bleed.csv").Single(r => r.Get("file") == "01_LeadVox.wav");
        Assert.Equal("True", vocal.Get("detected"));
        Assert.Equal("True", vocal.Get("harmful"));
        Assert.StartsWith("02_AcGtr.wav", vocal.Get("sources"));
        Assert.Equal(9, double.Parse(vocal.Get("delay_ms")!, CultureInfo.InvariantCulture), 0.1);
        Assert.InRange(double.Parse(vocal.Get("bleed_db")!, CultureInfo.InvariantCulture), -23, -17);
        Assert.All(Rows(dir, "bleed.csv").Where(r => r.Get("file") is "02_AcGtr.wav" or "03_Bass.wav" or "Piano.wav"), r => Assert.Equal("False", r.Get("detected")));

        var songs = Rows(dir, "songs.csv");
        Assert.Equal("True", songs.Single(s => s.Get("song_id") == "Alpha Band - First Light").Get("has_bleed"));
        Assert.Equal("vocal", songs.Single(s => s.Get("song_id") == "Alpha Band - First Light").Get("affected_stems"));
        Assert.Equal("False", songs.Single(s => s.Get("song_id") == "Beta Crew - Night: Two").Get("has_bleed"));

        var vq = Rows(dir, "vocal_quality.csv");
        Assert.Equal("0", vq.Single(r => r.Get("scope") == "track" && r.Get("file") == "01_LeadVox.wav").Get("vocal_quality"));
        Assert.Equal("0", vq.Single(r => r.Get("scope") == "song" && r.Get("song_id") == "Alpha Band - First Light").Get("vocal_quality"));
        Assert.Contains("02_AcGtr.wav", vq.Single(r => r.Get("scope") == "track").Get("vocal_quality_reason"));
    }

    [Fact]
    public void A_broken_file_is_quarantined_and_the_rest_of_its_song_is_analysed()
    {
        var q = Assert.Single(Rows(fixture.Dataset, "quarantine.csv"));
        Assert.Contains("Broken.wav", q.Get("item"));
        Assert.Contains("Broken.wav", q.Get("reason"));
        Assert.Contains(Rows(fixture.Dataset, "bleed.csv"), r => r.Get("file") == "Piano.wav");
        Assert.Equal("1", Rows(fixture.Dataset, "songs.csv").Single(s => s.Get("song_id") == "Beta Crew - Night: Two").Get("quarantined"));
    }

    [Fact]
    public void Written_rows_match_their_schemas()
    {
        foreach (var (file, schemaName) in AnalysisStage.Outputs)
        {
            var schema = SchemaValidatedConfig.Schema(schemaName);
            var path = Path.Combine(fixture.Dataset, "analysis", file);
            var rows = CsvTable.ReadRows(path).Rows;
            Assert.NotEmpty(rows);
            Assert.True(File.Exists(Path.Combine(fixture.Dataset, "analysis", "schemas", schemaName)));
            foreach (var row in rows.Take(400))
            {
                var obj = new JsonObject();
                foreach (var (key, value) in row.Fields)
                {
                    obj[key] = Typed(schemaName, key, value);
                }

                using var doc = JsonDocument.Parse(obj.ToJsonString());
                var result = schema.Evaluate(doc.RootElement);
                Assert.True(result.IsValid, $"{path}:{row.Line} does not match {schemaName}: {obj.ToJsonString()}");
            }

        }
    }

    [Fact]
    public async Task A_second_run_does_nothing_and_a_changed_parameter_redoes_the_songs()
    {
        using var temp = new TempDir();
        var dir = AnalysisDatasets.WriteDataset(temp.Path, [fixture.Songs[1]]);
        var input = AnalysisInput.Open(dir);
        var first = await AnalysisStage.RunAsync(input, AnalysisOptions.Default, 1);
        Assert.Equal(1, first.Analysed);
        var bleed = Path.Combine(dir, "analysis", "songs", fixture.Songs[1].Folder, "bleed.csv");
        var written = File.GetLastWriteTimeUtc(bleed);

        // Touching a raw file (same content) keeps the key: content hashes, not timestamps.
        File.SetLastWriteTimeUtc(Path.Combine(dir, fixture.Songs[1].Folder, $"{fixture.Songs[1].Folder}_RAW", "Kick.wav"), DateTime.UtcNow.AddMinutes(1));
        var second = await AnalysisStage.RunAsync(AnalysisInput.Open(dir), AnalysisOptions.Default, 1);
        Assert.Equal((0, 1), (second.Analysed, second.Skipped));
        Assert.Equal(written, File.GetLastWriteTimeUtc(bleed));

        // A changed bleed calibration (same file, new content) is a changed parameter too.
        var calibration = Path.Combine(temp.Path, "calibration.yaml");
        var shipped = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "pipelines", "analysis", "bleed-calibration.yaml"));
        File.WriteAllText(calibration, shipped);
        var withFile = AnalysisOptions.Default with { Bleed = AnalysisOptions.Default.Bleed with { Calibration = calibration } };
        Assert.Equal(1, (await AnalysisStage.RunAsync(AnalysisInput.Open(dir), withFile, 1)).Analysed);
        Assert.Equal(0, (await AnalysisStage.RunAsync(AnalysisInput.Open(dir), withFile, 1)).Analysed);
        File.WriteAllText(calibration, System.Text.RegularExpressions.Regex.Replace(shipped, @"track:\n  intercept: [-0-9.eE]+", "track:\n  intercept: 0.25"));
        Assert.Equal(1, (await AnalysisStage.RunAsync(AnalysisInput.Open(dir), withFile, 1)).Analysed);

        var changed = AnalysisOptions.Default with { Saliency = new SaliencyOptions { ThresholdDbfs = -40 } };
        var third = await AnalysisStage.RunAsync(AnalysisInput.Open(dir), changed, 1);
        Assert.Equal(1, third.Analysed);
        Assert.NotEqual(first.Songs[0].Key, third.Songs[0].Key);
    }

    [Fact]
    public async Task A_catalog_is_analysed_before_rendering_with_or_without_labels()
    {
        var input = AnalysisInput.Open(fixture.Catalog);
        Assert.Equal(AnalysisInputKind.Catalog, input.Kind);
        Assert.Equal(["01_LeadVox.wav", "02_AcGtr.wav", "03_Bass.wav"], input.Songs[0].Tracks.Select(t => t.File));
        Assert.Equal("Lead_Vocal", input.Songs[0].Tracks[0].Label);
        var run = await AnalysisStage.RunAsync(input, AnalysisOptions.Default, 1);
        Assert.Empty(run.Quarantined);
        var vocal = Rows(fixture.Catalog, "bleed.csv").Single(r => r.Get("file") == "01_LeadVox.wav");
        Assert.Equal("True", vocal.Get("detected"));

        // No stems: raw segments only, and saliency of the raw tracks' submixes.
        Assert.All(Rows(fixture.Catalog, "segments.csv"), r => Assert.Equal("raw", r.Get("source")));
        Assert.Contains(Rows(fixture.Catalog, "saliency.csv"), r => r.Get("level") == "2" && r.Get("node") == "vocal" && r.Get("salient") == "True");

        // Without labels/labels.csv the rules label the files (a warning says so).
        using var temp = new TempDir();
        var bare = AnalysisDatasets.WriteCatalog(temp.Path, [fixture.Songs[0]], withLabels: false);
        var unlabelled = AnalysisInput.Open(bare);
        Assert.Contains(unlabelled.Warnings, w => w.Contains("built-in rules"));
        Assert.Equal("Lead_Vocal", unlabelled.Songs[0].Tracks[0].Label);
        Assert.Equal("Acoustic_Guitar", unlabelled.Songs[0].Tracks[1].Label);
    }

    [Fact]
    public void A_folder_that_is_neither_is_refused_with_its_name()
    {
        using var temp = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => AnalysisInput.Open(temp.Path));
        Assert.Contains(temp.Path, e.Message);
    }

    private static JsonNode? Typed(string schema, string key, string value)
    {
        if (value.Length == 0)
        {
            return key is "sources" or "top_source" or "file" or "label" or "affected_instruments" or "affected_stems" or "vocal_quality" && schema != "analysis-vocal-quality-row.schema.json"
                ? JsonValue.Create(value) : key is "file" or "label" ? JsonValue.Create(value) : null;
        }

        if (value is "True" or "False")
        {
            return JsonValue.Create(value == "True");
        }

        if (key == "vocal_quality" && schema == "analysis-song-row.schema.json")
        {
            return JsonValue.Create(value);
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && key is not ("song_id" or "file" or "source" or "name" or "node" or "folder" or "label" or "top_source" or "sources" or "item" or "reason")
            ? (d == Math.Floor(d) && Math.Abs(d) < 1e15 && !value.Contains('.') ? JsonValue.Create((long)d) : JsonValue.Create(d))
            : JsonValue.Create(value);
    }
}
