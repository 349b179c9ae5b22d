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
