using System.Buffers;
using System.Buffers.Binary;
using DatasetForge.Common;

namespace DatasetForge.Audio;

/// <summary>
/// Streams a WAV file to a temp path and renames it over the target on <see cref="Commit"/>; disposing without
/// committing deletes the temp file, so an interrupted render never leaves a half-written WAV. Writes plain RIFF
/// and switches to RF64 (EBU Tech 3306) when the data passes 4 GB, using the JUNK chunk it reserves up front.
/// </summary>
public sealed class WavWriter : IDisposable
{
    private const int HeaderJunkSize = 28; // room for a ds64 chunk body
    private readonly string path;
    private readonly string tempPath;
    private readonly FileStream stream;
    private readonly bool extensible;
    private readonly bool hasFact;
    private readonly long dataSizeOffset;
    private readonly long factOffset;
    private long dataBytes;
    private readonly long rf64Threshold;
    private bool committed;

    private WavWriter(string path, int sampleRate, int channels, SampleEncoding encoding, uint channelMask, long rf64Threshold)
    {
        this.rf64Threshold = rf64Threshold;
        if (encoding == SampleEncoding.PcmS8)
        {
            throw new ArgumentException("WAV stores 8-bit PCM unsigned; use Pcm8.", nameof(encoding));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        this.path = path;
        SampleRate = sampleRate;
        Channels = channels;
        Encoding = encoding;
        extensible = channels > 2 || channelMask != 0;
        hasFact = encoding.IsFloat();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        tempPath = AtomicFile.TempPathFor(path);
        stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);

        var header = new List<byte>(128);
        void Ascii(string s) => header.AddRange(System.Text.Encoding.ASCII.GetBytes(s));
        void U16(int v) => header.AddRange(BitConverter.GetBytes((ushort)v));
        void U32(uint v) => header.AddRange(BitConverter.GetBytes(v));

        Ascii("RIFF");
        U32(0);
        Ascii("WAVE");
        Ascii("JUNK");
        U32(HeaderJunkSize);
        header.AddRange(new byte[HeaderJunkSize]);
        Ascii("fmt ");
        var bytesPerSample = encoding.BytesPerSample();
        var blockAlign = channels * bytesPerSample;
        var tag = encoding.IsFloat() ? 3 : 1;
        U32(extensible ? 40u : (encoding.IsFloat() ? 18u : 16u));
        U16(extensible ? 0xFFFE : tag);
        U16(channels);
        U32((uint)sampleRate);
        U32((uint)(sampleRate * blockAlign));
        U16(blockAlign);
        U16(bytesPerSample * 8);
        if (extensible)
        {
            U16(22);
            U16(bytesPerSample * 8);
            U32(channelMask != 0 ? channelMask : DefaultChannelMask(channels));
            U16(tag);
            header.AddRange([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]);
        }
        else if (encoding.IsFloat())
        {
            U16(0);
        }

        if (hasFact)
        {
            Ascii("fact");
            U32(4);
            factOffset = header.Count;
            U32(0);
        }

        Ascii("data");
        dataSizeOffset = header.Count;
        U32(0);
        stream.Write(header.ToArray());
    }

    public int SampleRate { get; }

    public int Channels { get; }

    public SampleEncoding Encoding { get; }

    public long FramesWritten => dataBytes / (Channels * Encoding.BytesPerSample());

    /// <summary>Samples that were clipped to full scale while encoding to PCM.</summary>
    public long ClippedSamples { get; private set; }

    public static WavWriter Create(string path, int sampleRate, int channels, SampleEncoding encoding, uint channelMask = 0) =>
        new(path, sampleRate, channels, encoding, channelMask, uint.MaxValue);

    /// <summary>Tests use a small threshold to exercise the RF64 switch without writing 4 GB.</summary>
    internal static WavWriter CreateWithRf64Threshold(string path, int sampleRate, int channels, SampleEncoding encoding, long rf64Threshold) =>
        new(path, sampleRate, channels, encoding, 0, rf64Threshold);

    /// <summary>Speaker mask for common layouts (mono: FC, stereo: FL|FR, 5.1: FL FR FC LFE BL BR).</summary>
    public static uint DefaultChannelMask(int channels) => channels switch
    {
        1 => 0x4,
        2 => 0x3,
        3 => 0x7,
        4 => 0x33,
        6 => 0x3F,
        8 => 0x63F,
        _ => 0,
    };

