using DatasetForge.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Tests;

[Collection("torch")]
public sealed class TensorAdapterTests(TorchFixture fixture)
{
    [Fact]
    public async Task Batches_become_tensors_of_the_contract_shapes_with_the_same_values()
    {
        using var stream = fixture.Stream(TorchFixture.Recipe(0.5), batch: 3);
        using var reference = stream.RenderBatch(0);
        var expectedMixture = reference.Mixture.ToArray();
        var expectedTargets = reference.Targets.ToArray();

        using var again = fixture.Stream(TorchFixture.Recipe(0.5), batch: 3);
        await foreach (var tensors in again.ReadAllAsync().ToTensorsAsync(CPU))
        {
            using (tensors)
            {
                Assert.Equal([3L, 2, 4000], tensors.Mixture.shape);
                Assert.Equal([3L, 4, 2, 4000], tensors.Targets.shape);
                Assert.Equal(ScalarType.Float32, tensors.Targets.dtype);
                Assert.Equal(expectedMixture, tensors.Mixture.data<float>().ToArray());
                Assert.Equal(expectedTargets, tensors.Targets.data<float>().ToArray());
                Assert.Equal(0, tensors.Number);

                // element [item 1, target 2, channel 1, sample 100] is where the contract puts it
                Assert.Equal(reference.TargetOf(1, 2, 1)[100], tensors.Targets[1, 2, 1, 100].item<float>());
                Assert.Equal(reference.MixtureOf(2, 0)[7], tensors.Mixture[2, 0, 7].item<float>());
            }

            break;
        }
    }

    [Fact]
    public void Cuda_is_refused_with_a_clear_message_where_there_is_none()
    {
        if (cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, TorchDevice.Resolve("cuda").type);
            return;
        }

        var e = Assert.Throws<InvalidOperationException>(() => TorchDevice.Resolve("cuda"));
        Assert.Contains("--device cpu", e.Message, StringComparison.Ordinal);
        Assert.Equal(DeviceType.CPU, TorchDevice.Resolve("cpu").type);
        Assert.Throws<ArgumentException>(() => TorchDevice.Resolve("tpu"));
    }
}

[Collection("torch")]
public sealed class TensorPrefetchTests(TorchFixture fixture)
{
    [Fact]
    public async Task Prefetched_tensors_equal_the_batches_in_order_and_stopping_early_is_clean()
    {
        var recipe = TorchFixture.Recipe(0.2);
        using var reference = fixture.Stream(recipe, batch: 2);
        var expected = Enumerable.Range(0, 5).Select(n =>
        {
            using var b = reference.RenderBatch(n);
            return b.Targets.ToArray();
        }).ToList();

        using var stream = fixture.Stream(recipe, batch: 2, workers: 2);
        var n = 0;
        await foreach (var tensors in stream.ReadAllAsync().ToTensorsAsync(CPU, prefetch: 3))
        {
            using (tensors)
            {
                Assert.Equal(n, tensors.Number);
                Assert.Equal(expected[n], tensors.Targets.data<float>().ToArray());
            }

            if (++n == 5)
            {
                break;
            }
        }
    }

    [Fact]
    public async Task A_broken_file_ends_training_with_its_name()
    {
        using var dir = new DatasetForge.Tests.TestSupport.TempDir();
        var built = new DatasetForge.Tests.TestSupport.DatasetBuilder(dir.Path) { SampleRate = 8000, Seconds = 6, Levels = [2] }
            .Song("A - One", "train", "lead_vocal", "drum_set", "bass", "electric_guitar").Build();
        var dataset = DatasetForge.Mixing.MixDataset.Load(dir.Path);
        var broken = built.FullPath("A - One", 2, "bass");
        File.WriteAllBytes(broken, File.ReadAllBytes(broken)[..100]);
        var recipe = TorchFixture.Recipe(0.1) with { Augment = new DatasetForge.Mixing.MixAugmentOptions() };
        using var stream = new DatasetForge.Mixing.MixStream(new DatasetForge.Mixing.MixPlanner(dataset, recipe, 1), new DatasetForge.Mixing.MixStreamOptions { BatchSize = 2, Workers = 1 });
        using var model = new DatasetForge.Torch.Models.TinyMaskNet(2, 4, basis: 8, hidden: 8, window: 8);
        using var trainer = new DatasetForge.Torch.Training.Trainer(model, new DatasetForge.Torch.Training.WaveformL1Loss(), new DatasetForge.Torch.Training.TrainerOptions { Steps = 5 });
        var e = await Assert.ThrowsAsync<DatasetForge.Mixing.MixRenderException>(() => trainer.RunAsync(stream.ReadAllAsync()));
        Assert.Equal(broken, e.FilePath);
    }
}
