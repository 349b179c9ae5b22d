using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DatasetForge.Audio;

namespace DatasetForge.Dsp.Resampling;

/// <summary>
/// Streaming band-limited sample-rate converter for any pair of integer rates (polyphase Kaiser-windowed sinc, see
/// <see cref="PolyphaseFilterBank"/>). Feed planar chunks of any size to <see cref="Process(float[][], int, int, float[][], int)"/>
/// and call <see cref="Flush(float[][], int)"/> once at the end; state is carried across calls, so a long file is
/// converted chunk by chunk and never held in memory. Output frame k is the band-limited input evaluated at time
/// k / outputRate (no delay, no leading or trailing junk); in total ceil(inputFrames * outputRate / inputRate)
/// frames come out. One instance per stream; not thread-safe.
/// </summary>
public sealed class Resampler
{
    private readonly PolyphaseFilterBank bank;
    private readonly float[][] history;
    private int historyLength;
    private long historyStart; // absolute input index of history[c][0]
    private long inputFrames;
    private long outputFrames;
    private long position; // n0 = floor(k*M/L) of the next output
    private long remainder; // (k*M) mod L of the next output
    private bool flushed;
    private int[] scratchStart = new int[256];
    private int[] scratchRow = new int[256];
    private float[] scratchAlpha = new float[256];

    public Resampler(int inputRate, int outputRate, int channels, ResamplerQuality? quality = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        InputRate = inputRate;
        OutputRate = outputRate;
        Channels = channels;
        Quality = quality ?? ResamplerQuality.Default;
        bank = new PolyphaseFilterBank(inputRate, outputRate, Quality);
        history = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            history[c] = new float[(bank.Taps * 2) + 4096];
        }

        Reset();
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    public int Channels { get; }

    public ResamplerQuality Quality { get; }

    /// <summary>Taps per output sample and channel (the cost of one output sample).</summary>
    public int TapsPerOutput => bank.Interpolated ? bank.Taps * 2 : bank.Taps;

    /// <summary>Input frames the converter looks ahead (and behind) of each output time.</summary>
    public int Radius => bank.Radius;

    /// <summary>Frames produced so far.</summary>
    public long OutputFrames => outputFrames;

    /// <summary>Total frames the whole stream yields for <paramref name="inputFrames"/> input frames.</summary>
    public long TotalOutputFrames(long inputFrames) => CeilDiv(inputFrames * bank.Up, bank.Down);

    /// <summary>An output capacity that always suffices for one call with <paramref name="inputFrames"/> frames, or for <see cref="Flush(float[][], int)"/>.</summary>
    public int MaxOutputFrames(int inputFrames) =>
        IsIdentity ? inputFrames : (int)(CeilDiv((long)(inputFrames + bank.Radius + 2) * bank.Up, bank.Down) + 2);

    /// <summary>Equal rates: samples pass through unchanged (no filtering).</summary>
    public bool IsIdentity => InputRate == OutputRate;

    /// <summary>Starts a new stream with the same design.</summary>
    public void Reset()
    {
        // Input before time 0 is silence: Radius-1 zeros precede the first sample.
        historyLength = bank.Radius - 1;
        foreach (var h in history)
        {
            Array.Clear(h);
        }

        historyStart = -historyLength;
        inputFrames = 0;
        outputFrames = 0;
        position = 0;
        remainder = 0;
        flushed = false;
    }

    /// <summary>
    /// Consumes <paramref name="count"/> frames of each planar input channel starting at <paramref name="inputOffset"/>
    /// and writes every output frame that is now complete to <paramref name="output"/> at <paramref name="outputOffset"/>
    /// (capacity: <see cref="MaxOutputFrames"/>). Returns the number of frames written.
    /// </summary>
    public int Process(float[][] input, int inputOffset, int count, float[][] output, int outputOffset)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (flushed)
        {
            throw new InvalidOperationException("The stream was flushed; call Reset() to start another.");
        }

