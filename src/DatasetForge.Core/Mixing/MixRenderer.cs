using System.Buffers;
using System.Numerics.Tensors;
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
/// Renders mix plans to float audio: reads only the planned frame range of each source (through a shared
/// <see cref="AudioHandleCache"/>), converts channels, applies RMS normalization, gain, polarity and channel swap,
/// and accumulates with SIMD (System.Numerics.Tensors) into the target and mixture buffers of one item, planar
/// (channel-major). Thread-safe: each call uses its own scratch buffers.
/// </summary>
public sealed class MixRenderer(string datasetRoot, AudioHandleCache handles)
{
    public string DatasetRoot { get; } = datasetRoot;

    /// <summary>
    /// Renders <paramref name="plan"/> into <paramref name="mixture"/> ([channels, frames]) and
    /// <paramref name="targets"/> ([targets, channels, frames]); both are overwritten.
    /// </summary>
    public ItemRender Render(MixPlan plan, Span<float> mixture, Span<float> targets)
    {
        var channels = plan.Channels;
        var frames = plan.Frames;
        var perTarget = channels * frames;
        if (mixture.Length != perTarget || targets.Length != plan.Targets.Count * perTarget)
        {
            throw new ArgumentException($"buffers hold {mixture.Length} / {targets.Length} samples; the plan needs {perTarget} / {plan.Targets.Count * perTarget}");
        }

        mixture.Clear();
        targets.Clear();
        var scales = new double[plan.Sources.Count];
        var feeds = new List<int>[plan.Sources.Count];
        for (var t = 0; t < plan.Targets.Count; t++)
        {
            foreach (var s in plan.Targets[t].Sources)
            {
                (feeds[s] ??= []).Add(t);
            }
        }

        var scratch = new float[2][];
        try
        {
            for (var s = 0; s < plan.Sources.Count; s++)
            {
                var source = plan.Sources[s];
                if (source.Dropped)
                {
                    continue;
                }

                var path = Path.Combine(DatasetRoot, source.Path.Replace('/', Path.DirectorySeparatorChar));
                var fileChannels = Read(path, source, plan, scratch);
                var ch = ToLayout(scratch, fileChannels, channels, frames);
                var scale = Math.Pow(10, source.GainDb / 20) * (source.FlipPolarity ? -1 : 1);
                if (plan.Normalize == NormalizeMode.Rms)
                {
                    scale *= RmsScale(ch, channels, frames, plan.NormalizeRmsDb, plan.NormalizeSilenceDb);
                }

                scales[s] = scale;
                var g = (float)scale;
                for (var c = 0; c < channels; c++)
                {
                    var src = ch[source.SwapChannels && channels == 2 ? 1 - c : c].AsSpan(0, frames);
                    var mix = mixture.Slice(c * frames, frames);
                    TensorPrimitives.MultiplyAdd(src, g, mix, mix);
                    foreach (var t in feeds[s] ?? [])
                    {
                        var dst = targets.Slice((t * perTarget) + (c * frames), frames);
                        TensorPrimitives.MultiplyAdd(src, g, dst, dst);
                    }
                }
            }
        }
        finally
        {
            foreach (var a in scratch)
            {
                if (a is not null)
                {
                    ArrayPool<float>.Shared.Return(a);
                }
            }
        }

        var peak = Math.Max(MaxAbs(mixture), MaxAbs(targets));
        var rescale = plan.Rescale switch
        {
            RescaleMode.MaxAbs when peak > 0 => 1 / peak,
            RescaleMode.MaxAbsIfClipping when peak > 1 => 1 / peak,
            _ => 1.0,
        };
        if (rescale != 1.0)
        {
            TensorPrimitives.Multiply(mixture, (float)rescale, mixture);
            TensorPrimitives.Multiply(targets, (float)rescale, targets);
            for (var s = 0; s < scales.Length; s++)
            {
                scales[s] *= rescale;
            }
        }

        return new ItemRender(rescale, scales, peak);
    }

    /// <summary>Reads the planned range into scratch (one array per file channel, zero past the end of the file).</summary>
    private int Read(string path, SourcePlan source, MixPlan plan, float[][] scratch)
    {
        try
        {
            using var lease = handles.Rent(path);
            var reader = lease.Reader;
            var info = reader.Info;
            if (info.SampleRate != plan.SampleRate || (info.Channels != 1 && info.Channels != plan.Channels && plan.Channels != 1))
            {
                throw new MixRenderException(path, $"{info.SampleRate} Hz, {info.Channels} channels; the plan needs {plan.SampleRate} Hz, {plan.Channels} channels");
            }

            if (scratch.Length < info.Channels)
            {
                throw new MixRenderException(path, $"{info.Channels} channels are more than the stream mixes (2)");
            }

            for (var c = 0; c < info.Channels; c++)
            {
                scratch[c] ??= ArrayPool<float>.Shared.Rent(plan.Frames);
            }

            var read = reader.Read(source.StartFrame, scratch, 0, plan.Frames);
            for (var c = 0; c < info.Channels; c++)
            {
                scratch[c].AsSpan(read, plan.Frames - read).Clear();
            }

            return info.Channels;
        }
        catch (AudioFormatException e)
        {
            throw new MixRenderException(path, e.Reason, e);
        }
        catch (IOException e) when (e is not MixRenderException)
        {
            throw new MixRenderException(path, e.Message, e);
        }
    }

    /// <summary>The file's channels in the plan's layout: mono copied to both channels, stereo averaged to mono.</summary>
    private static float[][] ToLayout(float[][] scratch, int fileChannels, int channels, int frames)
    {
        if (fileChannels == channels)
        {
            return scratch;
        }

        if (fileChannels == 1)
        {
            return [scratch[0], scratch[0]];
        }

        // stereo to mono: the average of both channels
        var mono = scratch[0].AsSpan(0, frames);
        TensorPrimitives.Add(mono, scratch[1].AsSpan(0, frames), mono);
        TensorPrimitives.Multiply(mono, 0.5f, mono);
        return [scratch[0]];
    }

    private static double RmsScale(float[][] ch, int channels, int frames, double targetDb, double silenceDb)
    {
        double sum = 0;
        for (var c = 0; c < channels; c++)
        {
            sum += TensorPrimitives.SumOfSquares(ch[c].AsSpan(0, frames));
        }

        var rms = Math.Sqrt(sum / ((double)channels * frames));
        var db = 20 * Math.Log10(Math.Max(rms, 1e-30));
        return db < silenceDb ? 1.0 : Math.Pow(10, (targetDb - db) / 20);
    }

    private static double MaxAbs(ReadOnlySpan<float> x) => x.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(x));
}
