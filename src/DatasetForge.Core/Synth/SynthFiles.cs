using System.Buffers.Binary;
using System.Text;
using DatasetForge.Audio;
using DatasetForge.Common;

namespace DatasetForge.Synth;

/// <summary>
/// Non-WAV files of a library: an MP3-shaped stream (ID3v2 tag, then MPEG-1 Layer III frame headers whose frames
/// carry no audio data, i.e. silence) for previews and renamed-MP3 defects, AppleDouble and .DS_Store junk, and
/// the defective WAVs.
/// </summary>
public static class SynthFiles
{
    /// <summary>An MP3 stream of silence: 128 kbit/s, 44.1 kHz, mono, <paramref name="seconds"/> long, with an ID3v2.3 title tag.</summary>
    public static byte[] SilentMp3(double seconds, string title)
    {
        var text = Encoding.Latin1.GetBytes(title);
        var frame = new List<byte>();
        frame.AddRange("TIT2"u8.ToArray());
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, text.Length + 1);
        frame.AddRange(size);
        frame.AddRange([0, 0, 0]);
        frame.AddRange(text);
        var tagSize = frame.Count;
        var result = new List<byte>();
        result.AddRange("ID3"u8.ToArray());
        result.AddRange([3, 0, 0]);
        result.AddRange([(byte)((tagSize >> 21) & 0x7F), (byte)((tagSize >> 14) & 0x7F), (byte)((tagSize >> 7) & 0x7F), (byte)(tagSize & 0x7F)]);
        result.AddRange(frame);
        const int frameBytes = 417; // 144 * 128000 / 44100, no padding
        var frames = (int)Math.Ceiling(seconds * 44100 / 1152);
        var mpeg = new byte[frameBytes];
        mpeg[0] = 0xFF;
        mpeg[1] = 0xFB; // MPEG-1, Layer III, no CRC
        mpeg[2] = 0x90; // 128 kbit/s, 44.1 kHz, no padding
        mpeg[3] = 0xC4; // mono, original
        for (var i = 0; i < frames; i++)
        {
            result.AddRange(mpeg);
        }

        return [.. result];
    }

    /// <summary>The AppleDouble "._name" companion macOS zips carry under __MACOSX/.</summary>
    public static byte[] AppleDouble()
    {
        var b = new byte[82];
        BinaryPrimitives.WriteUInt32BigEndian(b, 0x00051607);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), 0x00020000);
        Encoding.ASCII.GetBytes("Mac OS X        ").CopyTo(b, 8);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(24), 1);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(26), 9);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(30), 50);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(34), 32);
        return b;
    }

    public static byte[] DsStore()
    {
        var b = new byte[64];
        BinaryPrimitives.WriteUInt32BigEndian(b, 1);
        Encoding.ASCII.GetBytes("Bud1").CopyTo(b, 4);
        return b;
    }

    /// <summary>
    /// Writes a defective file of the given kind at <paramref name="path"/> and returns the reason
    /// <see cref="AudioFile.OpenRead"/> gives for it (a stable part of the message).
    /// </summary>
    public static string WriteDefect(string path, DefectKind kind, int sampleRate, SampleEncoding encoding, Random rng)
    {
        switch (kind)
        {
            case DefectKind.EmptyFile:
                AtomicFile.WriteAllBytes(path, []);
                return "empty file";
            case DefectKind.Mp3Renamed:
                AtomicFile.WriteAllBytes(path, SilentMp3(rng.Uniform(2, 5), Path.GetFileNameWithoutExtension(path)));
                return "unsupported format: MP3";
            case DefectKind.TruncatedData:
                {
                    WriteNoiseWav(path, sampleRate, encoding, rng);
                    var bytes = File.ReadAllBytes(path);
                    var dataStart = IndexOf(bytes, "data"u8) + 8;
                    var keep = dataStart + (int)((bytes.Length - dataStart) * rng.Uniform(0.3, 0.8));
                    AtomicFile.WriteAllBytes(path, bytes.AsSpan(0, keep));
                    return "data chunk truncated";
                }

            default:
                {
                    WriteNoiseWav(path, sampleRate, encoding, rng);
                    var bytes = File.ReadAllBytes(path);
                    string reason;
                    switch (rng.Next(3))
                    {
                        case 0:
                            Encoding.ASCII.GetBytes("WAVX").CopyTo(bytes, 8);
                            reason = "RIFF file is not WAVE";
                            break;
                        case 1:
                            var fmt = IndexOf(bytes, "fmt "u8);
                            bytes[fmt + 10] = 0;
                            bytes[fmt + 11] = 0;
                            reason = "fmt chunk declares 0 channels";
                            break;
                        default:
                            bytes.AsSpan(0, 12).Clear();
                            reason = "not a WAV or AIFF file";
                            break;
                    }

                    AtomicFile.WriteAllBytes(path, bytes);
                    return reason;
                }
        }
    }

    private static void WriteNoiseWav(string path, int sampleRate, SampleEncoding encoding, Random rng)
    {
        var frames = (int)(sampleRate * rng.Uniform(1.5, 4));
        var x = new float[frames];
        var noise = new NoiseSource(rng);
        for (var i = 0; i < frames; i++)
        {
            x[i] = noise.Next() * 0.1f;
        }

        WavFile.Write(path, new AudioBuffer(sampleRate, [x]), encoding);
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> pattern)
    {
        var i = bytes.AsSpan().IndexOf(pattern);
        return i >= 0 ? i : throw new InvalidDataException("chunk not found in a freshly written WAV");
    }
}
