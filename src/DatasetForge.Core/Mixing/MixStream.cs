using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;

namespace DatasetForge.Mixing;

/// <summary>How a <see cref="MixStream"/> produces batches.</summary>
public sealed record MixStreamOptions
{
    public int BatchSize { get; init; } = 8;

    /// <summary>Batches rendered at once (each by one worker). Default: one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Batches queued or in flight ahead of the consumer (backpressure beyond that); 0 = 2 x workers.</summary>
    public int Prefetch { get; init; }

    /// <summary>First batch number (resume: the batch after the last one trained on).</summary>
    public long StartBatch { get; init; }

    /// <summary>Number of batches to produce; null = endless.</summary>
    public long? Batches { get; init; }

    /// <summary>Open file handles kept (LRU).</summary>
    public int OpenFiles { get; init; } = 256;

    /// <summary>Map the sample data of open files read-only and read chunks in place (no copy); false: positional reads.</summary>
    public bool MemoryMap { get; init; } = true;

    internal int EffectivePrefetch => Prefetch > 0 ? Math.Max(Prefetch, 1) : 2 * Math.Max(1, Workers);
}

/// <summary>
/// The mix producer: plans items with a <see cref="MixPlanner"/> and renders them into pooled, contiguous batch
/// buffers. <see cref="ReadAllAsync"/> runs a TPL Dataflow <see cref="TransformBlock{TInput,TOutput}"/> with N
/// workers (one batch each), ordered output, and a bounded capacity that is the prefetch queue: when the consumer
/// falls behind, the feeder waits (backpressure). Batch n is items n*B .. n*B+B-1 of the stream and its bytes
/// depend only on (recipe, dataset, seed, n), never on the worker count or timing.
/// </summary>
public sealed class MixStream : IDisposable
{
    private readonly MixRenderer renderer;
    private readonly BatchBufferPool pool;
    private long renderTicks;
    private long batchesRendered;

    public MixStream(MixPlanner planner, MixStreamOptions? options = null)
    {
        Planner = planner;
        Options = options ?? new MixStreamOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.Workers);
        Handles = new AudioHandleCache(Options.OpenFiles, Options.MemoryMap);
        renderer = new MixRenderer(planner.Dataset.Root, Handles);
        var perItem = (long)planner.Channels * planner.ChunkFrames;
        var mixtureLength = Options.BatchSize * perItem;
        var targetsLength = mixtureLength * planner.TargetCount;
        if (targetsLength > Array.MaxLength)
        {
            throw new ArgumentException($"a batch of {Options.BatchSize} x {planner.TargetCount} targets x {planner.Channels} channels x {planner.ChunkFrames} frames does not fit one buffer");
        }

        pool = new BatchBufferPool((int)mixtureLength, (int)targetsLength, Options.EffectivePrefetch + Options.Workers + 2);
    }

    public MixPlanner Planner { get; }

    public MixStreamOptions Options { get; }

    public AudioHandleCache Handles { get; }

    /// <summary>Batches rendered so far, and the worker time they took (summed over workers).</summary>
    public (long Batches, TimeSpan RenderTime) Rendered => (Interlocked.Read(ref batchesRendered), TimeSpan.FromTicks(Interlocked.Read(ref renderTicks)));

    /// <summary>Opens a dataset and a recipe: the usual way to start a stream.</summary>
    public static MixStream Open(string datasetDir, MixRecipe recipe, ulong seed, MixStreamOptions? options = null) =>
        new(new MixPlanner(MixDataset.Load(datasetDir), recipe, seed), options);

    /// <summary>The plans of batch <paramref name="number"/> (no audio).</summary>
    public IReadOnlyList<MixPlan> PlanBatch(long number)
    {
        var b = Options.BatchSize;
        var plans = new MixPlan[b];
        for (var i = 0; i < b; i++)
        {
            plans[i] = Planner.PlanItem((number * b) + i);
        }

        return plans;
    }

    /// <summary>Plans and renders batch <paramref name="number"/> on the calling thread.</summary>
    public MixBatch RenderBatch(long number)
    {
        var started = Stopwatch.GetTimestamp();
        var plans = PlanBatch(number);
        var (mixture, targets) = pool.Rent();
        var batch = new MixBatch(number, Planner.SampleRate, Planner.Channels, Planner.ChunkFrames, Planner.TargetNames, plans, mixture, targets, pool);
        try
        {
            for (var i = 0; i < plans.Count; i++)
            {
                batch.Renders[i] = renderer.Render(plans[i], batch.MixtureSlot(i), batch.TargetsSlot(i));
            }
        }
        catch
        {
            batch.Dispose();
            throw;
        }

        Interlocked.Add(ref renderTicks, Stopwatch.GetElapsedTime(started).Ticks);
        Interlocked.Increment(ref batchesRendered);
        return batch;
    }

    /// <summary>
    /// The batches from <see cref="MixStreamOptions.StartBatch"/> on, in order, rendered ahead by the workers.
    /// Stopping early (break, cancellation) stops the workers; a file that fails while rendering ends the stream
    /// with a <see cref="MixRenderException"/> naming it.
    /// </summary>
    public async IAsyncEnumerable<MixBatch> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var block = new TransformBlock<long, MixBatch>(RenderBatch, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = Options.Workers,
            BoundedCapacity = Math.Max(Options.EffectivePrefetch, Options.Workers),
            EnsureOrdered = true,
            SingleProducerConstrained = true,
            CancellationToken = stop.Token,
        });
        var first = Options.StartBatch;
        var end = Options.Batches is { } count ? first + count : long.MaxValue;
        var feeder = Task.Run(async () =>
        {
            try
            {
                for (var n = first; n < end; n++)
                {
                    if (!await block.SendAsync(n, stop.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                block.Complete();
            }
        }, CancellationToken.None);

        try
        {
            while (await block.OutputAvailableAsync(stop.Token).ConfigureAwait(false))
            {
                while (block.TryReceive(out var batch))
                {
                    yield return batch;
                }
            }

            await block.Completion.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            while (block.TryReceive(out var left))
            {
                left.Dispose();
            }

            await feeder.ConfigureAwait(false);
            try
            {
                await block.Completion.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // already surfaced above when the stream ended on it; on early stop a late failure does not matter
            }
        }
    }

    public void Dispose() => Handles.Dispose();
}
