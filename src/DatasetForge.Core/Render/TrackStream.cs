using DatasetForge.Audio;
using DatasetForge.Dsp;
using DatasetForge.Dsp.Resampling;

namespace DatasetForge.Render;

/// <summary>
/// One raw track as a stream at the render's rate and channel count: range reads from the file, the streaming
/// resampler, then the <see cref="ChannelMatrix"/>. <see cref="AddNext"/> adds the next frames into a buffer; past
/// the end of the track it adds nothing (silence), so tracks of different lengths line up at frame 0. Memory is a
/// few chunks whatever the track's length.
/// </summary>
internal sealed class TrackStream : IDisposable
{
    private const int InputChunk = 1 << 15;
    private readonly AudioReader reader;
    private readonly Resampler resampler;
    private readonly ChannelMatrix matrix;
    private readonly float[][] input;
    private readonly float[][] pending; // resampled frames not yet handed out, native channels
    private int pendingStart;
    private int pendingCount;
    private long readPosition;
    private bool flushed;

    public TrackStream(string path, int outputRate, int outputChannels, ResamplerQuality quality, TrackPlacement placement = TrackPlacement.Centre)
    {
        reader = AudioFile.OpenRead(path);
        try
        {
            var info = reader.Info;
            if (info.Frames == 0)
            {
                throw new AudioFormatException(path, "no audio frames");
            }

            resampler = new Resampler(info.SampleRate, outputRate, info.Channels, quality);
            matrix = info.Channels == 1 && outputChannels == 2 && placement != TrackPlacement.Centre
                ? ChannelMatrix.MonoToSide(placement == TrackPlacement.Left ? 0 : 1)
                : ChannelMatrix.For(info.Channels, outputChannels);
            input = Planar(info.Channels, InputChunk);
            pending = Planar(info.Channels, resampler.MaxOutputFrames(InputChunk) * 2);
            OutputFrames = resampler.TotalOutputFrames(info.Frames);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public AudioFileInfo Info => reader.Info;

    public ChannelMatrix Matrix => matrix;

    /// <summary>Frames this track yields at the output rate.</summary>
    public long OutputFrames { get; }

    /// <summary>Adds the next <paramref name="count"/> output frames (mapped, times <paramref name="gain"/>) into <paramref name="destination"/> at <paramref name="offset"/>.</summary>
    public void AddNext(float[][] destination, int offset, int count, float gain = 1f)
    {
        var done = 0;
        while (done < count)
        {
            if (pendingCount == 0 && !Refill())
            {
                return; // the track has ended: the rest is silence
            }

            var n = Math.Min(count - done, pendingCount);
            matrix.AddTo(pending, pendingStart, destination, offset + done, n, gain);
            pendingStart += n;
            pendingCount -= n;
            done += n;
        }
    }

    public void Dispose() => reader.Dispose();

    private bool Refill()
    {
        pendingStart = 0;
        pendingCount = 0;
        while (pendingCount == 0)
        {
            if (readPosition < reader.Info.Frames)
            {
                var n = reader.Read(readPosition, input, 0, (int)Math.Min(InputChunk, reader.Info.Frames - readPosition));
                readPosition += n;
                pendingCount = resampler.Process(input, 0, n, pending, 0);
            }
            else if (!flushed)
            {
                flushed = true;
                pendingCount = resampler.Flush(pending, 0);
            }
            else
            {
                return false;
            }
        }

        return true;
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
