using DatasetForge.Audio;
using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Mixing;

public sealed class MixCommandTests
{
    private static (int Code, string Out, string Err) Forge(params string[] args) => ForgeInProcess.Run(args);

    [Fact]
    public void Preview_writes_mixtures_targets_and_plans()
    {
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "dataset");
        new DatasetBuilder(data) { SampleRate = 8000, Seconds = 8 }.Songs(4, ["train"]).Build();
        var recipe = Path.Combine(dir.Path, "short.yaml");
        File.WriteAllText(recipe, "name: short\nkind: stems\nchunk_seconds: 1.5\nlevel: 2\ntargets: [vocal, percussion, bass, other]\nsource: { index: segments, method: bsrnn }\nrescale: max_abs\naugment: { gain_db: [-10, 10], dropout: 0.1, cross_song_remix: 1 }\n");
        var outDir = Path.Combine(dir.Path, "preview");

        var (code, output, error) = Forge("mix", data, "--recipe", recipe, "--preview", "3", "--out", outDir, "--seed", "4");

        Assert.True(code == 0, error);
        Assert.Contains("3 items of recipe 'short'", output, StringComparison.Ordinal);
        var plans = File.ReadAllLines(Path.Combine(outDir, "plans.jsonl"));
        Assert.Equal(3, plans.Length);
        for (var i = 0; i < 3; i++)
        {
            var mixture = AudioFile.ReadInfo(Path.Combine(outDir, $"{i:D4}_mixture.wav"));
            Assert.Equal((8000, 2, 12000L), (mixture.SampleRate, mixture.Channels, mixture.Frames));
            foreach (var target in new[] { "vocal", "percussion", "bass", "other" })
            {
                Assert.True(File.Exists(Path.Combine(outDir, $"{i:D4}_{target}.wav")), target);
            }

            Assert.Equal(i, MixPlan.FromJson(plans[i]).Index);
        }
    }

    [Fact]
    public void A_bad_recipe_is_an_error_naming_the_file_and_line()
    {
        using var dir = new TempDir();
        var recipe = Path.Combine(dir.Path, "bad.yaml");
        File.WriteAllText(recipe, "name: bad\nkind: blend\nchunk_seconds: 1\n");
        var (code, _, error) = Forge("mix", dir.Path, "--recipe", recipe, "--out", Path.Combine(dir.Path, "o"));
        Assert.Equal(1, code);
        Assert.Contains($"{recipe}:2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_dataset_is_an_error_naming_it()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir.Path, "nothing");
        var (code, _, error) = Forge("mix", missing, "--recipe", "bsrnn", "--out", Path.Combine(dir.Path, "o"));
        Assert.Equal(1, code);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }
}
