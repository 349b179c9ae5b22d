using DatasetForge.Audio;
using DatasetForge.Cli;
using DatasetForge.Common;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Render;
using DatasetForge.Render.Export;
using DatasetForge.Splits;
using DatasetForge.Stats;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Render;

/// <summary>render -> split -> stats -> export musdb through the CLI on a four-song, three-artist library.</summary>
public sealed class DatasetCliTests
{
    private static Task<int> Forge(params string[] args) => ForgeCli.BuildRoot().Parse(args).InvokeAsync();

    private static string Library(TempDir temp) => RenderLibrary.Write(temp.Path, new Dictionary<string, IReadOnlyList<TestTrack>>
    {
        ["Alpha - One"] = RenderLibrary.Band(seconds: 1.5),
        ["Alpha - Two"] = RenderLibrary.Band(seconds: 1.2).Where(t => t.Label != "Lead_Vocal" && t.Label != "Backing_Vocal").ToList(),
        ["Beta feat. Gamma - Three"] = RenderLibrary.Band(seconds: 1.0),
        ["Delta - Four"] = RenderLibrary.Band(seconds: 1.3).Where(t => t.Label != "Electric_Bass").ToList(),
    });

    [Fact]
    public async Task Render_split_stats_and_export_write_the_contract_files()
    {
        using var temp = new TempDir();
        var labels = Library(temp);
        var ds = temp.File("ds");
        Assert.Equal(0, await Forge("render", labels, "--out", ds, "--jobs", "2"));

        // Manifests: rows match the schemas, paths resolve, all stems of a song share rate, channels and length.
        var songs = CsvTable.Read<DatasetSongRow>(Path.Combine(ds, DatasetManifests.SongsFile));
        var stems = CsvTable.Read<DatasetStemRow>(Path.Combine(ds, DatasetManifests.StemsFile));
        var raws = CsvTable.Read<DatasetRawTrackRow>(Path.Combine(ds, DatasetManifests.RawTracksFile));
        Assert.Empty(CatalogSchemas.Validate(songs, "dataset-song.schema.json"));
        Assert.Empty(CatalogSchemas.Validate(stems, "dataset-stem.schema.json"));
        Assert.Empty(CatalogSchemas.Validate(raws, "dataset-raw-track.schema.json"));
        Assert.Equal(["Alpha - One", "Alpha - Two", "Beta feat. Gamma - Three", "Delta - Four"], songs.Select(s => s.SongId));
        Assert.All(stems, s => Assert.Equal(songs.Single(x => x.SongId == s.SongId).Frames, AudioFile.ReadInfo(Path.Combine(ds, s.Path)).Frames));
        Assert.All(songs, s => Assert.True(File.Exists(Path.Combine(ds, s.MixPath))));
        Assert.All(raws, r => Assert.True(File.Exists(Path.Combine(ds, r.Path))));
        Assert.Equal(11 + 9 + 11 + 10, raws.Count);
        Assert.NotNull(DatasetInfo.TryRead(ds));
        Assert.Empty(CatalogSchemas.Validate(
            [System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(DatasetInfo.TryRead(ds), DatasetForge.Common.Config.SchemaValidatedConfig.JsonOptions))],
            "dataset.schema.json"));

        // A second run renders nothing.
        Assert.Equal(0, await Forge("render", labels, "--out", ds));
        Assert.All(Directory.EnumerateFiles(ds, "*.wav", SearchOption.AllDirectories), f => Assert.False(AtomicFile.IsTempFile(f)));

        Assert.Equal(0, await Forge("split", ds, "--seed", "4", "--forced-test", WriteForced(temp, "delta - FOUR")));
        var splits = CsvTable.Read<SplitRow>(Path.Combine(ds, SplitStage.SplitsFile));
        Assert.Empty(CatalogSchemas.Validate(splits, "splits-row.schema.json"));
        Assert.Equal("test", splits.Single(s => s.SongId == "Delta - Four").Split);
        Assert.Single(splits.Where(s => s.SongId.StartsWith("Alpha", StringComparison.Ordinal)).Select(s => s.Split).Distinct());
        Assert.Empty(CatalogSchemas.Validate(CsvTable.Read<SplitBalance>(Path.Combine(ds, SplitStage.BalanceFile)), "split-balance-row.schema.json"));

