using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DatasetForge.Mixing;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Data;

/// <summary>The tensor adapter of the mix stream.</summary>
public static class MixTensorStream
{
    /// <summary>
    /// Turns each <see cref="MixBatch"/> into <see cref="MixTensors"/> on <paramref name="device"/> and disposes the
    /// batch (its pooled buffers go back to the producer). With <paramref name="prefetch"/> &gt; 0 the copies (to CPU
    /// tensors and on to the device) run on a background task up to that many batches ahead, so they overlap the
    /// training step; 0 copies on the consumer's thread. The caller disposes each MixTensors.
    /// </summary>
    public static async IAsyncEnumerable<MixTensors> ToTensorsAsync(this IAsyncEnumerable<MixBatch> batches, Device device, int prefetch = 2,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (prefetch <= 0)
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

            yield break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<MixTensors>(new BoundedChannelOptions(prefetch) { SingleReader = true, SingleWriter = true });
        var copier = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in batches.WithCancellation(stop.Token).ConfigureAwait(false))
                {
                    MixTensors tensors;
                    using (batch)
                    {
                        tensors = MixTensors.From(batch, device);
                    }

                    try
                    {
                        await channel.Writer.WriteAsync(tensors, stop.Token).ConfigureAwait(false);
                    }
                    catch
                    {
                        tensors.Dispose();
                        throw;
                    }
                }

                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e is OperationCanceledException && stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested ? null : e);
            }
        }, CancellationToken.None);

        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var tensors))
                {
                    yield return tensors;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await copier.ConfigureAwait(false);
            while (channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }
        }
    }
}
