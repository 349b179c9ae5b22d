using DatasetForge.Audio;
using DatasetForge.Loudness;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Loudness;

public sealed class NormalizationTests
{
    private static AudioBuffer Tone(double amplitude) => new(48000, [Signals.Sine(1000, amplitude, 48000, 48000 * 5), Signals.Sine(1000, amplitude, 48000, 48000 * 5)]);

    [Fact]
    public void Gain_to_target_loudness_lands_on_the_target()
    {
        var buffer = Tone(0.05);
        var plan = Normalization.ToLoudness(LoudnessMeter.Measure(buffer), -16)!;
        var report = Normalization.ApplyGain(buffer, plan.Gain);
        Assert.Equal(-16, LoudnessMeter.Measure(buffer).IntegratedLufs, 3);
        Assert.False(plan.WouldClip);
        Assert.False(report.PassedFullScale);
        Assert.True(plan.PeakIsTruePeak);
        Assert.Equal(plan.PeakAfterDb, LoudnessMeter.Measure(buffer).TruePeakDbtp, 2);
    }

    [Fact]
    public void A_gain_past_full_scale_is_reported_not_clipped()
    {
        var buffer = Tone(0.5);
        var plan = Normalization.ToLoudness(LoudnessMeter.Measure(buffer), 3)!; // about 9 dB of gain on a -6 dBFS tone
        Assert.True(plan.WouldClip);
        Assert.True(plan.HeadroomDb < 0);
        var report = Normalization.ApplyGain(buffer, plan.Gain);
        Assert.True(report.PassedFullScale);
        Assert.True(report.MaxAbsAfter > 1);
        Assert.Equal(report.MaxAbsAfter, buffer.Channels.Max(c => c.Max(Math.Abs)), 6); // samples kept, not clamped
    }

    [Fact]
    public void Peak_normalization_reaches_the_target()
    {
        var buffer = Tone(0.2);
        var plan = Normalization.ToPeak(LoudnessMeter.Measure(buffer), -1)!;
        Normalization.ApplyGain(buffer, plan.Gain);
        Assert.Equal(-1, LoudnessMeter.Measure(buffer).SamplePeakDbfs, 3);
        Assert.False(plan.PeakIsTruePeak);
        Assert.True(Normalization.ToPeak(0.5, 1.0)!.WouldClip);
    }

    [Fact]
    public void Silence_has_no_normalization_gain()
    {
        var silence = LoudnessMeter.Measure(new AudioBuffer(48000, 2, 48000));
        Assert.Null(Normalization.ToLoudness(silence, -23));
        Assert.Null(Normalization.ToPeak(silence, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Normalization.ApplyGain(new AudioBuffer(48000, 1, 10), double.PositiveInfinity));
    }
}
