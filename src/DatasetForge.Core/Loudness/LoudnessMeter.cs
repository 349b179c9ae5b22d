using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Dsp;

namespace DatasetForge.Loudness;

/// <summary>
/// ITU-R BS.1770-4 / EBU R128 loudness meter, streaming. Feed planar chunks of any size with
/// <see cref="Process(float[][], int, int)"/>, then read <see cref="Result"/>; or use <see cref="MeasureFile"/>,
/// which reads the file in ranges (a 3-hour file never sits in memory).
/// <para>How it measures (the way libebur128 does, whose values the tests check to 0.01 LU):</para>
/// <list type="bullet">
/// <item>K-weighting (<see cref="KWeighting"/>) per channel, in double precision.</item>
/// <item>Mean squares per 100 ms sub-block ((rate + 5) / 10 frames), weighted per channel (<see cref="LoudnessChannelMap"/>)
/// and summed over channels. A 400 ms gating block is four consecutive sub-blocks (75% overlap); the first ends
/// at 400 ms, a partial block at the end is dropped.</item>
/// <item>Loudness of an energy: -0.691 + 10 log10(energy). Integrated: blocks at or above the absolute gate
/// (-70 LUFS) are averaged; blocks at or above that average minus 10 LU are averaged again (energies, not LUFS).</item>
/// <item>Momentary = each 400 ms block, short-term = each 3 s window ending on a 100 ms boundary; the maxima are kept.</item>
/// <item>Sample peak = max |x|; true peak = <see cref="TruePeakMeter"/>.</item>
/// </list>
/// </summary>
public sealed class LoudnessMeter
{
    /// <summary>Absolute gate: -70 LUFS, as an energy.</summary>
    public static readonly double AbsoluteGateEnergy = Math.Pow(10, (-70 + 0.691) / 10);

    /// <summary>Relative gate: -10 LU, as an energy factor.</summary>
    public const double RelativeGateFactor = 0.1;

    private const int ShortTermSubBlocks = 30;
    private const int MomentarySubBlocks = 4;
    private readonly double[] weights;
    private readonly int[] active;
    private readonly KWeightingFilter filter;
    private readonly TruePeakMeter? truePeak;
    private readonly double[] channelSums;
    private readonly double[] samplePeaks;
    private readonly double[] recent = new double[ShortTermSubBlocks]; // weighted sub-block energies (sums), ring
    private readonly List<double> blocks = []; // energy of every 400 ms gating block, before any gate
    private int subBlockFill;
    private long subBlocks;
    private long frames;
    private double maxMomentary;
    private double maxShortTerm;

    public LoudnessMeter(int sampleRate, int channels, IReadOnlyList<double>? channelWeights = null, bool measureTruePeak = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 16);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        SampleRate = sampleRate;
        Channels = channels;
        weights = (channelWeights ?? LoudnessChannelMap.Default(channels)).ToArray();
        if (weights.Length != channels || weights.Any(w => w < 0 || !double.IsFinite(w)))
        {
            throw new ArgumentException($"Need {channels} finite, non-negative channel weights.", nameof(channelWeights));
        }

        active = Enumerable.Range(0, channels).Where(c => weights[c] > 0).ToArray();
        filter = new KWeightingFilter(sampleRate, active);
        truePeak = measureTruePeak ? new TruePeakMeter(sampleRate, channels) : null;
        SubBlockFrames = (sampleRate + 5) / 10;
        channelSums = new double[channels];
        samplePeaks = new double[channels];
        maxMomentary = double.NegativeInfinity;
        maxShortTerm = double.NegativeInfinity;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Frames in 100 ms (rounded as libebur128 does).</summary>
    public int SubBlockFrames { get; }

    public IReadOnlyList<double> ChannelWeights => weights;

    public long Frames => frames;

    /// <summary>Measures a whole file, reading it in ranges. Weights come from the WAV channel mask when present.</summary>
    public static LoudnessResult MeasureFile(string path, bool measureTruePeak = true, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var reader = AudioFile.OpenRead(path);
        var info = reader.Info;
        var meter = new LoudnessMeter(info.SampleRate, info.Channels, LoudnessChannelMap.For(info), measureTruePeak);
        const int chunk = 1 << 16;
        var buffer = new float[info.Channels][];
        for (var c = 0; c < info.Channels; c++)
        {
            buffer[c] = new float[chunk];
        }

        for (long start = 0; start < info.Frames; start += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = reader.Read(start, buffer, 0, (int)Math.Min(chunk, info.Frames - start));
            meter.Process(buffer, 0, n);
            progress?.Report(new StageProgress("loudness", path, start + n, info.Frames, AudioSeconds: (double)(start + n) / info.SampleRate));
        }

        return meter.Result();
    }

