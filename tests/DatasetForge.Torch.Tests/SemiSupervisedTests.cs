using DatasetForge.Audio;
using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;
using DatasetForge.Torch.SemiSupervised;
using DatasetForge.Torch.Training;
using Xunit.Abstractions;

namespace DatasetForge.Torch.Tests;

[Collection("torch")]
public sealed class SemiSupervisedTests(TorchFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1.0, 1.0, 1e-4, SegmentLabel.CleanTarget)]          // the residual is 40 dB down
    [InlineData(1.0, 1e-4, 1.0, SegmentLabel.CleanResidual)]        // the target is 40 dB down
    [InlineData(1.0, 0.5, 0.5, SegmentLabel.Pseudo)]
    [InlineData(1.0, 1e-3, 1.0, SegmentLabel.Pseudo)]               // exactly 30 dB is not more than 30 dB
    [InlineData(0.0, 0.0, 0.0, SegmentLabel.Silent)]
    public void Segments_are_labelled_by_energy_differences(double mixture, double target, double residual, SegmentLabel expected) =>
        Assert.Equal(expected, PseudoLabeler.Classify(mixture, target, residual, 30));

    [Fact]
    public void Labelled_stems_take_the_mixture_or_the_estimates_per_segment()
    {
        const int rate = 1000;
        var t = Enumerable.Range(0, 3000).Select(i => (float)Math.Sin(i * 0.3)).ToArray();
        var r = Enumerable.Range(0, 3000).Select(i => (float)Math.Cos(i * 0.07)).ToArray();
        var mixture = new float[3000];
        var estimate = new float[3000];
        for (var i = 0; i < 3000; i++)
        {
            var segment = i / 1000;                                               // 0: target only, 1: residual only, 2: both
            mixture[i] = segment == 1 ? r[i] : segment == 0 ? t[i] : t[i] + r[i];
            estimate[i] = segment == 1 ? 0 : (segment == 0 ? 0.995f : 0.9f) * t[i];   // residuals 46 dB and 20 dB below the mixture
        }

        var (target, residual, segments) = PseudoLabeler.Label("song", new AudioBuffer(rate, [mixture]), new AudioBuffer(rate, [estimate]),
            new PseudoLabelOptions { SegmentSeconds = 1, ThresholdDb = 30 });
        Assert.Equal([SegmentLabel.CleanTarget, SegmentLabel.CleanResidual, SegmentLabel.Pseudo], segments.Select(s => s.Label));
        Assert.Equal(mixture[..1000], target.Channels[0][..1000]);                 // clean target: the mixture itself
        Assert.All(residual.Channels[0][..1000], v => Assert.Equal(0f, v));
        Assert.All(target.Channels[0][1000..2000], v => Assert.Equal(0f, v));      // clean residual
        Assert.Equal(mixture[1000..2000], residual.Channels[0][1000..2000]);
        Assert.Equal(estimate[2000..], target.Channels[0][2000..]);                 // pseudo: the estimate and the rest
        Assert.Equal(mixture[2500], target.Channels[0][2500] + residual.Channels[0][2500], 6);
    }

    [Fact]
    public void Rounds_pseudo_label_train_on_interleaved_remixes_and_decide_on_the_teacher()
    {
        using var dir = new TempDir();
        var unlabeled = Path.Combine(dir.Path, "unlabeled");
        Directory.CreateDirectory(unlabeled);
        foreach (var song in fixture.Dataset.Songs.Take(2))
        {
            File.Copy(fixture.Dataset.FullPath(song.MixPath), Path.Combine(unlabeled, Path.GetFileName(song.MixPath)));
        }

        string Config(string name, string extra) => Write(dir.Path, name, $"""
            name: {name}
            dataset: {fixture.Root}
            recipe: bsrnn
            recipe_overrides: {"{"} chunk_seconds: 0.5 {"}"}
            seed: 1
            batch_size: 2
            workers: 1
            torch_threads: 1
            model: {"{"} kind: bsrnn, target: vocal, bands: v7, n_fft: 256, hop: 64, features: 8, modules: 1 {"}"}
            optimizer: {"{"} lr: 0.003 {"}"}
            clip_grad_norm: 5
            validation: {"{"} every: 100, batches: 1, batch_size: 2, split: train {"}"}
            output: {"{"} dir: {Path.Combine(dir.Path, name)}, log_every: 2 {"}"}
            {extra}
            """);

        var (code, stdout, stderr) = Forge("train", Config("teacher", "steps: 6"));
        Assert.True(code == 0, stderr + stdout);
        var semi = Config("student", $"""
            steps: 8
            semi_supervised:
              teacher: {Path.Combine(dir.Path, "teacher")}
              unlabeled: {unlabeled}
              segment_seconds: 2
              rounds: 2
              pseudo_every: 2
              chunk: 1
              hop: 0.5
            """);
        (code, stdout, stderr) = Forge("train", semi);
        output.WriteLine(stdout);
        Assert.True(code == 0, stderr + stdout);
        var run = Path.Combine(dir.Path, "student");
        var rounds = RunReport.ReadJsonl(Path.Combine(run, "rounds.jsonl"));
        Assert.Equal(2, rounds.Count);
        Assert.All(rounds, r => Assert.Equal(2, r["pseudo_batches"]));            // every second of 4 batches per round
        Assert.All(rounds, r => Assert.Equal(2, r["labeled_batches"]));
        Assert.Equal([4.0, 8.0], rounds.Select(r => r["step"]));
        foreach (var round in new[] { 1, 2 })
        {
            var pseudo = MixDataset.Load(Path.Combine(run, "pseudo", $"round-{round}"));
            Assert.Equal(2, pseudo.Songs.Count);
            Assert.Empty(pseudo.Issues);
            Assert.Equal(["residual", "vocal"], pseudo.Stems.Select(s => s.Node).Distinct().Order(StringComparer.Ordinal));
            var labels = File.ReadAllLines(Path.Combine(run, "pseudo", $"round-{round}", "analysis", "pseudo_segments.csv"));
            Assert.Equal(1 + 10, labels.Length);                                   // 2 songs x 5 segments of 2 s
        }

        // the teacher of round 2 is the student of round 1 when it validated better, else the first teacher
        Assert.Contains(rounds[0]["replaced"] == 1 ? "the student is the new teacher" : "the teacher stays", stdout, StringComparison.Ordinal);
        Assert.Contains("semi-supervised round 2: teacher " + (rounds[0]["replaced"] == 1 ? Path.Combine(run, "checkpoints") : Path.Combine(dir.Path, "teacher")), stdout, StringComparison.Ordinal);
        Assert.NotNull(Checkpoint.Latest(run));
    }

    private static string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name + ".yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Err) Forge(params string[] args) => ForgeInProcess.Run(args);
}
