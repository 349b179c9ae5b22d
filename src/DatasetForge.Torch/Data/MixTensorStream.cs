using System.Runtime.CompilerServices;
using DatasetForge.Mixing;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Data;

/// <summary>The tensor adapter of the mix stream.</summary>
public static class MixTensorStream
{
    /// <summary>
    /// Turns each <see cref="MixBatch"/> into <see cref="MixTensors"/> on <paramref name="device"/> and disposes the
    /// batch (its pooled buffers go back to the producer). The caller disposes each MixTensors.
    /// </summary>
    public static async IAsyncEnumerable<MixTensors> ToTensorsAsync(this IAsyncEnumerable<MixBatch> batches, Device device,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            MixTensors tensors;
            using (batch)
            {
                tensors = MixTensors.From(batch, device);
            }

            yield return tensors;
        }
    }
}
