using DatasetForge.Torch.Data;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>
/// A loss that can say how much each item and time frame contributes: <see cref="FrameLosses"/> gives [batch, frames]
/// whose mean is the loss (up to how partial frames are averaged). <see cref="LossMasking"/> works on it.
/// </summary>
public interface IFramewiseLoss : ILossFunction
{
    Tensor FrameLosses(Tensor output, MixTensors batch);
}

/// <summary>A loss whose model outputs are matched to targets by the loss itself (MixIT): it aligns estimates to the batch's targets.</summary>
public interface IAligningLoss
{
    /// <summary>Waveform estimates [batch, targets, channels, samples] aligned with batch.Targets, from the model's outputs.</summary>
    Tensor Align(Tensor estimates, MixTensors batch);
}

/// <summary>Helpers shared by the losses.</summary>
public static class LossShapes
{
    /// <summary>Index of a named target in the batch, or a clear error.</summary>
    public static int TargetIndex(MixTensors batch, string target)
    {
        for (var i = 0; i < batch.TargetNames.Count; i++)
        {
            if (batch.TargetNames[i] == target)
            {
                return i;
            }
        }

        throw new ArgumentException($"the stream has no target '{target}' (its targets: {string.Join(", ", batch.TargetNames)})");
    }

    /// <summary>
    /// Mean of a per-sample error [batch, samples] over blocks of <paramref name="hop"/> samples centred on STFT
    /// frames (frame t covers samples t*hop - hop/2 .. t*hop + hop/2, zero-padded at the ends): [batch, frames].
    /// </summary>
    public static Tensor FrameMeans(Tensor error, int hop, long frames)
    {
        var samples = error.shape[^1];
        var left = hop / 2;
        var needed = frames * hop;
        var right = Math.Max(0, needed - samples - left);
        var padded = nn.functional.pad(error, [left, right]).narrow(-1, 0, needed);
        return padded.view(error.shape[0], frames, hop).mean([-1]);
    }
}