    /// <summary>Measures a buffer in memory with the default channel map (or the weights given).</summary>
    public static LoudnessResult Measure(AudioBuffer buffer, IReadOnlyList<double>? channelWeights = null, bool measureTruePeak = true)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var meter = new LoudnessMeter(buffer.SampleRate, buffer.ChannelCount, channelWeights, measureTruePeak);
        meter.Process(buffer);
        return meter.Result();
    }

    public void Process(AudioBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.SampleRate != SampleRate || buffer.ChannelCount != Channels)
        {
            throw new ArgumentException($"Expected {Channels} channels at {SampleRate} Hz, got {buffer.ChannelCount} at {buffer.SampleRate} Hz.", nameof(buffer));
        }

        Process(buffer.Channels, 0, buffer.Frames);
    }

    /// <summary>Adds frames [offset, offset+count) of each planar channel.</summary>
    public void Process(float[][] input, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Length < Channels)
        {
            throw new ArgumentException($"Expected {Channels} channels, got {input.Length}.", nameof(input));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (var c = 0; c < Channels; c++)
        {
            if (input[c].Length < offset + count)
            {
                throw new ArgumentException($"Channel {c} holds fewer than {offset + count} frames.", nameof(input));
            }

            samplePeaks[c] = Math.Max(samplePeaks[c], Levels.SamplePeak(input[c].AsSpan(offset, count)));
        }

        truePeak?.Process(input, offset, count);
        var done = 0;
        while (done < count)
        {
            var part = Math.Min(count - done, SubBlockFrames - subBlockFill);
            filter.Accumulate(input, offset + done, part, channelSums);
            done += part;
            subBlockFill += part;
            if (subBlockFill == SubBlockFrames)
            {
                CloseSubBlock();
            }
        }

        frames += count;
    }

    /// <summary>
    /// Energy (mean square, channel-weighted, K-weighted) of every 400 ms gating block so far, in order, before any
    /// gate. With <see cref="IntegratedFromBlocks"/> they give the integrated loudness of the signal at any gain
    /// without a second pass over the audio (K-weighting is linear, so a gain g scales every block energy by g^2).
    /// </summary>
    public IReadOnlyList<double> BlockEnergies => blocks;

    /// <summary>
    /// Integrated loudness (BS.1770-4 gating) of blocks of these energies after a gain of <paramref name="gainDb"/>:
    /// exactly what the meter reports for the gained signal. Both gates are applied to the gained energies, so a
    /// block that the gain lifts above the absolute gate (-70 LUFS) counts, as it would in a new measurement.
    /// -infinity when no block passes.
    /// </summary>
    public static double IntegratedFromBlocks(IReadOnlyList<double> blockEnergies, double gainDb = 0) =>
        Gate(blockEnergies, Math.Pow(10, gainDb / 10), out _, out _);

    /// <summary>The measurement so far (the meter can keep going afterwards).</summary>
    public LoudnessResult Result()
    {
        var integrated = Gate(blocks, 1, out var aboveAbsolute, out var included);
        var channelTruePeaks = truePeak is null
            ? Enumerable.Repeat(double.NaN, Channels).ToArray()
            : Enumerable.Range(0, Channels).Select(truePeak.ChannelPeak).ToArray();
        return new LoudnessResult(
            SampleRate,
            Channels,
            frames,
            integrated,
            EnergyToLoudness(maxMomentary),
            EnergyToLoudness(maxShortTerm),
            samplePeaks.Max(),
            truePeak is null ? double.NaN : channelTruePeaks.Max(),
            samplePeaks.ToArray(),
            channelTruePeaks,
            Math.Max(0, subBlocks - MomentarySubBlocks + 1),
            aboveAbsolute,
            included);
    }

    /// <summary>Absolute then relative gate over block energies scaled by <paramref name="scale"/>; the gated mean as loudness.</summary>
    private static double Gate(IReadOnlyList<double> energies, double scale, out long aboveAbsolute, out long included)
    {
        var sum = 0.0;
        aboveAbsolute = 0;
        foreach (var e in energies)
        {
            if (e * scale >= AbsoluteGateEnergy)
            {
                sum += e * scale;
                aboveAbsolute++;
            }
        }

        included = 0;
        if (aboveAbsolute == 0)
        {
            return double.NegativeInfinity;
        }

        var relativeGate = sum / aboveAbsolute * RelativeGateFactor;
        var gatedSum = 0.0;
        foreach (var e in energies)
        {
            var scaled = e * scale;
            if (scaled >= AbsoluteGateEnergy && scaled >= relativeGate)
            {
                gatedSum += scaled;
                included++;
            }
        }

        return included > 0 ? EnergyToLoudness(gatedSum / included) : double.NegativeInfinity;
    }

    /// <summary>-0.691 + 10 log10(energy); -infinity for zero energy.</summary>
    public static double EnergyToLoudness(double energy) =>
        energy > 0 && !double.IsNegativeInfinity(energy) ? (10 * Math.Log10(energy)) - 0.691 : double.NegativeInfinity;

    private void CloseSubBlock()
    {
        var energy = 0.0;
        foreach (var c in active)
        {
            energy += weights[c] * channelSums[c];
            channelSums[c] = 0;
        }

        recent[subBlocks % ShortTermSubBlocks] = energy;
        subBlocks++;
        subBlockFill = 0;
        if (subBlocks >= MomentarySubBlocks)
        {
            var block = SumRecent(MomentarySubBlocks) / (MomentarySubBlocks * (double)SubBlockFrames);
            maxMomentary = Math.Max(maxMomentary, block);
            blocks.Add(block);
        }

        if (subBlocks >= ShortTermSubBlocks)
        {
            maxShortTerm = Math.Max(maxShortTerm, SumRecent(ShortTermSubBlocks) / (ShortTermSubBlocks * (double)SubBlockFrames));
        }
    }

    private double SumRecent(int count)
    {
        var sum = 0.0;
        for (var k = 1; k <= count; k++)
        {
            sum += recent[(subBlocks - k) % ShortTermSubBlocks];
        }

        return sum;
    }
}
