using System.IO.Compression;
using System.Text;
using DatasetForge.Audio;

namespace DatasetForge.Tests.TestSupport;

/// <summary>Builds zip files entry by entry, including the hostile ones (odd names, links, lying sizes).</summary>
public sealed class ZipBuilder
{
    private readonly List<(string Name, byte[] Data, int? UnixMode, CompressionLevel Level)> entries = [];

    public ZipBuilder Add(string name, byte[] data, CompressionLevel level = CompressionLevel.Fastest, int? unixMode = null)
    {
        entries.Add((name, data, unixMode, level));
        return this;
    }

    public ZipBuilder Text(string name, string text) => Add(name, Encoding.UTF8.GetBytes(text));

    /// <summary>A small 16-bit WAV of a sine (0.5 s by default).</summary>
    public ZipBuilder Wav(string name, double seconds = 0.5, int rate = 44100, int channels = 1, double amplitude = 0.5, CompressionLevel level = CompressionLevel.Fastest) =>
        Add(name, WavBytes(seconds, rate, channels, amplitude), level);

    public ZipBuilder Link(string name, string target) => Add(name, Encoding.UTF8.GetBytes(target), CompressionLevel.NoCompression, unixMode: 0xA1FF);

    public byte[] Build()
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data, mode, level) in entries)
            {
                var entry = zip.CreateEntry(name, level);
                if (mode is { } m)
                {
                    entry.ExternalAttributes = m << 16;
                }

                using var stream = entry.Open();
                stream.Write(data);
            }
        }

        return memory.ToArray();
    }

    public string Write(string path)
    {
        File.WriteAllBytes(path, Build());
        return path;
    }

    public static byte[] WavBytes(double seconds = 0.5, int rate = 44100, int channels = 1, double amplitude = 0.5, double frequency = 440)
    {
        var frames = (int)(seconds * rate);
        var buffer = new AudioBuffer(rate, Enumerable.Range(0, channels).Select(c => Signals.Sine(frequency, amplitude, rate, frames, c)).ToArray());
        var temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"forge-wav-{Guid.NewGuid():N}.wav");
        try
        {
            WavFile.Write(temp, buffer, SampleEncoding.Pcm16);
            return File.ReadAllBytes(temp);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
