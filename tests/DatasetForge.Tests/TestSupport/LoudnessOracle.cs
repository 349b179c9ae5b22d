using System.Text.Json;
using DatasetForge.Audio;

namespace DatasetForge.Tests.TestSupport;

/// <summary>
/// Reads the reference vectors in shared/oracles/loudness/cases.json (libebur128's values) and synthesizes the
/// cases given only as a recipe, exactly as the file's note says: consecutive sines (1 kHz unless 'freq') of
/// [seconds, dBFS peak] starting at phase 0, on every channel (or one level per channel, null = silent), stored
/// in the case's WAV subtype. Compiled into the tests and into the benchmark project (`forge bench
/// loudness-accuracy`), so the README's accuracy table comes from the same code the tests run.
/// </summary>
public sealed record LoudnessCase(
    string Id,
    string? File,
    string Description,
    JsonElement Recipe,
    int SampleRate,
    int Channels,
    string Subtype,
    long Frames,
    double? IntegratedLufs,
    double? SamplePeakDbfs,
    double? TruePeakDbtp)
{
    public static IReadOnlyList<LoudnessCase> Load(string folder)
    {
        var path = System.IO.Path.Combine(folder, "cases.json");
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new LoudnessCase(
            c.GetProperty("id").GetString()!,
            c.GetProperty("file").ValueKind == JsonValueKind.Null ? null : System.IO.Path.Combine(folder, c.GetProperty("file").GetString()!),
            c.TryGetProperty("description", out var d) ? d.GetString() ?? string.Empty : string.Empty,
            c.GetProperty("recipe").Clone(),
            c.GetProperty("sample_rate").GetInt32(),
            c.GetProperty("channels").GetInt32(),
            c.GetProperty("subtype").GetString()!,
            c.GetProperty("frames").GetInt64(),
            Nullable(c, "integrated_lufs_libebur128"),
            Nullable(c, "sample_peak_dbfs"),
            Nullable(c, "true_peak_dbtp"))).ToList();
    }

    /// <summary>The audio of a recipe case. Throws for kinds that exist only as files.</summary>
    public AudioBuffer Synthesize()
    {
        var kind = Recipe.GetProperty("kind").GetString();
        var frequency = Recipe.TryGetProperty("freq", out var f) ? f.GetDouble() : 1000.0;
        var buffer = new AudioBuffer(SampleRate, Channels, checked((int)Frames));
        switch (kind)
        {
            case "segments":
                var start = 0;
                foreach (var part in Recipe.GetProperty("parts").EnumerateArray())
                {
                    var frames = (int)Math.Round(part[0].GetDouble() * SampleRate);
                    var tone = Tone(frequency, part[1].GetDouble(), frames);
                    foreach (var channel in buffer.Channels)
                    {
                        tone.CopyTo(channel, start);
                    }

                    start += frames;
                }

                Check(start == Frames, $"segments add up to {start} frames, the case says {Frames}");
                break;
            case "segments_per_channel":
                var levels = Recipe.GetProperty("levels_dbfs").EnumerateArray().ToArray();
                var length = (int)Math.Round(Recipe.GetProperty("seconds").GetDouble() * SampleRate);
                Check(length == Frames && levels.Length == Channels, "recipe does not match the case's frames or channels");
                for (var c = 0; c < Channels; c++)
                {
                    if (levels[c].ValueKind != JsonValueKind.Null)
                    {
                        Tone(frequency, levels[c].GetDouble(), length).CopyTo(buffer.Channels[c], 0);
                    }
                }

                break;
            default:
                throw new InvalidOperationException($"case {Id}: no file, and recipe kind '{kind}' cannot be synthesized");
        }

        Quantize(buffer);
        return buffer;
    }

    public override string ToString() => Id;

    private float[] Tone(double frequency, double peakDbfs, int frames)
    {
        var amplitude = Math.Pow(10, peakDbfs / 20);
        var tone = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            tone[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / SampleRate));
        }

        return tone;
    }

    /// <summary>Stores and reads back through the case's subtype, as the reference saw it.</summary>
    private void Quantize(AudioBuffer buffer)
    {
        var encoding = Subtype switch
        {
            "PCM_16" => SampleEncoding.Pcm16,
            "PCM_24" => SampleEncoding.Pcm24,
            "PCM_32" => SampleEncoding.Pcm32,
            "FLOAT" => SampleEncoding.Float32,
            "DOUBLE" => SampleEncoding.Float64,
            _ => throw new InvalidOperationException($"case {Id}: unknown subtype {Subtype}"),
        };
        var bytes = new byte[buffer.Frames * encoding.BytesPerSample()];
        foreach (var channel in buffer.Channels)
        {
            SampleCodec.Encode(channel, encoding, bytes);
            SampleCodec.Decode(bytes, encoding, bigEndian: false, channel);
        }
    }

    private void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"case {Id}: {message}");
        }
    }

    private static double? Nullable(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDouble();
}
