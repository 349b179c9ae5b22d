using System.Globalization;
using System.Text.Json.Nodes;
using DatasetForge.Audio;
using DatasetForge.Evaluation;
using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Tests;

/// <summary>
/// The Mask-Inference setup end to end on the synthetic two-source corpus (bass and lead vocal): `forge train CONFIG`
/// trains briefly and validates on the held-out test song; the run folder's best checkpoint goes to `forge separate`
/// and the estimates to `forge eval`, which must score them above the unprocessed mixture.
/// </summary>
[Collection("torch-hierarchy")]
public sealed class MaskInferenceEndToEndTests(HierarchyFixture fixture, ITestOutputHelper output)
{
    private const string TestSong = "Duo 3 - Song 7";

    private static (int Code, string Out, string Err) Forge(params string[] args) => ForgeInProcess.Run(args);

    private string Config(string dir, int steps, double dropout = 0)
    {
        var path = Path.Combine(dir, "mi.yaml");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $$"""
            name: mi-test
            dataset: {{fixture.Root}}
            recipe: hierarchical
            recipe_overrides: { leaves: [bass], chunk_seconds: 2.0 }
            seed: 1
            batch_size: 4
            workers: 1
            steps: {{steps}}
            torch_threads: 1
            model: { kind: mask-inference, sample_rate: 4000, n_fft: 128, hop: 32, hidden: 48, layers: 2, dropout: {{dropout}} }
            loss: { kind: tpsa, domain: signal }
            optimizer: { lr: 0.003 }
            validation: { every: 100, batches: 2, batch_size: 4, split: test, seed: 5 }
            output: { dir: {{Path.Combine(dir, "run")}}, log_every: 20 }
            """));
        return path;
    }

    [Fact]
    public void Trains_from_a_config_beats_the_mixture_on_a_held_out_song_and_separates_and_evaluates()
    {
        using var dir = new TempDir();
        var config = Config(dir.Path, steps: 200);
        var (code, stdout, stderr) = Forge("train", config);
        output.WriteLine(stdout);
        Assert.True(code == 0, stderr + stdout);
        var run = Path.Combine(dir.Path, "run");
        foreach (var file in new[] { "metrics.jsonl", "metrics.csv", "validation.jsonl", "validation.csv", "loss.png", "validation.png", "index.html" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing");
        }

        var validations = RunReport.ReadJsonl(Path.Combine(run, "validation.jsonl"));
        Assert.Equal(2, validations.Count);
        var last = validations[^1];
        output.WriteLine($"held-out SI-SDR {last["val_si_sdr"]:F2} dB, mixture {last["val_si_sdr_mix"]:F2} dB; uSDR {last["val_usdr"]:F2} dB, mixture {last["val_usdr_mix"]:F2} dB");
        Assert.True(last["val_si_sdr"] > last["val_si_sdr_mix"] + 3, $"SI-SDR {last["val_si_sdr"]:F2} vs mixture {last["val_si_sdr_mix"]:F2}");
        var best = Checkpoint.Best(run);
        Assert.NotNull(best);
        var description = ModelDescription.Read(best!);
        Assert.Equal(["L1_bass", "L2_bass", "L3_accompaniment"], description.Written.Select(w => w.Name));

        // forge separate with the run folder (its best checkpoint), then forge eval against the dataset's own stems.
        var mixPath = fixture.Built.FullPath(TestSong, 0, "mixture");
        var estimates = Path.Combine(dir.Path, "estimates");
        (code, _, stderr) = Forge("separate", "--model", run, mixPath, "--out", estimates, "--chunk", "2", "--hop", "1");
        Assert.True(code == 0, stderr);
        var references = Path.Combine(dir.Path, "references");
        Directory.CreateDirectory(references);
        foreach (var (level, node) in new[] { (1, "bass"), (2, "bass"), (3, "accompaniment") })
        {
            File.Copy(fixture.Built.FullPath(TestSong, level, node), Path.Combine(references, $"L{level}_{node}.wav"));
        }

        var json = Path.Combine(dir.Path, "eval.json");
        (code, _, stderr) = Forge("eval", references, estimates, "--output", json, "--threads", "1");
        Assert.True(code == 0, stderr);
        var scores = JsonNode.Parse(File.ReadAllText(json))!["targets"]!.AsArray();
        Assert.Equal(3, scores.Count);
        var mixture = AudioFile.ReadAll(mixPath);
        foreach (var target in scores)
        {
            var name = target!["name"]!.GetValue<string>();
            var estimateSiSdr = target["si_sdr"]!.GetValue<double>();
            var mixtureSiSdr = SeparationMetrics.SiSdr(AudioFile.ReadAll(Path.Combine(references, name + ".wav")), mixture);
            output.WriteLine($"{name}: SI-SDR {estimateSiSdr:F2} dB (mixture {mixtureSiSdr:F2} dB), uSDR {target["usdr"]!.GetValue<double>():F2} dB");
            Assert.True(estimateSiSdr > mixtureSiSdr + 3, $"{name}: {estimateSiSdr:F2} dB vs the mixture's {mixtureSiSdr:F2} dB");
        }
    }

    [Fact]
    public void A_resumed_run_with_dropout_continues_bit_exactly()
    {
        using var dir = new TempDir();
        var straight = Train(dir.Path, "straight", steps: 6, resumeAt: null);
        var resumed = Train(dir.Path, "resumed", steps: 6, resumeAt: 3);
        Assert.Equal(straight.Losses, resumed.Losses);
        Assert.Equal(straight.Parameters, resumed.Parameters);
    }

    /// <summary>Trains a tiny MI (dropout 0.3, so the generator state matters) through TrainSetup; optionally stops at a step and resumes from its checkpoint.</summary>
    private (List<double> Losses, float[] Parameters) Train(string root, string name, int steps, int? resumeAt)
    {
        Directory.CreateDirectory(Path.Combine(root, name));
        var config = TrainConfig.Load(Config(Path.Combine(root, name), steps, dropout: 0.3)) with { Validation = null };
        var losses = new List<double>();
        foreach (var (until, resume) in resumeAt is { } r ? new[] { (r, false), (steps, true) } : [(steps, false)])
        {
            using var setup = TrainSetup.Build(config with { Steps = until }, new TrainOverrides { Resume = resume });
            using var trainer = new Trainer(setup.Model, setup.Loss, setup.Options);
            if (resume)
            {
                manual_seed(12345); // anything: the checkpoint restores the generator
                trainer.Resume(Checkpoint.Latest(setup.OutDir)!);
            }

            using var stream = new MixStream(setup.Planner, new MixStreamOptions { BatchSize = 4, Workers = 1, StartBatch = trainer.NextBatch });
            var summary = trainer.RunAsync(stream.ReadAllAsync()).GetAwaiter().GetResult();
            losses.AddRange(summary.Losses);
            if (until == steps)
            {
                return (losses, setup.Model.Module.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray());
            }
        }

        throw new InvalidOperationException("unreachable");
    }
}