        if (input.Length < Channels || output.Length < Channels)
        {
            throw new ArgumentException($"Expected {Channels} input and output channels.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (IsIdentity)
        {
            for (var c = 0; c < Channels; c++)
            {
                input[c].AsSpan(inputOffset, count).CopyTo(output[c].AsSpan(outputOffset));
            }

            inputFrames += count;
            outputFrames += count;
            return count;
        }

        var written = 0;
        var done = 0;
        while (done < count)
        {
            // Bounded appends keep the history buffer small whatever the caller's chunk size.
            var part = Math.Min(count - done, 16384);
            Append(input, inputOffset + done, part);
            inputFrames += part;
            done += part;
            written += Produce(output, outputOffset + written, long.MaxValue);
        }

        return written;
    }

    /// <summary>Ends the stream: pads with silence and writes the remaining output frames. Returns how many.</summary>
    public int Flush(float[][] output, int outputOffset)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (flushed || IsIdentity)
        {
            flushed = true;
            return 0;
        }

        AppendSilence(bank.Radius + 1);
        var written = Produce(output, outputOffset, TotalOutputFrames(inputFrames));
        flushed = true;
        return written;
    }

    /// <summary>Convenience: converts a chunk and returns the output frames it completed.</summary>
    public AudioBuffer Process(AudioBuffer input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckRate(input);
        var output = new AudioBuffer(OutputRate, Channels, MaxOutputFrames(input.Frames));
        var n = Process(input.Channels, 0, input.Frames, output.Channels, 0);
        return output.Frames == n ? output : output.Slice(0, n);
    }

    /// <summary>Convenience: the final frames of the stream.</summary>
    public AudioBuffer Flush()
    {
        var output = new AudioBuffer(OutputRate, Channels, MaxOutputFrames(0));
        var n = Flush(output.Channels, 0);
        return output.Slice(0, n);
    }

    /// <summary>Whole-buffer conversion.</summary>
    public static AudioBuffer Resample(AudioBuffer input, int outputRate, ResamplerQuality? quality = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var resampler = new Resampler(input.SampleRate, outputRate, input.ChannelCount, quality);
        var total = resampler.TotalOutputFrames(input.Frames);
        if (total > Array.MaxLength)
        {
            throw new ArgumentException("The result does not fit in one buffer; stream it with Process/Flush.", nameof(input));
        }

        var output = new AudioBuffer(outputRate, input.ChannelCount, (int)total);
        var scratch = new AudioBuffer(outputRate, input.ChannelCount, resampler.MaxOutputFrames(65536));
        var written = 0;
        for (var start = 0; start < input.Frames; start += 65536)
        {
            var n = resampler.Process(input.Channels, start, Math.Min(65536, input.Frames - start), scratch.Channels, 0);
            CopyOut(scratch, n, output, ref written);
        }

        var tail = resampler.Flush(scratch.Channels, 0);
        CopyOut(scratch, tail, output, ref written);
        return output;
    }

    private static void CopyOut(AudioBuffer from, int count, AudioBuffer to, ref int written)
    {
        for (var c = 0; c < from.ChannelCount; c++)
        {
            from.Channels[c].AsSpan(0, count).CopyTo(to.Channels[c].AsSpan(written));
        }

        written += count;
    }

    private void CheckRate(AudioBuffer input)
    {
        if (input.SampleRate != InputRate || input.ChannelCount != Channels)
        {
            throw new ArgumentException($"Expected {Channels} channels at {InputRate} Hz, got {input.ChannelCount} at {input.SampleRate} Hz.", nameof(input));
        }
    }

    private void Append(float[][] input, int offset, int count)
    {
        EnsureCapacity(count);
        for (var c = 0; c < Channels; c++)
        {
            input[c].AsSpan(offset, count).CopyTo(history[c].AsSpan(historyLength));
        }

        historyLength += count;
    }

    private void AppendSilence(int count)
    {
        EnsureCapacity(count);
        for (var c = 0; c < Channels; c++)
        {
            history[c].AsSpan(historyLength, count).Clear();
        }

        historyLength += count;
    }

