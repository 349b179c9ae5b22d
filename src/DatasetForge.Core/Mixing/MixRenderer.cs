using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DatasetForge.Audio;

namespace DatasetForge.Mixing;

/// <summary>What rendering did to one item beyond its plan: the linear factor each source was multiplied by
/// (normalization x gain x polarity x rescale; 0 when dropped) and the common rescale factor.</summary>
public sealed record ItemRender(double Rescale, IReadOnlyList<double> SourceScales, double PeakBeforeRescale);

/// <summary>An audio file failed while a planned batch was being rendered (it was readable when the dataset was loaded).</summary>
public sealed class MixRenderException(string path, string message, Exception? inner = null) : IOException($"{path}: {message}", inner)
{
    public string FilePath { get; } = path;
}

/// <summary>
/// Renders mix plans to float audio: reads only the planned frame range of each source (in place from a
/// memory-mapped file, or with one positional read, through a shared <see cref="AudioHandleCache"/>), converts
/// channels, applies polarity, gain, channel swap and RMS normalization, and sums with SIMD into the target and
/// mixture buffers of one item, planar (channel-major).
/// When every source feeds its own target (bsrnn, rms, mixit) the work goes block by block (1024 frames, so a block
/// of every source, target and the mixture stays in L1): each source is deinterleaved with its gain straight into
/// its target and the block's mixture is summed from them while they are in cache. A `max_abs` rescale first runs
/// the same blocks without writing, to learn the peak, and then writes everything already rescaled: the sources are
/// read twice but the outputs are written once. Otherwise (hierarchical) each source is accumulated into every
/// target that contains it. Thread-safe: each call uses its own scratch.
/// </summary>
public sealed class MixRenderer(string datasetRoot, AudioHandleCache handles)
{
    private const int BlockFrames = 1024;

    public string DatasetRoot { get; } = datasetRoot;

    /// <summary>
    /// Renders <paramref name="plan"/> into <paramref name="mixture"/> ([channels, frames]) and
    /// <paramref name="targets"/> ([targets, channels, frames]); both are overwritten.
    /// </summary>
    public ItemRender Render(MixPlan plan, Memory<float> mixture, Memory<float> targets)
    {
        var channels = plan.Channels;
        var frames = plan.Frames;
        var perTarget = channels * frames;
        if (mixture.Length != perTarget || targets.Length != plan.Targets.Count * perTarget)
        {
            throw new ArgumentException($"buffers hold {mixture.Length} / {targets.Length} samples; the plan needs {perTarget} / {plan.Targets.Count * perTarget}");
        }

        var feeds = new List<int>[plan.Sources.Count];
        for (var t = 0; t < plan.Targets.Count; t++)
        {
            foreach (var s in plan.Targets[t].Sources)
            {
                (feeds[s] ??= []).Add(t);
            }
        }

        var sources = new SourceData?[plan.Sources.Count];
        var gains = new double[plan.Sources.Count];
        try
        {
            for (var s = 0; s < plan.Sources.Count; s++)
            {
                var source = plan.Sources[s];
                if (source.Dropped)
                {
                    continue;
                }

                var data = Open(source, plan);
                sources[s] = data;
                gains[s] = Math.Pow(10, source.GainDb / 20) * (source.FlipPolarity ? -1 : 1);
                if (plan.Normalize == NormalizeMode.Rms)
                {
                    gains[s] *= RmsFactor(data.Interleaved(0, frames), plan.NormalizeRmsDb, plan.NormalizeSilenceDb);
                }
            }

            // Partition: each source feeds exactly one target that has no other source.
            var partition = plan.Targets.All(t => t.Sources.Count <= 1) && feeds.All(f => f is null || f.Count == 1);
            return partition
                ? RenderPartition(plan, sources, feeds, gains, mixture.Span, targets.Span)
                : RenderNested(plan, sources, feeds, gains, mixture.Span, targets.Span);
        }
        finally
        {
            foreach (var data in sources)
            {
                data?.Dispose();
            }
        }
    }

