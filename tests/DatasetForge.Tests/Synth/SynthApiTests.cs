using DatasetForge.Audio;
using DatasetForge.Dsp;
using DatasetForge.Synth;

namespace DatasetForge.Tests.Synth;

/// <summary>The pieces the bleed benchmark reuses: clean tracks per instrument, and bleed injection with exact truth.</summary>
public sealed class SynthApiTests
{
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_instrument_renders_a_musically_timed_clean_track_with_silences(InstrumentKind kind)
    {
        var (audio, activity, context) = InstrumentSynth.CleanTrack(kind, seed: 5, sampleRate: 22050, seconds: 10);
        Assert.Equal(context.Frames, audio.Frames);
        Assert.NotEmpty(activity);
        Assert.True(Levels.SamplePeak(audio.Channels[0]) > 0.1f, $"{kind} is (nearly) silent");
        Assert.All(audio.Channels[0], s => Assert.True(float.IsFinite(s) && Math.Abs(s) <= 1));
        var active = activity.Sum(a => a.Length);
        Assert.True(active < context.Seconds - 0.3, $"{kind} sounds for {active:F1} of {context.Seconds} s: no silence at all");

        // The same seed gives the same samples; another performance seed gives others.
        var again = InstrumentSynth.CleanTrack(kind, seed: 5, sampleRate: 22050, seconds: 10).Audio;
        Assert.Equal(audio.Channels[0], again.Channels[0]);
    }

    [Fact]
    public void Instruments_are_distinguishable_by_their_spectra()
    {
        // Spectral centroid over the active samples: a bass sits far below a hi-hat, a kick below a snare, a voice between.
        double Centroid(InstrumentKind kind)
        {
            var x = InstrumentSynth.CleanTrack(kind, 9, 22050, 8).Audio.Channels[0];
            double zc = 0, energy = 0;
            for (var i = 1; i < x.Length; i++)
            {
                energy += x[i] * x[i];
                zc += (x[i] - x[i - 1]) * (x[i] - x[i - 1]);
            }

            // sqrt(E[diff^2] / E[x^2]) grows with frequency (2 sin(pi f / fs)).
            return Math.Sqrt(zc / energy);
        }

        Assert.True(Centroid(InstrumentKind.ElectricBass) < Centroid(InstrumentKind.LeadVocal));
        Assert.True(Centroid(InstrumentKind.LeadVocal) < Centroid(InstrumentKind.HiHat));
        Assert.True(Centroid(InstrumentKind.Kick) < Centroid(InstrumentKind.Snare));
        Assert.True(Centroid(InstrumentKind.Cello) < Centroid(InstrumentKind.Flute));
    }

    [Fact]
    public void Bleed_injection_sets_the_level_delay_and_cutoff_it_is_asked_for()
    {
        const int sr = 48000;
        var own = InstrumentSynth.CleanTrack(InstrumentKind.LeadVocal, 1, sr, 6).Audio;
        var source = InstrumentSynth.CleanTrack(InstrumentKind.Snare, 2, sr, 6).Audio;
        var target = own.Clone();
        var spec = new BleedSpec(12.34, -23.5, 4000);
        var result = BleedInjector.Inject(target, source, spec, own);
        Assert.Equal((int)Math.Round(12.34 * sr / 1000), result.DelaySamples);
        Assert.Equal(-23.5, result.LevelDb, 3);

        // The added signal is exactly the source delayed and low-passed at that gain.
        var added = target.Channels[0].Zip(own.Channels[0]).Select(p => p.First - p.Second).ToArray();
        Assert.Equal(-23.5, 20 * Math.Log10(Levels.Rms(added) / Levels.Rms(own.Channels[0])), 2);
        var expected = BleedInjector.Shape(source.Channels[0], sr, 12.34, 4000, own.Frames, out _);
        var gain = (float)result.Gain;
        for (var i = 0; i < added.Length; i++)
        {
            Assert.True(Math.Abs(added[i] - (expected[i] * gain)) < 1e-5);
        }

        // Nothing before the delay; the low-pass is zero-phase and -6 dB at the cutoff.
        Assert.All(added.Take(result.DelaySamples), v => Assert.Equal(0f, v));
        Assert.Equal(0.5, Math.Pow(Biquad.LowPass(sr, 4000).MagnitudeAt(sr, 4000), 2), 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => BleedInjector.Shape(source.Channels[0], sr, 1, 30000, own.Frames, out _));
    }

    public static TheoryData<InstrumentKind> Kinds() => new(Enum.GetValues<InstrumentKind>());
}
