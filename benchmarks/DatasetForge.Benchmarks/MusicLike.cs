using DatasetForge.Audio;

namespace DatasetForge.Benchmarks;

/// <summary>
/// A deterministic "music-like" test file: a chord progression of harmonic tones with attack/decay envelopes, a
/// bass line, filtered noise bursts like hi-hats, and sections at different levels, so loudness gating and
/// resampling see realistic material. Written in chunks (constant memory) and cached by name.
/// </summary>
public static class MusicLike
{
    public static string Ensure(string folder, int sampleRate, double seconds, SampleEncoding encoding, int channels = 2, int seed = 1)
    {
        var path = Path.Combine(folder, $"music-like-v1-{sampleRate}-{seconds:0}s-{channels}ch-{encoding.ToCatalogName()}-seed{seed}.wav");
        if (File.Exists(path))
        {
            return path;
        }

        var frames = (long)(seconds * sampleRate);
        using var writer = WavWriter.Create(path, sampleRate, channels, encoding);
        var random = new Random(seed);
        const int chunk = 1 << 15;
        var buffer = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            buffer[c] = new float[chunk];
        }

        double[] roots = [110.0, 146.83, 130.81, 98.0];
        var beat = sampleRate / 2; // 120 bpm
        double noiseState = 0;
        for (long start = 0; start < frames; start += chunk)
        {
            var n = (int)Math.Min(chunk, frames - start);
            for (var i = 0; i < n; i++)
            {
                var t = start + i;
                var time = (double)t / sampleRate;
                var bar = (int)(t / (beat * 4));
                var root = roots[bar % roots.Length];
                var sinceBeat = (double)(t % beat) / sampleRate;
                var envelope = Math.Exp(-3 * sinceBeat) * (1 - Math.Exp(-200 * sinceBeat));
                var section = 0.35 + (0.3 * Math.Sin(2 * Math.PI * time / 47)); // slow level changes
                double chord = 0;
                foreach (var ratio in (ReadOnlySpan<double>)[2.0, 2.52, 3.0, 4.0])
                {
                    for (var h = 1; h <= 5; h++)
                    {
                        chord += Math.Sin(2 * Math.PI * root * ratio * h * time) / (h * h);
                    }
                }

                var bass = Math.Sin(2 * Math.PI * root / 2 * time) * Math.Exp(-1.5 * sinceBeat);
                var white = (random.NextDouble() * 2) - 1;
                noiseState = (0.3 * noiseState) + white - (0.6 * noiseState);
                var hat = ((t / (beat / 2)) % 2 == 1 ? 1 : 0) * noiseState * Math.Exp(-40 * ((double)(t % (beat / 2)) / sampleRate));
                var mono = section * ((0.12 * chord * envelope) + (0.25 * bass) + (0.08 * hat));
                for (var c = 0; c < channels; c++)
                {
                    var pan = c % 2 == 0 ? 1.0 : 0.85;
                    buffer[c][i] = (float)(mono * pan * (1 + (0.05 * c * Math.Sin(2 * Math.PI * 0.2 * time))));
                }
            }

            writer.Write(buffer, 0, n);
        }

        writer.Commit();
        return path;
    }
}