    private static ItemRender RenderPartition(MixPlan plan, SourceData?[] sources, List<int>[] feeds, double[] gains, Span<float> mixture, Span<float> targets)
    {
        var frames = plan.Frames;
        var perTarget = plan.Channels * frames;
        var active = Enumerable.Range(0, sources.Length).Where(s => sources[s] is not null).ToArray();
        var written = new bool[plan.Targets.Count];
        foreach (var s in active)
        {
            written[feeds[s]![0]] = true;
        }

        for (var t = 0; t < written.Length; t++)
        {
            if (!written[t])
            {
                targets.Slice(t * perTarget, perTarget).Clear();
            }
        }

        var scale = 1.0;
        var peakBefore = 0f;
        var scratch = ArrayPool<float>.Shared.Rent(3 * plan.Channels * BlockFrames);
        try
        {
            if (plan.Rescale == RescaleMode.MaxAbs)
            {
                peakBefore = Blocks(plan, sources, feeds, active, gains, 1.0, mixture, targets, scratch, write: false);
                scale = peakBefore > 0 ? 1 / (double)peakBefore : 1.0;
            }

            var peak = Blocks(plan, sources, feeds, active, gains, scale, mixture, targets, scratch, write: true);
            if (plan.Rescale != RescaleMode.MaxAbs)
            {
                peakBefore = peak;
                if (plan.Rescale == RescaleMode.MaxAbsIfClipping && peak > 1)
                {
                    scale = 1 / (double)peak;
                    TensorPrimitives.Multiply(mixture, (float)scale, mixture);
                    for (var t = 0; t < written.Length; t++)
                    {
                        if (written[t])
                        {
                            var dst = targets.Slice(t * perTarget, perTarget);
                            TensorPrimitives.Multiply(dst, (float)scale, dst);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }

        return new ItemRender(scale, gains.Select(g => g * scale).ToArray(), peakBefore);
    }

    /// <summary>
    /// One pass over the item in blocks: each active source's block (x gain x scale) goes to its target (write) or
    /// to scratch (peak only), and the block's mixture is their sum. Returns the largest absolute value among
    /// targets and mixture.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Blocks(MixPlan plan, SourceData?[] sources, List<int>[] feeds, int[] active, double[] gains, double scale,
        Span<float> mixture, Span<float> targets, float[] scratch, bool write)
    {
        var channels = plan.Channels;
        var frames = plan.Frames;
        var perTarget = channels * frames;
        var peak = 0f;
        for (var f0 = 0; f0 < frames; f0 += BlockFrames)
        {
            var count = Math.Min(BlockFrames, frames - f0);
            var mix0 = write ? mixture.Slice(f0, count) : scratch.AsSpan(0, count);
            var mix1 = channels == 2 ? (write ? mixture.Slice(frames + f0, count) : scratch.AsSpan(BlockFrames, count)) : default;
            for (var k = 0; k < active.Length; k++)
            {
                var s = active[k];
                var source = plan.Sources[s];
                var t = feeds[s][0];
                Span<float> d0, d1;
                if (write)
                {
                    d0 = targets.Slice((t * perTarget) + f0, count);
                    d1 = channels == 2 ? targets.Slice((t * perTarget) + frames + f0, count) : default;
                }
                else
                {
                    d0 = scratch.AsSpan(2 * BlockFrames, count);
                    d1 = channels == 2 ? scratch.AsSpan(3 * BlockFrames, count) : default;
                }

                var x = sources[s]!.Interleaved(f0, count);
                peak = Math.Max(peak, Write(x, sources[s]!.Channels, channels, (float)(gains[s] * scale), source.SwapChannels, d0, d1));
                if (k == 0)
                {
                    d0.CopyTo(mix0);
                    d1.CopyTo(mix1);
                }
                else
                {
                    TensorPrimitives.Add(mix0, d0, mix0);
                    if (channels == 2)
                    {
                        TensorPrimitives.Add(mix1, d1, mix1);
                    }
                }
            }

            if (active.Length == 0)
            {
                mix0.Clear();
                mix1.Clear();
            }

            peak = Math.Max(peak, Math.Max(MixKernels.MaxAbs(mix0), MixKernels.MaxAbs(mix1)));
        }

        return peak;
    }

    /// <summary>Sources that feed several targets (hierarchical): each is added into every target containing it and into the mixture.</summary>
    private static ItemRender RenderNested(MixPlan plan, SourceData?[] sources, List<int>[] feeds, double[] gains, Span<float> mixture, Span<float> targets)
    {
        var channels = plan.Channels;
        var frames = plan.Frames;
        var perTarget = channels * frames;
        targets.Clear();
        mixture.Clear();
        var scratch = ArrayPool<float>.Shared.Rent(perTarget);
        try
        {
            for (var s = 0; s < sources.Length; s++)
            {
                if (sources[s] is not { } data)
                {
                    continue;
                }

                var src = scratch.AsSpan(0, perTarget);
                Write(data.Interleaved(0, frames), data.Channels, channels, (float)gains[s], plan.Sources[s].SwapChannels, src[..frames],
                    channels == 2 ? src.Slice(frames, frames) : default);
                foreach (var t in feeds[s] ?? [])
                {
                    var dst = targets.Slice(t * perTarget, perTarget);
                    TensorPrimitives.Add(dst, src, dst);
                }

                TensorPrimitives.Add(mixture, src, mixture);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }

        var peak = Math.Max(MixKernels.MaxAbs(mixture), MixKernels.MaxAbs(targets));
        var rescale = plan.Rescale switch
        {
            RescaleMode.MaxAbs when peak > 0 => 1 / (double)peak,
            RescaleMode.MaxAbsIfClipping when peak > 1 => 1 / (double)peak,
            _ => 1.0,
        };
        if (rescale != 1.0)
        {
            TensorPrimitives.Multiply(mixture, (float)rescale, mixture);
            TensorPrimitives.Multiply(targets, (float)rescale, targets);
        }

        return new ItemRender(rescale, gains.Select(g => g * rescale).ToArray(), peak);
    }

    /// <summary>Opens a source's planned range: in place from a mapped little-endian float32 file, else read (and decoded) into a pooled buffer.</summary>
    private SourceData Open(SourcePlan source, MixPlan plan)
    {
        var path = Path.Combine(DatasetRoot, source.Path.Replace('/', Path.DirectorySeparatorChar));
        AudioHandleCache.Lease lease;
        try
        {
            lease = handles.Rent(path);
        }
        catch (AudioFormatException e)
        {
            throw new MixRenderException(path, e.Reason, e);
        }
        catch (IOException e)
        {
            throw new MixRenderException(path, e.Message, e);
        }

        try
        {
            var reader = lease.Reader;
            var info = reader.Info;
            if (info.SampleRate != plan.SampleRate || (info.Channels != 1 && info.Channels != plan.Channels && !(plan.Channels == 1 && info.Channels == 2)))
            {
                throw new MixRenderException(path, $"{info.SampleRate} Hz, {info.Channels} channels; the plan needs {plan.SampleRate} Hz, {plan.Channels} channels");
            }

            var frames = plan.Frames;
            var available = (int)Math.Clamp(info.Frames - source.StartFrame, 0, frames);
            var littleFloat = info.Encoding == SampleEncoding.Float32 && !reader.IsBigEndian && BitConverter.IsLittleEndian;
            if (lease.IsMapped && littleFloat && available == frames)
            {
                return new SourceData(lease, source.StartFrame, info.Channels, null);
            }

            var samples = frames * info.Channels;
            var buffer = ArrayPool<float>.Shared.Rent(samples);
            try
            {
                var got = 0;
                if (lease.IsMapped)
                {
                    SampleCodec.Decode(lease.MappedData(Math.Min(source.StartFrame, info.Frames), available), info.Encoding, reader.IsBigEndian, buffer.AsSpan(0, available * info.Channels));
                    got = available * info.Channels;
                }
                else if (available > 0)
                {
                    var raw = ArrayPool<byte>.Shared.Rent(available * reader.BlockAlign);
                    try
                    {
                        var read = reader.ReadRaw(source.StartFrame, available, raw);
                        SampleCodec.Decode(raw.AsSpan(0, read * reader.BlockAlign), info.Encoding, reader.IsBigEndian, buffer.AsSpan(0, read * info.Channels));
                        got = read * info.Channels;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(raw);
                    }
                }

                buffer.AsSpan(got, samples - got).Clear();
                return new SourceData(lease, 0, info.Channels, buffer);
            }
            catch
            {
                ArrayPool<float>.Shared.Return(buffer);
                throw;
            }
        }
        catch (AudioFormatException e)
        {
            lease.Dispose();
            throw new MixRenderException(path, e.Reason, e);
        }
        catch (IOException e) when (e is not MixRenderException)
        {
            lease.Dispose();
            throw new MixRenderException(path, e.Message, e);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Writes gain x a block of interleaved source into planar channel blocks in the plan's layout; returns the peak written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Write(ReadOnlySpan<float> x, int fileChannels, int channels, float gain, bool swap, Span<float> first, Span<float> second)
    {
        if (channels == 1)
        {
            return fileChannels == 1 ? MixKernels.Scale(x, gain, first) : MixKernels.AverageStereo(x, gain, first);
        }

        if (fileChannels == 1)
        {
            var peak = MixKernels.Scale(x, gain, first);
            first.CopyTo(second);
            return peak;
        }

        return swap ? MixKernels.DeinterleaveStereo(x, gain, second, first) : MixKernels.DeinterleaveStereo(x, gain, first, second);
    }

    /// <summary>The factor that brings a chunk (as read, all channels) to the reference RMS; 1 for near-silence.</summary>
    private static double RmsFactor(ReadOnlySpan<float> interleaved, double targetDb, double silenceDb)
    {
        var rms = Math.Sqrt(TensorPrimitives.SumOfSquares(interleaved) / Math.Max(1, interleaved.Length));
        var db = 20 * Math.Log10(Math.Max(rms, 1e-30));
        return db < silenceDb ? 1.0 : Math.Pow(10, (targetDb - db) / 20);
    }

    /// <summary>A source's planned range, interleaved: in a mapped file (no copy) or in a pooled buffer. Holds the file's lease.</summary>
    private sealed class SourceData(AudioHandleCache.Lease lease, long startFrame, int channels, float[]? buffer) : IDisposable
    {
        public int Channels { get; } = channels;

        /// <summary>Frames [offset, offset+count) of the chunk, interleaved.</summary>
        public ReadOnlySpan<float> Interleaved(int offset, int count) => buffer is not null
            ? buffer.AsSpan(offset * Channels, count * Channels)
            : MemoryMarshal.Cast<byte, float>(lease.MappedData(startFrame + offset, count));

        public void Dispose()
        {
            if (buffer is not null)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }

            lease.Dispose();
        }
    }
}
