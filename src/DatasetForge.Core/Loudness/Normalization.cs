using DatasetForge.Audio;
using DatasetForge.Dsp;

namespace DatasetForge.Loudness;

/// <summary>
/// A gain to apply and what it does to the peak. <see cref="WouldClip"/> says the gained peak would pass
/// <see cref="CeilingDb"/> (0 dBFS / dBTP unless asked otherwise): the caller decides (lower the target, limit,
/// or accept and record it); nothing is clipped silently.
/// </summary>
public sealed record GainPlan(double GainDb, double PeakBeforeDb, double CeilingDb, bool PeakIsTruePeak)
{
    /// <summary>Linear factor to multiply samples by.</summary>
    public double Gain => Levels.DbToAmplitude(GainDb);

    public double PeakAfterDb => PeakBeforeDb + GainDb;

    /// <summary>Ceiling minus the gained peak; negative when it would clip.</summary>
    public double HeadroomDb => CeilingDb - PeakAfterDb;

    public bool WouldClip => PeakAfterDb > CeilingDb;
}

/// <summary>What applying a gain did: samples beyond full scale are counted and left as they are (float keeps them).</summary>
public sealed record GainReport(double Gain, long SamplesOverFullScale, double MaxAbsAfter)
{
    public bool PassedFullScale => SamplesOverFullScale > 0;

    public double MaxAfterDbfs => Levels.AmplitudeToDb(MaxAbsAfter);
}

/// <summary>Loudness and peak normalization helpers. Pure functions except <see cref="ApplyGain(float[][], int, int, double)"/>, which scales in place.</summary>
public static class Normalization
{
    /// <summary>
    /// Gain that brings the integrated loudness of <paramref name="measured"/> to <paramref name="targetLufs"/>.
    /// The peak check uses the true peak when it was measured, else the sample peak. Returns null when the
    /// loudness is undefined (no block passes the gates: silence or too short), because no gain can fix that.
    /// </summary>
    public static GainPlan? ToLoudness(LoudnessResult measured, double targetLufs, double ceilingDb = 0)
    {
        ArgumentNullException.ThrowIfNull(measured);
        if (!measured.HasIntegrated)
        {
            return null;
        }

        var useTruePeak = !double.IsNaN(measured.TruePeak);
        var peak = useTruePeak ? measured.TruePeak : measured.SamplePeak;
        return new GainPlan(targetLufs - measured.IntegratedLufs, Levels.AmplitudeToDb(peak), ceilingDb, useTruePeak);
    }

    /// <summary>Gain that brings a linear peak to <paramref name="targetDb"/> (dBFS, or dBTP for a true peak). Null for digital silence.</summary>
    public static GainPlan? ToPeak(double peak, double targetDb, bool isTruePeak = false, double ceilingDb = 0)
    {
        if (!(peak > 0) || !double.IsFinite(peak))
        {
            return null;
        }

        var peakDb = Levels.AmplitudeToDb(peak);
        return new GainPlan(targetDb - peakDb, peakDb, ceilingDb, isTruePeak);
    }

    /// <summary>Peak normalization from a measurement: to the true peak when <paramref name="useTruePeak"/> and measured, else the sample peak.</summary>
    public static GainPlan? ToPeak(LoudnessResult measured, double targetDb, bool useTruePeak = false, double ceilingDb = 0)
    {
        ArgumentNullException.ThrowIfNull(measured);
        var truePeak = useTruePeak && !double.IsNaN(measured.TruePeak);
        return ToPeak(truePeak ? measured.TruePeak : measured.SamplePeak, targetDb, truePeak, ceilingDb);
    }

    /// <summary>Multiplies frames [offset, offset+count) of each channel by <paramref name="gain"/> in place and reports samples past full scale (not clipped).</summary>
    public static GainReport ApplyGain(float[][] channels, int offset, int count, double gain)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (!double.IsFinite(gain))
        {
            throw new ArgumentOutOfRangeException(nameof(gain), gain, "Gain must be finite.");
        }

        long over = 0;
        var max = 0f;
        var g = (float)gain;
        foreach (var channel in channels)
        {
            var span = channel.AsSpan(offset, count);
            System.Numerics.Tensors.TensorPrimitives.Multiply(span, g, span);
            foreach (var v in span)
            {
                var a = Math.Abs(v);
                if (a > 1f)
                {
                    over++;
                }

                max = Math.Max(max, a);
            }
        }

        return new GainReport(gain, over, max);
    }

    public static GainReport ApplyGain(AudioBuffer buffer, double gain)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return ApplyGain(buffer.Channels, 0, buffer.Frames, gain);
    }
}