        Assert.Equal(0, await Forge("stats", ds));
        var rows = CsvTable.Read<StatsRow>(Path.Combine(ds, StatsReport.StatsFile));
        Assert.Empty(CatalogSchemas.Validate(rows, "dataset-stats-row.schema.json"));
        Assert.Empty(CatalogSchemas.Validate(CsvTable.Read<DistributionRow>(Path.Combine(ds, StatsReport.DistributionsFile)), "dataset-distribution-row.schema.json"));
        var all = rows.Single(r => r.Scope == "all");
        Assert.Equal(4, all.Songs);
        Assert.Equal(3, all.Artists);
        Assert.Equal(75.0, all.VocalPercent);
        Assert.Equal(10.25, all.RawTracksMean);
        Assert.Equal("stereo", all.StereoMono);
        Assert.Null(all.LeakagePercent);
        Assert.Equal(6, all.InstrumentCategories);
        Assert.Equal(Math.Round((1.5 + 1.2 + 1.0 + 1.3) / 3600, 4), all.Hours, 3);
        foreach (var png in new[] { "genres.png", "instruments.png", "lengths.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(ds, "stats", png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }

        var html = File.ReadAllText(Path.Combine(ds, StatsReport.IndexFile));
        Assert.Contains("<img src=\"instruments.png\"", html, StringComparison.Ordinal);
        Assert.Contains("<td>all</td><td>4</td><td>3</td>", html, StringComparison.Ordinal);

        var musdb = temp.File("musdb");
        Assert.Equal(0, await Forge("export", "musdb", ds, "--out", musdb));
        var delta = Path.Combine(musdb, "test", "Delta - Four");
        Assert.Equal(["bass.wav", "drums.wav", "mixture.wav", "other.wav", "vocals.wav"], Directory.GetFiles(delta).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var mix = AudioFile.ReadAll(Path.Combine(delta, "mixture.wav"));
        Assert.Equal((44100, 2, SampleEncoding.Pcm16), (mix.SampleRate, mix.ChannelCount, AudioFile.ReadInfo(Path.Combine(delta, "mixture.wav")).Encoding));
        var parts = MusdbExporter.Targets.Select(t => AudioFile.ReadAll(Path.Combine(delta, t + ".wav"))).ToList();
        Assert.All(parts[MusdbExporter.Targets.ToList().IndexOf("bass")].Channels, c => Assert.DoesNotContain(c, v => v != 0)); // Delta has no bass: silence
        var worst = 0.0;
        for (var c = 0; c < 2; c++)
        {
            for (var i = 0; i < mix.Frames; i++)
            {
                worst = Math.Max(worst, Math.Abs(mix.Channels[c][i] - parts.Sum(p => p.Channels[c][i])));
            }
        }

        Assert.True(worst <= 5.0 / 32768, $"mixture - sum of targets = {worst}");
        Assert.Equal(splits.Count(s => s.Split != "test"), Directory.GetDirectories(Path.Combine(musdb, "train")).Length);
    }

    [Fact]
    public async Task Render_refuses_relative_catalog_paths_without_a_catalog_and_bad_parameters()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(temp.File("labels"));
        File.WriteAllText(temp.File("labels/labels.csv"), "song_id,file,label,path\nA - B,x.wav,Piano,songs/A - B/audio/x.wav\n");
        Assert.Equal(2, await Forge("render", temp.File("labels"), "--out", temp.File("ds")));
        Assert.Equal(2, await Forge("render", temp.File("labels"), "--out", temp.File("ds"), "--catalog", temp.File("nowhere")));
        Assert.Equal(2, await Forge("render", temp.File("nolabels"), "--out", temp.File("ds")));
        Assert.Equal(2, await Forge("split", temp.File("ds")));
        Assert.Equal(2, await Forge("stats", temp.File("ds")));
    }

    private static string WriteForced(TempDir temp, string name)
    {
        var path = temp.File("forced.txt");
        File.WriteAllText(path, $"# forced\n{name}\nNot - Here\n");
        return path;
    }
}
