using DatasetForge.Audio;
using DatasetForge.Evaluation;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Evaluation;

/// <summary>`forge eval --dataset` on a dataset forge rendered (manifests + splits.csv), not only MUSDB18-HQ.</summary>
public sealed class RenderedDatasetLayoutTests
{
    private static readonly EvaluationOptions Fast = new() { FilterLength = 64 };

    [Fact]
    public void A_rendered_dataset_is_recognized_and_its_level_two_stems_are_the_targets()
    {
        using var dir = new TempDir();
        var built = new DatasetBuilder(dir.File("ds")) { SampleRate = 8000, Seconds = 4, WriteAnalysis = false }
            .Song("Ann - One", "test", "lead_vocal", "drum_set", "bass", "electric_guitar")
            .Song("Bob - Two", "train", "lead_vocal", "bass", "pianos")
            .Song("Cid - Three", "validation", "backing_vocal", "drum_set", "acoustic_guitar")
            .Build();

        var layout = DatasetLayouts.Resolve(built.Root, null);
        Assert.Equal("forge", layout.Name);
        var test = Assert.Single(layout.Songs(built.Root, "test"));
        Assert.Equal("Ann - One", test.Name);
        Assert.Equal(["bass", "other", "percussion", "vocal"], test.References.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(built.FullPath("Ann - One", 2, "vocal"), test.References["vocal"]);
        Assert.True(File.Exists(test.Mixture));
        Assert.Equal("Cid - Three", Assert.Single(new RenderedDatasetLayout().Songs(built.Root, "valid")).Name);
        Assert.Equal(new[] { "lead_vocal", "drum_set", "bass", "electric_guitar" }.Order(StringComparer.Ordinal),
            new RenderedDatasetLayout(1).Songs(built.Root, "test")[0].References.Keys.Order(StringComparer.Ordinal));
        var e = Assert.Throws<EvaluationInputException>(() => new RenderedDatasetLayout(7).Songs(built.Root, "test"));
        Assert.Contains("no stems at level 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Perfect_estimates_score_far_above_the_mixture_as_estimate()
    {
        using var dir = new TempDir();
        var built = new DatasetBuilder(dir.File("ds")) { SampleRate = 8000, Seconds = 4, WriteAnalysis = false }
            .Song("Ann - One", "test", "lead_vocal", "drum_set", "bass", "electric_guitar")
            .Build();
        var song = new RenderedDatasetLayout().Songs(built.Root, "test")[0];
        foreach (var (node, path) in song.References)
        {
            // "oracle": the reference plus a little noise; "mixture": the mixture for every target (museval's baseline).
            var reference = AudioFile.ReadAll(path);
            var noisy = new AudioBuffer(reference.SampleRate, reference.Channels.Select((c, ch) => c.Select((v, i) => v + (0.001f * MathF.Sin(i * 0.37f + ch))).ToArray()).ToArray());
            WavFile.Write(Path.Combine(dir.Path, "oracle", "test", song.Name, node + ".wav"), noisy);
            File.Copy(song.Mixture!, Path.Combine(Directory.CreateDirectory(Path.Combine(dir.Path, "mixture", song.Name)).FullName, node + ".wav"));
        }

        var result = DatasetEvaluator.Run(new DatasetEvaluationRequest
        {
            DatasetRoot = built.Root,
            Systems = [new("oracle", Path.Combine(dir.Path, "oracle")), new("mixture", Path.Combine(dir.Path, "mixture"))],
            OutputDir = dir.File("eval"),
            Layout = new RenderedDatasetLayout(),
            Options = Fast,
        });

        Assert.Empty(result.Failures);
        Assert.Equal(8, result.Songs.Count);
        foreach (var target in new[] { "bass", "other", "percussion", "vocal" })
        {
            var oracle = result.Aggregate.Single(a => a.System == "oracle" && a.Target == target);
            var mixture = result.Aggregate.Single(a => a.System == "mixture" && a.Target == target);
            Assert.True(oracle.UsdrMean > 25, $"{target}: oracle uSDR {oracle.UsdrMean}");
            Assert.True(mixture.UsdrMean < oracle.UsdrMean - 15, $"{target}: mixture uSDR {mixture.UsdrMean} vs oracle {oracle.UsdrMean}");
        }
    }
}
