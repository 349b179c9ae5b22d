using System.Collections.Concurrent;

namespace DatasetForge.Mixing;

/// <summary>
/// One batch of the mix stream: the mixture [batch, channels, samples] and the targets [batch, targets, channels,
/// samples] as contiguous float32 buffers (row-major, the layout of a tensor of that shape), the plans they were
/// rendered from and what rendering did. Buffers come from a pool: dispose the batch when its data has been copied
/// (the tensor adapter does), and do not keep spans of it afterwards.
/// </summary>
public sealed class MixBatch : IDisposable
{
    private readonly BatchBufferPool? pool;
    private float[]? mixture;
    private float[]? targets;

    internal MixBatch(long number, int sampleRate, int channels, int samples, IReadOnlyList<string> targetNames, IReadOnlyList<MixPlan> plans,
        float[] mixture, float[] targets, BatchBufferPool? pool)
    {
        Number = number;
        SampleRate = sampleRate;
        Channels = channels;
        Samples = samples;
        TargetNames = targetNames;
        Plans = plans;
        this.mixture = mixture;
        this.targets = targets;
        this.pool = pool;
        Renders = new ItemRender[plans.Count];
    }

    /// <summary>Position of the batch in the stream (0, 1, ...): batch n holds items n*B .. n*B+B-1.</summary>
    public long Number { get; }

    public int BatchSize => Plans.Count;

    public int TargetCount => TargetNames.Count;

    public int Channels { get; }

    public int Samples { get; }

    public int SampleRate { get; }

    /// <summary>The recipe's target names (per item names, e.g. a hierarchical leaf's path, are in each plan's targets).</summary>
    public IReadOnlyList<string> TargetNames { get; }

    public IReadOnlyList<MixPlan> Plans { get; }

    /// <summary>Epoch of the first item.</summary>
    public long Epoch => Plans[0].Epoch;

    public ItemRender[] Renders { get; }

    /// <summary>[batch, channels, samples], row-major.</summary>
    public ReadOnlySpan<float> Mixture => Live(mixture);

    /// <summary>[batch, targets, channels, samples], row-major.</summary>
    public ReadOnlySpan<float> Targets => Live(targets);

    public long[] MixtureShape => [BatchSize, Channels, Samples];

    public long[] TargetsShape => [BatchSize, TargetCount, Channels, Samples];

    /// <summary>One channel of one item's mixture.</summary>
    public ReadOnlySpan<float> MixtureOf(int item, int channel) => Mixture.Slice(((item * Channels) + channel) * Samples, Samples);

    /// <summary>One channel of one target of one item.</summary>
    public ReadOnlySpan<float> TargetOf(int item, int target, int channel) =>
        Targets.Slice((((item * TargetCount) + target) * Channels + channel) * Samples, Samples);

    internal Memory<float> MixtureSlot(int item) => mixture.AsMemory(item * Channels * Samples, Channels * Samples);

    internal Memory<float> TargetsSlot(int item) => targets.AsMemory(item * TargetCount * Channels * Samples, TargetCount * Channels * Samples);

    public void Dispose()
    {
        var m = Interlocked.Exchange(ref mixture, null);
        var t = Interlocked.Exchange(ref targets, null);
        if (pool is not null && m is not null && t is not null)
        {
            pool.Return(m, t);
        }
    }

    private static ReadOnlySpan<float> Live(float[]? buffer) => buffer ?? throw new ObjectDisposedException(nameof(MixBatch), "the batch was disposed and its buffers went back to the pool");
}

/// <summary>Exact-size mixture/target buffer pairs reused across batches, so a long stream allocates nothing per batch.</summary>
internal sealed class BatchBufferPool(int mixtureLength, int targetsLength, int maxPooled)
{
    private readonly ConcurrentBag<(float[] Mixture, float[] Targets)> free = [];

    public long Allocated { get; private set; }

    public (float[] Mixture, float[] Targets) Rent()
    {
        if (free.TryTake(out var pair))
        {
            return pair;
        }

        lock (free)
        {
            Allocated++;
        }

        return (GC.AllocateUninitializedArray<float>(mixtureLength), GC.AllocateUninitializedArray<float>(targetsLength));
    }

    public void Return(float[] mixture, float[] targets)
    {
        if (mixture.Length == mixtureLength && targets.Length == targetsLength && free.Count < maxPooled)
        {
            free.Add((mixture, targets));
        }
    }
}
