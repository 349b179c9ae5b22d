using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DatasetForge.Audio;

namespace DatasetForge.Dsp;

/// <summary>
/// True-peak meter per ITU-R BS.1770-4 Annex 2: the signal is oversampled (4x below 96 kHz, 2x below 192 kHz, none
/// above) by a polyphase FIR interpolator and the largest absolute value of the oversampled signal is kept per
/// channel. The interpolator is designed the way libebur128 designs it (a 49-tap sinc with a Hann window, split
/// into one sub-filter per phase, zero taps dropped), so our dBTP values agree with libebur128's; like libebur128,
/// a channel's true peak is never reported below its sample peak. Streaming: state is carried across
/// <see cref="Process(float[][], int, int)"/> calls. One instance per stream.
/// </summary>
public sealed class TruePeakMeter
{
    /// <summary>Taps of the prototype interpolation filter (libebur128 uses 49).</summary>
    public const int PrototypeTaps = 49;

    private const int Lanes = 8;
    private readonly int history; // input samples of look-back the sub-filters need
    private readonly float[][] phaseCoefficients;
    private readonly int[][] phaseDelays;
    private readonly float[][] buffers; // per channel: [history | chunk]
    private readonly double[] truePeaks;
    private readonly double[] samplePeaks;

    public TruePeakMeter(int sampleRate, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        SampleRate = sampleRate;
        Channels = channels;
        OversamplingFactor = sampleRate < 96000 ? 4 : sampleRate < 192000 ? 2 : 1;
        (phaseCoefficients, phaseDelays) = Design(OversamplingFactor);
        history = (PrototypeTaps + OversamplingFactor - 1) / OversamplingFactor;
        buffers = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            buffers[c] = new float[history + 4096];
        }

        truePeaks = new double[channels];
        samplePeaks = new double[channels];
    }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>4 below 96 kHz, 2 below 192 kHz, 1 (true peak = sample peak) above.</summary>
    public int OversamplingFactor { get; }

    /// <summary>Largest true peak over all channels, linear (1.0 = full scale).</summary>
    public double Peak => Enumerable.Range(0, Channels).Max(ChannelPeak);

    public double PeakDbtp => Levels.AmplitudeToDb(Peak);

    /// <summary>True peak of one channel, linear: max(oversampled peak, sample peak).</summary>
    public double ChannelPeak(int channel) => Math.Max(truePeaks[channel], samplePeaks[channel]);

    public static double Measure(AudioBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var meter = new TruePeakMeter(buffer.SampleRate, buffer.ChannelCount);
        meter.Process(buffer.Channels, 0, buffer.Frames);
        return meter.Peak;
    }

    public void Process(AudioBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Process(buffer.Channels, 0, buffer.Frames);
    }

    /// <summary>Adds frames [offset, offset+count) of each planar channel.</summary>
    public void Process(float[][] channels, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length < Channels)
        {
            throw new ArgumentException($"Expected {Channels} channels, got {channels.Length}.", nameof(channels));
        }

        for (var c = 0; c < Channels; c++)
        {
            var input = channels[c].AsSpan(offset, count);
            samplePeaks[c] = Math.Max(samplePeaks[c], Levels.SamplePeak(input));
            if (OversamplingFactor == 1)
            {
                continue;
            }

            for (var done = 0; done < count;)
            {
                var part = Math.Min(count - done, buffers[c].Length - history);
                truePeaks[c] = Math.Max(truePeaks[c], ProcessChunk(buffers[c], input.Slice(done, part)));
                done += part;
            }
        }
    }

    /// <summary>Runs the interpolator over one chunk of a channel; returns the largest |oversampled value|.</summary>
    private float ProcessChunk(float[] buffer, ReadOnlySpan<float> chunk)
    {
        chunk.CopyTo(buffer.AsSpan(history));
        var n = chunk.Length;
        ref var x = ref MemoryMarshal.GetArrayDataReference(buffer);
        var max = 0f;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vmax = Vector256<float>.Zero;
            for (; i + Lanes <= n; i += Lanes)
            {
                // Output of phase f at input i: sum_t c[f][t] * x[i - d[f][t]]; x[i] lives at buffer[history + i].
                ref var xi = ref Unsafe.Add(ref x, history + i);
                for (var f = 0; f < phaseCoefficients.Length; f++)
                {
                    var coefficients = phaseCoefficients[f];
                    var delays = phaseDelays[f];
                    var acc = Vector256<float>.Zero;
                    for (var t = 0; t < coefficients.Length; t++)
                    {
                        acc = Vector256.FusedMultiplyAdd(Vector256.Create(coefficients[t]), Vector256.LoadUnsafe(ref Unsafe.Subtract(ref xi, delays[t])), acc);
                    }

                    vmax = Vector256.Max(vmax, Vector256.Abs(acc));
                }
            }

            max = Vector256.Max(vmax, Vector256<float>.Zero).ToScalar();
            for (var lane = 1; lane < Lanes; lane++)
            {
                max = Math.Max(max, vmax.GetElement(lane));
            }
        }

        for (; i < n; i++)
        {
            for (var f = 0; f < phaseCoefficients.Length; f++)
            {
                var coefficients = phaseCoefficients[f];
                var delays = phaseDelays[f];
                var acc = 0f;
                for (var t = 0; t < coefficients.Length; t++)
                {
                    acc += coefficients[t] * buffer[history + i - delays[t]];
                }

                max = Math.Max(max, Math.Abs(acc));
            }
        }

        // Keep the last `history` input samples for the next chunk.
        buffer.AsSpan(n, history).CopyTo(buffer);
        return max;
    }

    /// <summary>
    /// Sub-filters of the interpolator: tap j of the prototype (j = 0..48) is sinc((j - 24) / factor) times a Hann
    /// window over the 49 taps; it belongs to phase j mod factor at delay j div factor. Near-zero taps are dropped.
    /// </summary>
    internal static (float[][] Coefficients, int[][] Delays) Design(int factor)
    {
        var coefficients = new List<float>[factor];
        var delays = new List<int>[factor];
        for (var f = 0; f < factor; f++)
        {
            coefficients[f] = [];
            delays[f] = [];
        }

        if (factor == 1)
        {
            coefficients[0].Add(1f);
            delays[0].Add(0);
        }
        else
        {
            for (var j = 0; j < PrototypeTaps; j++)
            {
                var m = j - ((PrototypeTaps - 1) / 2.0);
                var c = Math.Abs(m) > 1e-6 ? Math.Sin(m * Math.PI / factor) / (m * Math.PI / factor) : 1.0;
                c *= 0.5 * (1 - Math.Cos(2 * Math.PI * j / (PrototypeTaps - 1)));
                if (Math.Abs(c) > 1e-6)
                {
                    coefficients[j % factor].Add((float)c);
                    delays[j % factor].Add(j / factor);
                }
            }
        }

        return (coefficients.Select(l => l.ToArray()).ToArray(), delays.Select(l => l.ToArray()).ToArray());
    }
}
