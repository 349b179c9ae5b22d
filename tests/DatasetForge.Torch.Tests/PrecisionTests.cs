using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Tests;

/// <summary>bf16 compute with float32 master weights (the CUDA default), exercised on the CPU, where libtorch has bf16 kernels too.</summary>
[Collection("torch-hierarchy")]
public sealed class PrecisionTests(HierarchyFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Bf16_training_keeps_float32_masters_and_checkpoints_them()
    {
        using var dir = new TempDir();
        var recipe = MixRecipe.Load("hierarchical") with { ChunkSeconds = 1.0, Leaves = ["bass"] };
        using var batch = TrainKit.Batch(fixture.Dataset, recipe, 2);
        manual_seed(1);
        using var model = new MaskInferenceNet(8000, 3, modelRate: 4000, nFft: 128, hop: 32, hidden: 32, layers: 2, dropout: 0);
        var stream = new StreamShape(8000, 2, ["instrument", "stem", "mix"]);
        var description = ModelFactory.Describe(new ModelSpec { Kind = ModelSpec.MaskInference, SampleRate = 4000, NFft = 128, Hop = 32, Hidden = 32, Layers = 2, Dropout = 0 }, model, stream, "hierarchical");
        using var trainer = new Trainer(model, new TpsaLoss(model), new TrainerOptions
        {
            Steps = 80,
            LearningRate = 3e-3,
            Precision = TrainPrecision.BFloat16,
            OutDir = dir.Path,
            Description = description,
            WriteReport = false,
        });
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        var losses = Enumerable.Range(0, 80).Select(_ => trainer.TrainStep(batch).Loss).ToList();
        var (first, last) = TrainKit.Ends(losses, 3);
        output.WriteLine($"bf16: loss {first:G4} -> {last:G4}");
        Assert.True(last < first / 5, $"bf16 loss {first:G4} -> {last:G4}");

        var checkpoint = trainer.SaveCheckpoint();
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var reloaded = (MaskInferenceNet)ModelFactory.Create(description.Spec, stream);
        reloaded.load(Path.Combine(checkpoint, Checkpoint.ModelFile));
        var weights = reloaded.parameters().Select(p => p.data<float>().ToArray()).ToList();
        Assert.All(reloaded.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        // The saved float32 masters carry more precision than bf16: rounding them to bf16 changes some of them.
        var rounded = reloaded.parameters().Select(p => p.to(ScalarType.BFloat16).to(ScalarType.Float32).data<float>().ToArray()).ToList();
        Assert.Contains(weights.Zip(rounded), pair => !pair.First.SequenceEqual(pair.Second));
        // and the bf16 working copy is those masters rounded
        var working = model.parameters().Select(p => p.to(ScalarType.Float32).data<float>().ToArray()).ToList();
        Assert.All(working.Zip(rounded), pair => Assert.Equal(pair.Second, pair.First));
    }
}
