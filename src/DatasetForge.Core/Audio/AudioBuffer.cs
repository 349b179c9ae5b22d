namespace DatasetForge.Audio;

/// <summary>
/// Planar audio in memory: one float array per channel, all of <see cref="Frames"/> length, full scale = 1.0.
/// Planar because every DSP routine here works one channel at a time over spans.
/// </summary>
public sealed class AudioBuffer
{
    public AudioBuffer(int sampleRate, float[][] channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length == 0)
        {
            throw new ArgumentException("An audio buffer needs at least one channel.", nameof(channels));
        }

        var frames = channels[0].Length;
        foreach (var channel in channels)
        {
            if (channel.Length != frames)
            {
                throw new ArgumentException("All channels must have the same length.", nameof(channels));
            }
        }

        SampleRate = sampleRate;
        Channels = channels;
    }

    public AudioBuffer(int sampleRate, int channelCount, int frames)
        : this(sampleRate, Enumerable.Range(0, channelCount).Select(_ => new float[frames]).ToArray())
    {
    }

    public int SampleRate { get; }

    public float[][] Channels { get; }

    public int ChannelCount => Channels.Length;

    public int Frames => Channels[0].Length;

    public double DurationSeconds => (double)Frames / SampleRate;

    public Span<float> this[int channel] => Channels[channel];

    /// <summary>Interleaves into a new array (frame-major), the layout WAV files use.</summary>
    public float[] ToInterleaved()
    {
        var channels = ChannelCount;
        var result = new float[Frames * channels];
        for (var c = 0; c < channels; c++)
        {
            var src = Channels[c];
            for (var i = 0; i < src.Length; i++)
            {
                result[(i * channels) + c] = src[i];
            }
        }

        return result;
    }

    public static AudioBuffer FromInterleaved(int sampleRate, int channels, ReadOnlySpan<float> interleaved)
    {
        if (channels <= 0 || interleaved.Length % channels != 0)
        {
            throw new ArgumentException("Interleaved length must be a multiple of the channel count.", nameof(interleaved));
        }

        var frames = interleaved.Length / channels;
        var buffer = new AudioBuffer(sampleRate, channels, frames);
        for (var c = 0; c < channels; c++)
        {
            var dst = buffer.Channels[c];
            for (var i = 0; i < frames; i++)
            {
                dst[i] = interleaved[(i * channels) + c];
            }
        }

        return buffer;
    }

    public AudioBuffer Clone() => new(SampleRate, Channels.Select(c => (float[])c.Clone()).ToArray());

    /// <summary>A copy of frames [start, start+count).</summary>
    public AudioBuffer Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + count > Frames)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Slice extends past the end of the buffer.");
        }

        return new AudioBuffer(SampleRate, Channels.Select(c => c.AsSpan(start, count).ToArray()).ToArray());
    }
}
