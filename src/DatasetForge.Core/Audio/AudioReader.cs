using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace DatasetForge.Audio;

/// <summary>
/// Reads frame ranges of a WAV/RF64/AIFF/AIFC file without loading the whole file. Reads are positional
/// (<see cref="RandomAccess"/>), so one reader may serve several threads at once.
/// Open with <see cref="AudioFile.OpenRead"/>.
/// </summary>
public sealed class AudioReader : IDisposable
{
    private const int ChunkFrames = 16384;
    private readonly SafeFileHandle handle;
    private readonly long dataOffset;
    private readonly bool bigEndian;
    private readonly int blockAlign;

    internal AudioReader(SafeFileHandle handle, AudioFileInfo info, long dataOffset, bool bigEndian)
    {
        this.handle = handle;
        Info = info;
        this.dataOffset = dataOffset;
        this.bigEndian = bigEndian;
        blockAlign = info.Channels * info.Encoding.BytesPerSample();
    }

    public AudioFileInfo Info { get; }

    /// <summary>
    /// Reads up to <paramref name="frameCount"/> frames starting at <paramref name="startFrame"/> into planar
    /// <paramref name="destination"/> (one array per channel) at <paramref name="destinationOffset"/>.
    /// Returns the frames read: fewer only at the end of the file.
    /// </summary>
    public int Read(long startFrame, float[][] destination, int destinationOffset, int frameCount)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(startFrame);
        if (destination.Length < Info.Channels)
        {
            throw new ArgumentException($"Destination has {destination.Length} channels; the file has {Info.Channels}.", nameof(destination));
        }

        var available = (int)Math.Max(0, Math.Min(frameCount, Info.Frames - startFrame));
        var channels = Info.Channels;
        var byteBuffer = ArrayPool<byte>.Shared.Rent(Math.Min(available, ChunkFrames) * blockAlign);
        var floatBuffer = ArrayPool<float>.Shared.Rent(Math.Min(available, ChunkFrames) * channels);
        try
        {
            var done = 0;
            while (done < available)
            {
                var frames = Math.Min(ChunkFrames, available - done);
                var bytes = byteBuffer.AsSpan(0, frames * blockAlign);
                ReadExactly(bytes, dataOffset + ((startFrame + done) * blockAlign));
                var samples = floatBuffer.AsSpan(0, frames * channels);
                SampleCodec.Decode(bytes, Info.Encoding, bigEndian, samples);
                for (var c = 0; c < channels; c++)
                {
                    var dst = destination[c].AsSpan(destinationOffset + done, frames);
                    for (int i = 0, j = c; i < frames; i++, j += channels)
                    {
                        dst[i] = samples[j];
                    }
                }

                done += frames;
            }

            return available;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(byteBuffer);
            ArrayPool<float>.Shared.Return(floatBuffer);
        }
    }

    /// <summary>Reads frames [startFrame, startFrame+frameCount) into a new buffer (shorter at the end of file).</summary>
    public AudioBuffer Read(long startFrame, int frameCount)
    {
        var available = (int)Math.Max(0, Math.Min(frameCount, Info.Frames - startFrame));
        var buffer = new AudioBuffer(Info.SampleRate, Info.Channels, available);
        Read(startFrame, buffer.Channels, 0, available);
        return buffer;
    }

    public AudioBuffer ReadAll()
    {
        if (Info.Frames > Array.MaxLength)
        {
            throw new AudioFormatException(Info.Path, $"{Info.Frames} frames do not fit in memory at once; read it in ranges");
        }

        return Read(0, (int)Info.Frames);
    }

    /// <summary>Byte offset of frame 0 in the file (for callers that map the file into memory).</summary>
    public long DataOffset => dataOffset;

    /// <summary>True for AIFF (big-endian samples); WAV is little-endian.</summary>
    public bool IsBigEndian => bigEndian;

    /// <summary>Bytes per frame as stored (channels * bytes per sample).</summary>
    public int BlockAlign => blockAlign;

    /// <summary>
    /// Copies the stored sample bytes of frames [startFrame, startFrame+frameCount) (interleaved, in the file's
    /// encoding and byte order) into <paramref name="destination"/>, without decoding. Returns the frames copied:
    /// fewer only at the end of the file.
    /// </summary>
    public int ReadRaw(long startFrame, int frameCount, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startFrame);
        var available = (int)Math.Max(0, Math.Min(frameCount, Info.Frames - startFrame));
        if (destination.Length < available * blockAlign)
        {
            throw new ArgumentException($"Destination holds fewer than {available * blockAlign} bytes.", nameof(destination));
        }

        ReadExactly(destination[..(available * blockAlign)], dataOffset + (startFrame * blockAlign));
        return available;
    }

    public void Dispose() => handle.Dispose();

    private void ReadExactly(Span<byte> bytes, long offset)
    {
        var total = 0;
        while (total < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes[total..], offset + total);
            if (n == 0)
            {
                throw new AudioFormatException(Info.Path, $"file ended at byte {offset + total} inside the data (it was truncated while open)");
            }

            total += n;
        }
    }
}
