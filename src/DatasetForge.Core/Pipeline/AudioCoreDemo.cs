using DatasetForge.Audio;
using DatasetForge.Dsp.Resampling;
using DatasetForge.Loudness;

namespace DatasetForge.Pipeline;

/// <summary>One track through the demo: raw file, resampled and loudness-normalized render, before/after figures.</summary>
public sealed record DemoTrack(
    string Name,
    string RawPath,
    int RawSampleRate,
    double RawLufs,
    string RenderedPath,
    int RenderedSampleRate,
    double GainDb,
    bool GainWouldClip,
    long SamplesPastFullScale,
    double RenderedLufs,
    double RenderedTruePeakDbtp);

/// <summary>
/// What `forge demo` runs while the later stages are being built: synthesizes three seeded 48 kHz "raw tracks",
/// converts them to 44.1 kHz, measures BS.1770-4 loudness, normalizes each to a target LUFS and measures again.
/// Everything is written atomically under the output folder (raw/, render/). Later stages extend the demo.
/// </summary>
public static class AudioCoreDemo
{
    public const int RawRate = 48000;
    public const int RenderRate = 44100;

    public static IReadOnlyList<DemoTrack> Run(string outputFolder, int seed, double targetLufs = -23, CancellationToken cancellationToken = default)
    {
        var random = new Random(seed);
        var tracks = new (string Name, Func<double, double> Voice)[]
        {
            ("bass", t => 0.5 * Math.Sin(2 * Math.PI * 55 * t) * Pulse(t, 0.5, 3)),
            ("keys", t => 0.15 * (Math.Sin(2 * Math.PI * 261.6 * t) + Math.Sin(2 * Math.PI * 329.6 * t) + Math.Sin(2 * Math.PI * 392 * t)) * Pulse(t, 2, 1)),
            ("hats", t => 0.2 * ((random.NextDouble() * 2) - 1) * Pulse(t + 0.25, 0.5, 40)),
        };

        var results = new List<DemoTrack>();
        foreach (var (name, voice) in tracks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var raw = Path.Combine(outputFolder, "raw", $"{name}.wav");
            var frames = RawRate * 8;
            var samples = new float[frames];
            for (var i = 0; i < frames; i++)
            {
                samples[i] = (float)voice((double)i / RawRate);
            }

            WavFile.Write(raw, new AudioBuffer(RawRate, [samples, (float[])samples.Clone()]), SampleEncoding.Pcm24);
            var rawLoudness = LoudnessMeter.MeasureFile(raw);

            var resampled = Path.Combine(outputFolder, "render", $".{name}.44k.wav");
            FileResampler.Resample(raw, resampled, RenderRate, SampleEncoding.Float32, cancellationToken: cancellationToken);
            var plan = Normalization.ToLoudness(LoudnessMeter.MeasureFile(resampled), targetLufs)
                ?? throw new InvalidOperationException($"{name}: loudness undefined (silent track)");
            var rendered = Path.Combine(outputFolder, "render", $"{name}.wav");
            var report = WriteWithGain(resampled, rendered, plan.Gain);
            File.Delete(resampled);
            var renderedLoudness = LoudnessMeter.MeasureFile(rendered);
            results.Add(new DemoTrack(name, raw, RawRate, rawLoudness.IntegratedLufs, rendered, RenderRate, plan.GainDb, plan.WouldClip,
                report.SamplesOverFullScale, renderedLoudness.IntegratedLufs, renderedLoudness.TruePeakDbtp));
        }

        return results;
    }

    /// <summary>Streams a file through a gain into a 24-bit WAV; samples past full scale are counted (and clip in PCM).</summary>
    private static GainReport WriteWithGain(string input, string output, double gain)
    {
        using var reader = AudioFile.OpenRead(input);
        using var writer = WavWriter.Create(output, reader.Info.SampleRate, reader.Info.Channels, SampleEncoding.Pcm24);
        const int chunk = 1 << 15;
        var buffer = Enumerable.Range(0, reader.Info.Channels).Select(_ => new float[chunk]).ToArray();
        long over = 0;
        var max = 0.0;
        for (long start = 0; start < reader.Info.Frames; start += chunk)
        {
            var n = reader.Read(start, buffer, 0, (int)Math.Min(chunk, reader.Info.Frames - start));
            var part = Normalization.ApplyGain(buffer, 0, n, gain);
            over += part.SamplesOverFullScale;
            max = Math.Max(max, part.MaxAbsAfter);
            writer.Write(buffer, 0, n);
        }

        writer.Commit();
        return new GainReport(gain, over, max);
    }

    /// <summary>A decaying envelope retriggered every <paramref name="period"/> seconds.</summary>
    private static double Pulse(double t, double period, double decay) => Math.Exp(-decay * (t % period));
}
