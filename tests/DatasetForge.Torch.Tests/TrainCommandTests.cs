using DatasetForge.Tests.TestSupport;
using DatasetForge.Torch.Training;

namespace DatasetForge.Torch.Tests;

[Collection("torch")]
public sealed class TrainCommandTests(TorchFixture fixture)
{
    private static (int Code, string Out, string Err) Forge(params string[] args) => ForgeInProcess.Run(args);

    [Fact]
    public void Train_runs_logs_checkpoints_and_resumes()
    {
        using var dir = new TempDir();
        var recipe = Path.Combine(dir.Path, "tiny.yaml");
        File.WriteAllText(recipe, "name: tiny\nkind: stems\nchunk_seconds: 0.1\nlevel: 2\ntargets: [vocal, percussion, bass, other]\nsource: { index: segments, method: bsrnn }\nrescale: max_abs\naugment: { gain_db: [-10, 10], dropout: 0.1, cross_song_remix: 1 }\n");
        var run = Path.Combine(dir.Path, "run");

        var (code, output, error) = Forge("train", fixture.Root, "--recipe", recipe, "--steps", "6", "--batch", "2", "--workers", "1", "--out", run,
            "--log-every", "2", "--torch-threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("step 6/6 loss", output, StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.Equal(6, Checkpoint.ReadState(Checkpoint.Latest(run)!).Step);

        (code, output, error) = Forge("train", fixture.Root, "--recipe", recipe, "--steps", "10", "--batch", "2", "--workers", "1", "--out", run,
            "--log-every", "2", "--resume", "--torch-threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("at step 6, stream batch 6", output, StringComparison.Ordinal);
        Assert.Equal(10, Checkpoint.ReadState(Checkpoint.Latest(run)!).Step);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
    }

    [Fact]
    public void Cuda_without_a_gpu_and_a_bad_recipe_are_clear_errors()
    {
        if (TorchSharp.torch.cuda.is_available())
        {
            return;
        }

        var (code, _, error) = Forge("train", fixture.Root, "--recipe", "bsrnn", "--steps", "1", "--device", "cuda");
        Assert.Equal(1, code);
        Assert.Contains("CUDA is not available", error, StringComparison.Ordinal);

        using var dir = new TempDir();
        var bad = Path.Combine(dir.Path, "bad.yaml");
        File.WriteAllText(bad, "name: bad\nkind: stems\nchunk_seconds: -1\nlevel: 2\ntargets: [vocal]\n");
        (code, _, error) = Forge("train", fixture.Root, "--recipe", bad, "--steps", "1");
        Assert.Equal(1, code);
        Assert.Contains($"{bad}:3", error, StringComparison.Ordinal);
    }
}