    private void EnsureCapacity(int extra)
    {
        if (historyLength + extra <= history[0].Length)
        {
            return;
        }

        for (var c = 0; c < Channels; c++)
        {
            Array.Resize(ref history[c], Math.Max(history[c].Length * 2, historyLength + extra));
        }
    }

    /// <summary>Computes outputs while their input window is available (and fewer than <paramref name="limit"/> in total).</summary>
    private int Produce(float[][] output, int outputOffset, long limit)
    {
        var radius = bank.Radius;
        var taps = bank.Taps;
        var up = bank.Up;
        var down = bank.Down;
        var available = historyStart + historyLength;
        long stepWhole = down / up, stepFraction = down % up; // input advance per output: M/L = whole + fraction/L
        var phasesPerRemainder = (double)bank.Phases / up;

        // Plan the run of outputs once (start index, table row, interpolation weight); all channels share it.
        var n = 0;
        while (position + radius < available && outputFrames + n < limit)
        {
            if (n == scratchStart.Length)
            {
                Array.Resize(ref scratchStart, n * 2);
                Array.Resize(ref scratchRow, n * 2);
                Array.Resize(ref scratchAlpha, n * 2);
            }

            scratchStart[n] = (int)(position - radius + 1 - historyStart);
            if (bank.Interpolated)
            {
                var exact = remainder * phasesPerRemainder;
                var row = (int)exact;
                scratchRow[n] = row * taps;
                scratchAlpha[n] = (float)(exact - row);
            }
            else
            {
                scratchRow[n] = (int)remainder * taps;
            }

            n++;
            position += stepWhole;
            remainder += stepFraction;
            if (remainder >= up)
            {
                remainder -= up;
                position++;
            }
        }

        ref var table = ref MemoryMarshal.GetArrayDataReference(bank.Table);
        var c = 0;
        if (!bank.Interpolated)
        {
            // Channel pairs share each coefficient row: one pass, loads of the row amortized over both.
            for (; c + 2 <= Channels; c += 2)
            {
                ref var x0 = ref MemoryMarshal.GetArrayDataReference(history[c]);
                ref var x1 = ref MemoryMarshal.GetArrayDataReference(history[c + 1]);
                var d0 = output[c].AsSpan(outputOffset, n);
                var d1 = output[c + 1].AsSpan(outputOffset, n);
                for (var k = 0; k < n; k++)
                {
                    var start = scratchStart[k];
                    SimdMath.DotPairAligned16(ref Unsafe.Add(ref table, scratchRow[k]), ref Unsafe.Add(ref x0, start), ref Unsafe.Add(ref x1, start), taps, out var y0, out var y1);
                    d0[k] = y0;
                    d1[k] = y1;
                }
            }
        }

        for (; c < Channels; c++)
        {
            ref var x = ref MemoryMarshal.GetArrayDataReference(history[c]);
            var dst = output[c].AsSpan(outputOffset, n);
            if (bank.Interpolated)
            {
                for (var k = 0; k < n; k++)
                {
                    ref var xs = ref Unsafe.Add(ref x, scratchStart[k]);
                    var a = SimdMath.DotAligned16(ref Unsafe.Add(ref table, scratchRow[k]), ref xs, taps);
                    var b = SimdMath.DotAligned16(ref Unsafe.Add(ref table, scratchRow[k] + taps), ref xs, taps);
                    dst[k] = a + (scratchAlpha[k] * (b - a));
                }
            }
            else
            {
                for (var k = 0; k < n; k++)
                {
                    dst[k] = SimdMath.DotAligned16(ref Unsafe.Add(ref table, scratchRow[k]), ref Unsafe.Add(ref x, scratchStart[k]), taps);
                }
            }
        }

        outputFrames += n;

        // Drop input that no future output needs.
        var keepFrom = (int)Math.Clamp(position - radius + 1 - historyStart, 0, historyLength);
        if (keepFrom > 0)
        {
            foreach (var h in history)
            {
                h.AsSpan(keepFrom, historyLength - keepFrom).CopyTo(h);
            }

            historyLength -= keepFrom;
            historyStart += keepFrom;
        }

        return n;
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
