using DatasetForge.Audio;
using DatasetForge.Common;

namespace DatasetForge.Dsp.Resampling;

/// <summary>What <see cref="FileResampler.Resample"/> wrote.</summary>
public sealed record ResampledFile(string Path, int InputRate, int OutputRate, int Channels, long InputFrames, long OutputFrames, SampleEncoding Encoding, long ClippedSamples);

/// <summary>File to file sample-rate conversion, streamed in chunks (constant memory whatever the length).</summary>
public static class FileResampler
{
    private const int ChunkFrames = 1 << 16;

    /// <summary>
    /// Converts <paramref name="inputPath"/> to <paramref name="outputRate"/> and writes a WAV atomically to
    /// <paramref name="outputPath"/> in <paramref name="encoding"/> (default: the input's encoding), keeping the
    /// channel mask. Samples the filter pushes past full scale are clipped by PCM encodings and counted in
    /// <see cref="ResampledFile.ClippedSamples"/> (never silently).
    /// </summary>
    public static ResampledFile Resample(
        string inputPath,
        string outputPath,
        int outputRate,
        SampleEncoding? encoding = null,
        ResamplerQuality? quality = null,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        using var reader = AudioFile.OpenRead(inputPath);
        var info = reader.Info;
        var resampler = new Resampler(info.SampleRate, outputRate, info.Channels, quality);
        var outputEncoding = encoding ?? (info.Encoding == SampleEncoding.PcmS8 ? SampleEncoding.Pcm8 : info.Encoding);
        using var writer = WavWriter.Create(outputPath, outputRate, info.Channels, outputEncoding, info.ChannelMask);
        var input = Planar(info.Channels, ChunkFrames);
        var output = Planar(info.Channels, resampler.MaxOutputFrames(ChunkFrames));
        for (long start = 0; start < info.Frames; start += ChunkFrames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = reader.Read(start, input, 0, (int)Math.Min(ChunkFrames, info.Frames - start));
            writer.Write(output, 0, resampler.Process(input, 0, n, output, 0));
            progress?.Report(new StageProgress("resample", inputPath, start + n, info.Frames, AudioSeconds: (double)(start + n) / info.SampleRate));
        }

        writer.Write(output, 0, resampler.Flush(output, 0));
        writer.Commit();
        return new ResampledFile(outputPath, info.SampleRate, outputRate, info.Channels, info.Frames, writer.FramesWritten, outputEncoding, writer.ClippedSamples);
    }

    private static float[][] Planar(int channels, int frames)
    {
        var result = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            result[c] = new float[frames];
        }

        return result;
    }
}
