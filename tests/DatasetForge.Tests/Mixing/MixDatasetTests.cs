using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Mixing;

public sealed class MixDatasetTests
{
    private static BuiltDataset Build(string dir) => new DatasetBuilder(dir) { SampleRate = 8000, Seconds = 8 }
        .Song("A - One", "train", "lead_vocal", "drum_set", "bass", "electric_guitar")
        .Song("B - Two", "train", "lead_vocal", "drum_set", "bass", "pianos")
        .Build();

    [Fact]
    public void Reads_the_contract_layout()
    {
        using var dir = new TempDir();
        Build(dir.Path);
        var dataset = MixDataset.Load(dir.Path);
        Assert.Empty(dataset.Issues);
        Assert.Equal(["A - One", "B - Two"], dataset.Songs.Select(s => s.SongId));
        Assert.All(dataset.Songs, s => Assert.Equal(("train", 8000, 2, 64000L), (s.Split, s.SampleRate, s.Channels, s.Frames)));
        Assert.Equal(4, dataset.Stems.Count(s => s.SongId == "A - One" && s.Level == 1));
        Assert.Equal(["bass", "other", "percussion", "vocal"], dataset.Stems.Where(s => s.SongId == "A - One" && s.Level == 2).Select(s => s.Node));
        Assert.NotEmpty(dataset.Segments);
        Assert.NotEmpty(dataset.Saliency);
        Assert.Equal(64, dataset.Key.Length);
    }

    [Fact]
    public void Bad_rows_and_unreadable_files_are_reported_by_name_and_left_out()
    {
        using var dir = new TempDir();
        var built = Build(dir.Path);
        var stems = Path.Combine(dir.Path, "manifests", "stems.csv");
        var lines = File.ReadAllLines(stems).ToList();
        lines.Add("B - Two,two,bass,x.wav,8000,2,64000,none,,,,0,ok,1");
        lines.Add("Nobody - Nothing,1,bass,y.wav,8000,2,64000,none,,,,0,ok,1");
        File.WriteAllLines(stems, lines);
        File.Delete(built.FullPath("A - One", 1, "bass"));
        var guitar = built.FullPath("A - One", 1, "electric_guitar");
        File.WriteAllBytes(guitar, File.ReadAllBytes(guitar)[..2000]);

        var dataset = MixDataset.Load(dir.Path);
        var issues = dataset.Issues.Select(i => $"{i.Item}: {i.Reason}").ToList();
        Assert.Contains(issues, i => i.Contains($"stems.csv:{lines.Count - 1}", StringComparison.Ordinal) && i.Contains("positive integers", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.Contains($"stems.csv:{lines.Count}", StringComparison.Ordinal) && i.Contains("'Nobody - Nothing' is not in manifests/songs.csv", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.StartsWith(built.FullPath("A - One", 1, "bass"), StringComparison.Ordinal) && i.Contains("file not found", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.StartsWith(guitar, StringComparison.Ordinal));
        Assert.Null(dataset.Stem("A - One", 1, "bass"));
        Assert.Null(dataset.Stem("A - One", 1, "electric_guitar"));
        Assert.NotNull(dataset.Stem("A - One", 2, "bass"));
    }

    [Fact]
    public void Missing_manifests_and_columns_are_clear_errors()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => MixDataset.Load(dir.Path));
        Assert.Contains("songs.csv", e.Message, StringComparison.Ordinal);

        Build(dir.Path);
        var songs = Path.Combine(dir.Path, "manifests", "songs.csv");
        File.WriteAllText(songs, "song_id,folder\nA - One,A_One\n");
        var columns = Assert.Throws<InvalidDataException>(() => MixDataset.Load(dir.Path));
        Assert.Contains("mix_path", columns.Message, StringComparison.Ordinal);
        Assert.Contains(songs, columns.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_analysis_a_segment_recipe_says_what_is_missing_and_index_none_still_works()
    {
        using var dir = new TempDir();
        new DatasetBuilder(dir.Path) { SampleRate = 8000, Seconds = 8, WriteAnalysis = false, Levels = [2] }
            .Song("A - One", "train", "lead_vocal", "drum_set", "bass", "electric_guitar")
            .Build();
        var dataset = MixDataset.Load(dir.Path);
        var recipe = MixRecipe.Load("bsrnn") with { ChunkSeconds = 1 };
        var e = Assert.Throws<InvalidOperationException>(() => new MixPlanner(dataset, recipe, 1));
        Assert.Contains("segments.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("forge analyze", e.Message, StringComparison.Ordinal);

        var anywhere = new MixPlanner(dataset, recipe with { Source = new MixSourceOptions { Index = SourceIndex.None } }, 1);
        Assert.Equal(4, anywhere.PlanItem(0).Sources.Count);
    }

    [Fact]
    public void Stems_at_another_sample_rate_are_left_out_with_a_reason()
    {
        using var dir = new TempDir();
        Build(dir.Path);
        var dataset = MixDataset.Load(dir.Path);
        var recipe = MixRecipe.Load("bsrnn") with { ChunkSeconds = 1, SampleRate = 16000 };
        var e = Assert.Throws<InvalidOperationException>(() => new MixPlanner(dataset, recipe, 1));
        Assert.Contains("'vocal'", e.Message, StringComparison.Ordinal);
    }
}
