using DatasetForge.Torch.Data;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>Mean absolute error between waveform estimates [B, T, C, S] and the targets.</summary>
public sealed class WaveformL1Loss : ILossFunction
{
    public string Name => "l1";

    public LossResult Compute(Tensor output, MixTensors batch)
    {
        if (!output.shape.SequenceEqual(batch.Targets.shape))
        {
            throw new ArgumentException($"model output [{string.Join(", ", output.shape)}] does not match targets [{string.Join(", ", batch.Targets.shape)}]");
        }

        var loss = nn.functional.l1_loss(output, batch.Targets);
        using var noGrad = no_grad();
        var residual = (batch.Mixture.unsqueeze(1) - output.sum(1, keepdim: true)).abs().mean();
        return new LossResult(loss, new Dictionary<string, Tensor> { ["mixture_residual"] = residual });
    }
}
