using DatasetForge.Torch.Data;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>Mean absolute error between waveform estimates [B, T, C, S] and the targets; frames are blocks of <paramref name="frameSamples"/>.</summary>
public sealed class WaveformL1Loss(int frameSamples = 512) : IFramewiseLoss
{
    public string Name => "l1";

    public LossResult Compute(Tensor output, MixTensors batch)
    {
        Check(output, batch);
        var loss = nn.functional.l1_loss(output, batch.Targets);
        using var noGrad = no_grad();
        var residual = (batch.Mixture.unsqueeze(1) - output.sum(1, keepdim: true)).abs().mean();
        return new LossResult(loss, new Dictionary<string, Tensor> { ["mixture_residual"] = residual });
    }

    public Tensor FrameLosses(Tensor output, MixTensors batch)
    {
        Check(output, batch);
        var error = (output - batch.Targets).abs().mean([1, 2]);                     // [B, S]
        var frames = 1 + (error.shape[^1] / frameSamples);
        return LossShapes.FrameMeans(error, frameSamples, frames);
    }

    private static void Check(Tensor output, MixTensors batch)
    {
        if (!output.shape.SequenceEqual(batch.Targets.shape))
        {
            throw new ArgumentException($"model output [{string.Join(", ", output.shape)}] does not match targets [{string.Join(", ", batch.Targets.shape)}]");
        }
    }
}
