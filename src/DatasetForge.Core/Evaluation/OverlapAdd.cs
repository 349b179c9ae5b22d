using DatasetForge.Audio;
using DatasetForge.Common;

namespace DatasetForge.Evaluation;

/// <summary>
/// Whole-song inference by overlap-add (BSRNN, Luo and Yu 2023, Sec. IV-B): the song is zero-padded by T - P at both
/// ends, cut into chunks of T samples every P samples (P &lt;= T; the end is zero-padded to a whole chunk), each chunk
/// is separated, and the outputs are overlap-added with a window normalized to sum to one at every sample (a
/// strictly positive sine-squared window divided by the sum of the overlapping windows), then trimmed back to the
/// song. A model that returns its input therefore reproduces the song to float rounding, for any T and P.
/// </summary>
public static class OverlapAdd
{
    public const string Stage = "separate";

    public static AudioBuffer[] Separate(ISeparationModel model, AudioBuffer mixture, int chunkFrames, int hopFrames,
        IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (chunkFrames <= 0 || hopFrames <= 0 || hopFrames > chunkFrames)
        {
            throw new ArgumentOutOfRangeException(nameof(hopFrames), $"need 0 < hop <= chunk (chunk {chunkFrames}, hop {hopFrames} samples)");
        }

        if (model.SampleRate != 0 && model.SampleRate != mixture.SampleRate)
        {
            throw new EvaluationInputException($"the model expects {model.SampleRate} Hz audio; the mixture is {mixture.SampleRate} Hz");
        }

        var n = mixture.Frames;
        var channels = mixture.ChannelCount;
        var pad = chunkFrames - hopFrames;
        var padded = n + (2 * pad);
        var chunks = padded <= chunkFrames ? 1 : 1 + (int)Math.Ceiling((double)(padded - chunkFrames) / hopFrames);
        var total = ((chunks - 1) * hopFrames) + chunkFrames;

        var window = new double[chunkFrames];
        for (var i = 0; i < chunkFrames; i++)
        {
            var s = Math.Sin(Math.PI * (i + 0.5) / chunkFrames);
            window[i] = s * s;
        }

        // Overlapping outputs and windows are summed in double in ring buffers of one chunk; once the next chunk starts
        // past a position, that position is final and is written, normalized, to the float result. Memory stays
        // O(chunk) and the result is rounded to float once.
        var targets = model.Targets.Count;
        var result = Enumerable.Range(0, targets).Select(_ => new AudioBuffer(mixture.SampleRate, channels, n)).ToArray();
        var ring = Enumerable.Range(0, targets).Select(_ => Enumerable.Range(0, channels).Select(_ => new double[chunkFrames]).ToArray()).ToArray();
        var weightRing = new double[chunkFrames];
        var chunk = new AudioBuffer(mixture.SampleRate, channels, chunkFrames);
        for (var k = 0; k < chunks; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = k * hopFrames; // in padded coordinates; padded index p is song index p - pad
            var from = Math.Max(0, pad - start);
            var to = Math.Min(chunkFrames, n + pad - start);
            for (var c = 0; c < channels; c++)
            {
                var dst = chunk.Channels[c];
                Array.Clear(dst);
                if (to > from)
                {
                    mixture.Channels[c].AsSpan(start + from - pad, to - from).CopyTo(dst.AsSpan(from));
                }
            }

            var outputs = model.Separate(chunk);
            if (outputs.Length != targets)
            {
                throw new InvalidOperationException($"the model returned {outputs.Length} outputs for {targets} targets");
            }

            for (var t = 0; t < targets; t++)
            {
                if (outputs[t].ChannelCount != channels || outputs[t].Frames != chunkFrames)
                {
                    throw new InvalidOperationException($"the model returned {outputs[t].ChannelCount} ch x {outputs[t].Frames} for target '{model.Targets[t]}'; expected {channels} x {chunkFrames}");
                }

                for (var c = 0; c < channels; c++)
                {
                    var src = outputs[t].Channels[c];
                    var acc = ring[t][c];
                    for (var i = 0; i < chunkFrames; i++)
                    {
                        acc[(start + i) % chunkFrames] += window[i] * src[i];
                    }
                }
            }

            for (var i = 0; i < chunkFrames; i++)
            {
                weightRing[(start + i) % chunkFrames] += window[i];
            }

            // Positions before the next chunk's start are final (all of them after the last chunk).
            var finalEnd = k == chunks - 1 ? start + chunkFrames : start + hopFrames;
            for (var position = start; position < finalEnd; position++)
            {
                var slot = position % chunkFrames;
                var song = position - pad;
                if (song >= 0 && song < n)
                {
                    for (var t = 0; t < targets; t++)
                    {
                        for (var c = 0; c < channels; c++)
                        {
                            result[t].Channels[c][song] = (float)(ring[t][c][slot] / weightRing[slot]);
                        }
                    }
                }

                weightRing[slot] = 0;
                for (var t = 0; t < targets; t++)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        ring[t][c][slot] = 0;
                    }
                }
            }

            // AudioSeconds is this chunk's share of the song (progress reports carry increments, summed by the viewer).
            var covered = Math.Min(n, start + hopFrames) - Math.Min(n, start);
            progress?.Report(new StageProgress(Stage, $"chunk {k + 1}/{chunks}", k + 1, chunks, AudioSeconds: (double)Math.Max(0, covered) / mixture.SampleRate));
        }

        return result;
    }

    /// <summary>Chunk and hop in samples from seconds, checked.</summary>
    public static (int Chunk, int Hop) Frames(double chunkSeconds, double hopSeconds, int sampleRate)
    {
        var chunk = (int)Math.Round(chunkSeconds * sampleRate);
        var hop = (int)Math.Round(hopSeconds * sampleRate);
        if (chunk <= 0 || hop <= 0 || hop > chunk)
        {
            throw new EvaluationInputException($"need 0 < hop <= chunk (chunk {chunkSeconds} s, hop {hopSeconds} s)");
        }

        return (chunk, hop);
    }
}
