using DatasetForge.Dsp;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Dsp;

public sealed class BiquadTests
{
    [Fact]
    public void Lowpass_passes_below_and_attenuates_above_its_corner()
    {
        var filter = Biquad.LowPass(48000, 1000);
        Assert.Equal(1, filter.MagnitudeAt(48000, 10), 3);
        Assert.Equal(Math.Sqrt(0.5), filter.MagnitudeAt(48000, 1000), 3);
        Assert.True(Levels.AmplitudeToDb(filter.MagnitudeAt(48000, 10000)) < -35);
    }

    [Fact]
    public void Filtering_a_sine_scales_it_by_the_magnitude_response()
    {
        var filter = Biquad.HighPass(44100, 500);
        var sine = Signals.Sine(2000, 0.5, 44100, 44100);
        filter.Process(sine);
        var steady = sine.AsSpan(22050);
        Assert.Equal(0.5 * filter.MagnitudeAt(44100, 2000), Levels.Rms(steady) * Math.Sqrt(2), 3);
    }

    [Fact]
    public void Shelf_and_peak_reach_their_gain()
    {
        Assert.Equal(6, Levels.AmplitudeToDb(Biquad.HighShelf(48000, 2000, 0.707, 6).MagnitudeAt(48000, 20000)), 1);
        Assert.Equal(-9, Levels.AmplitudeToDb(Biquad.Peaking(48000, 1000, 1, -9).MagnitudeAt(48000, 1000)), 6);
    }

    [Fact]
    public void Frequencies_outside_nyquist_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Biquad.LowPass(8000, 4000));
}
