using DatasetForge.Audio;

namespace DatasetForge.Analysis.Saliency;

/// <summary>Audio that can be read in frame ranges (a file or an array); frames past the end read as silence.</summary>
public interface IBlockSource
{
    int Channels { get; }

    long Frames { get; }

    /// <summary>Adds frames [start, start+count) of every channel into <paramref name="destination"/> (mono sources go into every destination channel).</summary>
    void AddInto(long start, int count, float[][] destination);
}

/// <summary>An in-memory signal.</summary>
public sealed class ArrayBlockSource(float[][] channels) : IBlockSource
{
    public int Channels => channels.Length;

    public long Frames => channels[0].Length;

    public void AddInto(long start, int count, float[][] destination)
    {
        var n = (int)Math.Max(0, Math.Min(count, Frames - start));
        for (var c = 0; c < destination.Length; c++)
        {
            var src = channels[channels.Length == 1 ? 0 : Math.Min(c, channels.Length - 1)].AsSpan((int)Math.Min(start, Frames), n);
            System.Numerics.Tensors.TensorPrimitives.Add(destination[c].AsSpan(0, n), src, destination[c].AsSpan(0, n));
        }
    }
}

/// <summary>A file read range by range (thread-safe positional reads); dispose to close it.</summary>
public sealed class FileBlockSource : IBlockSource, IDisposable
{
    private readonly AudioReader reader;
    private float[][] scratch = [];

    public FileBlockSource(string path)
    {
        reader = AudioFile.OpenRead(path);
    }

    public AudioFileInfo Info => reader.Info;

    public int Channels => reader.Info.Channels;

    public long Frames => reader.Info.Frames;

    public void AddInto(long start, int count, float[][] destination)
    {
        if (scratch.Length != Channels || scratch[0].Length < count)
        {
            scratch = Enumerable.Range(0, Channels).Select(_ => new float[count]).ToArray();
        }

        var n = reader.Read(start, scratch, 0, count);
        for (var c = 0; c < destination.Length; c++)
        {
            var src = scratch[Channels == 1 ? 0 : Math.Min(c, Channels - 1)].AsSpan(0, n);
            System.Numerics.Tensors.TensorPrimitives.Add(destination[c].AsSpan(0, n), src, destination[c].AsSpan(0, n));
        }
    }

    public void Dispose() => reader.Dispose();
}
