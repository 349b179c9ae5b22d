using DatasetForge.Audio;
using DatasetForge.Dsp;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Dsp;

public sealed class TruePeakTests
{
    [Fact]
    public void Interpolator_phases_are_libebur128s_hann_windowed_sinc()
    {
        var phases = TruePeakMeter.Design(4);
        Assert.Equal(4, phases.Length);
        Assert.All(phases, p => Assert.Equal(12, p.Length));
        Assert.Equal(1f, phases[0][6]); // phase 0 is the sample itself, delayed by 6
        Assert.Equal(1f, phases[0].Sum(Math.Abs));
        foreach (var p in phases.Skip(1))
        {
            Assert.Equal(1.0, p.Sum(), 0.01); // unit DC gain per phase
        }

        Assert.Equal(phases[1].Reverse(), phases[3]); // symmetric prototype
        Assert.Equal(2, TruePeakMeter.Design(2).Length);
    }

    [Fact]
    public void Inter_sample_peaks_are_found()
    {
        // fs/4 sine at 45 degrees: every sample is at 0.707 of the peak, the waveform reaches the peak between them.
        const int rate = 48000;
        var x = Signals.Sine(rate / 4.0, 0.5, rate, rate, phase: Math.PI / 4);
        var meter = new TruePeakMeter(rate, 1);
        meter.Process(new AudioBuffer(rate, [x]));
        Assert.Equal(-9.03, Levels.AmplitudeToDb(Levels.SamplePeak(x)), 2);
        Assert.Equal(Levels.AmplitudeToDb(0.5), meter.PeakDbtp, 0.3);
        Assert.Equal(4, meter.OversamplingFactor);
    }

    [Fact]
    public void Streaming_in_chunks_gives_the_same_peak()
    {
        var x = Signals.Noise(50000, 0.9, 11);
        var whole = TruePeakMeter.Measure(new AudioBuffer(44100, [x]));
        var meter = new TruePeakMeter(44100, 1);
        for (var start = 0; start < x.Length; start += 777)
        {
            meter.Process([x], start, Math.Min(777, x.Length - start));
        }

        Assert.Equal(whole, meter.Peak);
        Assert.True(whole >= Levels.SamplePeak(x));
    }

    [Theory]
    [InlineData(44100, 4)]
    [InlineData(96000, 2)]
    [InlineData(192000, 1)]
    public void Oversampling_depends_on_the_rate_like_libebur128(int rate, int factor)
    {
        var meter = new TruePeakMeter(rate, 2);
        Assert.Equal(factor, meter.OversamplingFactor);
        var x = Signals.Noise(10000, 0.5, 1);
        meter.Process([x, new float[10000]], 0, 10000);
        Assert.True(meter.Peak >= Levels.SamplePeak(x));
        if (factor == 1)
        {
            Assert.Equal(Levels.SamplePeak(x), meter.Peak);
        }
    }
}
