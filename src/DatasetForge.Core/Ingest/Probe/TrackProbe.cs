using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using DatasetForge.Audio;
using DatasetForge.Dsp;

namespace DatasetForge.Ingest.Probe;

/// <summary>Thresholds of the probe and of the per-song checks.</summary>
public sealed record ProbeOptions
{
    /// <summary>Frames read at a time (the probe never holds more than this per channel).</summary>
    public int ChunkFrames { get; init; } = 1 << 16;

    /// <summary>A channel whose mean exceeds this (full scale 1.0) is flagged <c>dc_offset</c>.</summary>
    public double DcOffsetThreshold { get; init; } = 0.01;

    /// <summary>Tracks longer or shorter than the song's median length by more than this are flagged <c>length_mismatch</c>.</summary>
    public double LengthToleranceSeconds { get; init; } = 0.1;

    public string Fingerprint => string.Create(CultureInfo.InvariantCulture, $"probe:{DcOffsetThreshold}:{LengthToleranceSeconds}");
}

/// <summary>
/// What one audio file is: its header facts and level statistics. <see cref="SilentFraction"/> is the fraction of
/// frames in which every channel is exactly zero (digital silence); <see cref="DcOffset"/> is the mean of the
/// channel whose mean is largest in magnitude (signed). <see cref="Error"/> is set (and the numbers are empty) when
/// the file cannot be read.
/// </summary>
public sealed record TrackProbeResult(
    string Path,
    AudioFileInfo? Info,
    double PeakDbfs,
    double SilentFraction,
    double DcOffset,
    int DcChannel,
    string? Error)
{
    public bool Readable => Info is not null && Error is null;
}

/// <summary>
/// Probes audio files with range reads (<see cref="AudioFile.OpenRead"/>), chunk by chunk, so a multi-gigabyte
/// track costs one chunk of memory. Pure apart from reading the file; never throws for a bad file.
/// </summary>
public static class TrackProbe
{
    public static TrackProbeResult Probe(string path, ProbeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ProbeOptions();
        AudioReader reader;
        try
        {
            reader = AudioFile.OpenRead(path);
        }
        catch (AudioFormatException e)
        {
            return new TrackProbeResult(path, null, double.NaN, double.NaN, double.NaN, 0, e.Reason);
        }
        catch (IOException e)
        {
            return new TrackProbeResult(path, null, double.NaN, double.NaN, double.NaN, 0, e.Message);
        }

        using (reader)
        {
            var info = reader.Info;
            var channels = info.Channels;
            var chunk = (int)Math.Min(options.ChunkFrames, Math.Max(1, info.Frames));
            var buffers = Enumerable.Range(0, channels).Select(_ => new float[chunk]).ToArray();
            var envelope = new float[chunk];
            var peak = 0f;
            var sums = new double[channels];
            long silentFrames = 0;
            long position = 0;
            try
            {
                while (position < info.Frames)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var want = (int)Math.Min(chunk, info.Frames - position);
                    var got = reader.Read(position, buffers, 0, want);
                    if (got <= 0)
                    {
                        break;
                    }

                    // Per frame, the largest magnitude over channels: its peak is the file's peak, and its zeros
                    // are the frames that are silent in every channel.
                    var loudest = envelope.AsSpan(0, got);
                    TensorPrimitives.Abs(buffers[0].AsSpan(0, got), loudest);
                    for (var c = 0; c < channels; c++)
                    {
                        var span = buffers[c].AsSpan(0, got);
                        if (c > 0)
                        {
                            TensorPrimitives.MaxMagnitude(loudest, span, loudest);
                        }

                        sums[c] += BlockSum(span);
                    }

                    peak = Math.Max(peak, TensorPrimitives.Max(loudest));
                    silentFrames += CountZeros(loudest);
                    position += got;
                }
            }
            catch (AudioFormatException e)
            {
                return new TrackProbeResult(path, info, double.NaN, double.NaN, double.NaN, 0, e.Reason);
            }
            catch (IOException e)
            {
                return new TrackProbeResult(path, info, double.NaN, double.NaN, double.NaN, 0, $"read error: {e.Message}");
            }

            var frames = Math.Max(1, info.Frames);
            var dcChannel = 0;
            var dc = 0.0;
            for (var c = 0; c < channels; c++)
            {
                var mean = sums[c] / frames;
                if (Math.Abs(mean) > Math.Abs(dc))
                {
                    dc = mean;
                    dcChannel = c;
                }
            }

            var peakDb = peak > 0 ? Levels.AmplitudeToDb(peak) : Levels.FloorDb;
            var silent = info.Frames == 0 ? 1.0 : (double)silentFrames / info.Frames;
            return new TrackProbeResult(path, info, peakDb, silent, dc, dcChannel, null);
        }
    }

    /// <summary>Sum in blocks: float partial sums, double total (precise over hours of audio).</summary>
    private static double BlockSum(ReadOnlySpan<float> samples)
    {
        double total = 0;
        for (var i = 0; i < samples.Length; i += 4096)
        {
            total += TensorPrimitives.Sum(samples.Slice(i, Math.Min(4096, samples.Length - i)));
        }

        return total;
    }

    /// <summary>Exact zeros (and negative zeros) in a span, counted with SIMD compares.</summary>
    internal static long CountZeros(ReadOnlySpan<float> samples)
    {
        long count = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= Vector<float>.Count)
        {
            var acc = Vector<int>.Zero;
            var zero = Vector<float>.Zero;
            var blocks = 0;
            for (; i <= samples.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                acc += Vector.Equals(new Vector<float>(samples[i..]), zero); // -1 per lane that is zero
                if (++blocks == 1 << 20)
                {
                    count -= Vector.Sum(acc);
                    acc = Vector<int>.Zero;
                    blocks = 0;
                }
            }

            count -= Vector.Sum(acc);
        }

        for (; i < samples.Length; i++)
        {
            if (samples[i] == 0)
            {
                count++;
            }
        }

        return count;
    }
}
