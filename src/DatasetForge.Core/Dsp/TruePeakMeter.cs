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
    private readonly float[][] phases; // phases 1..factor-1 (phase 0 is the sample itself), dense: [phase][delay]
    private readonly Vector256<float>[][] broadcast; // the same, one vector per coefficient
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
        phases = Design(OversamplingFactor).Skip(1).ToArray();
        history = phases.Length == 0 ? 1 : phases[0].Length;
        broadcast = phases.Select(p => p.Select(Vector256.Create).ToArray()).ToArray();
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
        var i = 0;
        var max = 0f;
        if (Vector256.IsHardwareAccelerated)
        {
            var vmax = phases.Length == 3 ? Kernel3(buffer, n, ref i) : Kernel1(buffer, n, ref i);
            for (var lane = 0; lane < Lanes; lane++)
            {
                max = Math.Max(max, vmax.GetElement(lane));
            }
        }

        // The tail (and CPUs without SIMD): phase f's output at input i is sum_d c[f][d] * x[i - d].
        for (; i < n; i++)
        {
            foreach (var c in phases)
            {
                var acc = 0f;
                for (var d = 0; d < c.Length; d++)
                {
                    acc += c[d] * buffer[history + i - d];
                }

                max = Math.Max(max, Math.Abs(acc));
            }
        }

        // Keep the last `history` input samples for the next chunk.
        buffer.AsSpan(n, history).CopyTo(buffer);
        return max;
    }

    /// <summary>4x oversampling: three interpolated phases, eight inputs per step.</summary>
    private Vector256<float> Kernel3(float[] buffer, int n, ref int i)
    {
        ref var x = ref MemoryMarshal.GetArrayDataReference(buffer);
        ref var c1 = ref MemoryMarshal.GetArrayDataReference(broadcast[0]);
        ref var c2 = ref MemoryMarshal.GetArrayDataReference(broadcast[1]);
        ref var c3 = ref MemoryMarshal.GetArrayDataReference(broadcast[2]);
        var taps = history;
        var vmax = Vector256<float>.Zero;
        for (; i + Lanes <= n; i += Lanes)
        {
            ref var xi = ref Unsafe.Add(ref x, history + i);
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            for (var d = 0; d < taps; d++)
            {
                var v = Vector256.LoadUnsafe(ref Unsafe.Subtract(ref xi, d));
                a1 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref c1, d), v, a1);
                a2 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref c2, d), v, a2);
                a3 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref c3, d), v, a3);
            }

            vmax = Vector256.Max(vmax, Vector256.Max(Vector256.Abs(a1), Vector256.Max(Vector256.Abs(a2), Vector256.Abs(a3))));
        }

        return vmax;
    }

    /// <summary>2x oversampling: one interpolated phase.</summary>
    private Vector256<float> Kernel1(float[] buffer, int n, ref int i)
    {
        ref var x = ref MemoryMarshal.GetArrayDataReference(buffer);
        ref var c1 = ref MemoryMarshal.GetArrayDataReference(broadcast[0]);
        var taps = history;
        var vmax = Vector256<float>.Zero;
        for (; i + Lanes <= n; i += Lanes)
        {
            ref var xi = ref Unsafe.Add(ref x, history + i);
            var a1 = Vector256<float>.Zero;
            for (var d = 0; d < taps; d++)
            {
                a1 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref c1, d), Vector256.LoadUnsafe(ref Unsafe.Subtract(ref xi, d)), a1);
            }

            vmax = Vector256.Max(vmax, Vector256.Abs(a1));
        }

        return vmax;
    }

    /// <summary>
    /// Sub-filters of the interpolator, dense: tap j of the prototype (j = 0..48) is sinc((j - 24) / factor) times a
    /// Hann window over the 49 taps; it belongs to phase j mod factor at delay j div factor. Taps below 1e-6 are
    /// zero (libebur128 drops them). Phase 0 is the input sample itself (delayed by 24 / factor samples), which the
    /// sample peak already covers; all phases are padded to the same number of delays.
    /// </summary>
    internal static float[][] Design(int factor)
    {
        if (factor == 1)
        {
            return [[1f]];
        }

        var delays = 0;
        var taps = new (int Phase, int Delay, float Value)[PrototypeTaps];
        var count = 0;
        for (var j = 0; j < PrototypeTaps; j++)
        {
            var m = j - ((PrototypeTaps - 1) / 2.0);
            var c = Math.Abs(m) > 1e-6 ? Math.Sin(m * Math.PI / factor) / (m * Math.PI / factor) : 1.0;
            c *= 0.5 * (1 - Math.Cos(2 * Math.PI * j / (PrototypeTaps - 1)));
            if (Math.Abs(c) > 1e-6)
            {
                taps[count++] = (j % factor, j / factor, (float)c);
                delays = Math.Max(delays, (j / factor) + 1);
            }
        }

        var result = new float[factor][];
        for (var f = 0; f < factor; f++)
        {
            result[f] = new float[delays];
        }

        foreach (var (phase, delay, value) in taps.AsSpan(0, count))
        {
            result[phase][delay] = value;
        }

        return result;
    }
}