    public void WriteInterleaved(ReadOnlySpan<float> samples)
    {
        ObjectDisposedException.ThrowIf(committed, this);
        if (samples.Length % Channels != 0)
        {
            throw new ArgumentException("Sample count must be a multiple of the channel count.", nameof(samples));
        }

        const int chunk = 1 << 15;
        var bytesPerSample = Encoding.BytesPerSample();
        var buffer = ArrayPool<byte>.Shared.Rent(chunk * bytesPerSample);
        try
        {
            for (var start = 0; start < samples.Length; start += chunk)
            {
                var part = samples.Slice(start, Math.Min(chunk, samples.Length - start));
                var bytes = buffer.AsSpan(0, part.Length * bytesPerSample);
                ClippedSamples += SampleCodec.Encode(part, Encoding, bytes);
                stream.Write(bytes);
                dataBytes += bytes.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes frames [offset, offset+count) of planar channels.</summary>
    public void Write(float[][] channels, int offset, int count)
    {
        if (channels.Length != Channels)
        {
            throw new ArgumentException($"Expected {Channels} channels, got {channels.Length}.", nameof(channels));
        }

        const int chunkFrames = 8192;
        var interleaved = ArrayPool<float>.Shared.Rent(chunkFrames * Channels);
        try
        {
            for (var start = 0; start < count; start += chunkFrames)
            {
                var frames = Math.Min(chunkFrames, count - start);
                for (var c = 0; c < Channels; c++)
                {
                    var src = channels[c].AsSpan(offset + start, frames);
                    for (int i = 0, j = c; i < frames; i++, j += Channels)
                    {
                        interleaved[j] = src[i];
                    }
                }

                WriteInterleaved(interleaved.AsSpan(0, frames * Channels));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(interleaved);
        }
    }

    public void Write(AudioBuffer buffer) => Write(buffer.Channels, 0, buffer.Frames);

    /// <summary>Finalizes the header, flushes to disk and renames the temp file over the target.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(committed, this);
        if (dataBytes % 2 == 1)
        {
            stream.WriteByte(0);
        }

        var riffSize = stream.Length - 8;
        var frames = FramesWritten;
        Span<byte> u32 = stackalloc byte[4];
        if (riffSize > rf64Threshold)
        {
            // RF64: the 32-bit sizes become 0xFFFFFFFF and the JUNK chunk turns into ds64 carrying the real ones.
            Patch(0, "RF64"u8);
            BinaryPrimitives.WriteUInt32LittleEndian(u32, uint.MaxValue);
            Patch(4, u32);
            Patch(12, "ds64"u8);
            Span<byte> ds64 = stackalloc byte[HeaderJunkSize];
            BinaryPrimitives.WriteInt64LittleEndian(ds64, riffSize);
            BinaryPrimitives.WriteInt64LittleEndian(ds64[8..], dataBytes);
            BinaryPrimitives.WriteInt64LittleEndian(ds64[16..], frames);
            Patch(20, ds64);
            Patch(dataSizeOffset, u32);
            if (hasFact)
            {
                Patch(factOffset, u32);
            }
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)riffSize);
            Patch(4, u32);
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)dataBytes);
            Patch(dataSizeOffset, u32);
            if (hasFact)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)Math.Min(frames, uint.MaxValue));
                Patch(factOffset, u32);
            }
        }

        stream.Flush(flushToDisk: true);
        stream.Dispose();
        AtomicFile.Commit(tempPath, path);
        committed = true;
    }

    public void Dispose()
    {
        if (!committed)
        {
            stream.Dispose();
            AtomicFile.TryDelete(tempPath);
            committed = true;
        }
    }

    private void Patch(long offset, ReadOnlySpan<byte> bytes)
    {
        var end = stream.Position;
        stream.Position = offset;
        stream.Write(bytes);
        stream.Position = end;
    }
}

/// <summary>Whole-buffer convenience over <see cref="WavWriter"/>.</summary>
public static class WavFile
{
    /// <summary>Writes atomically; returns the number of samples clipped to full scale (PCM encodings only).</summary>
    public static long Write(string path, AudioBuffer buffer, SampleEncoding encoding = SampleEncoding.Float32, uint channelMask = 0)
    {
        using var writer = WavWriter.Create(path, buffer.SampleRate, buffer.ChannelCount, encoding, channelMask);
        writer.Write(buffer);
        writer.Commit();
        return writer.ClippedSamples;
    }
}
