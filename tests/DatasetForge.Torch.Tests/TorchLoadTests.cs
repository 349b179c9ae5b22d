using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Tests;

public sealed class TorchLoadTests
{
    [Fact]
    public void Libtorch_loads_and_computes_on_cpu()
    {
        using var scope = NewDisposeScope();
        var a = ones(3, 4);
        var b = ones(4, 2);
        var c = a.matmul(b);
        Assert.Equal(new long[] { 3, 2 }, c.shape);
        Assert.Equal(4f, c[0, 0].item<float>());
    }
}
