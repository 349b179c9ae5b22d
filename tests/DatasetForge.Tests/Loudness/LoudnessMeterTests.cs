using DatasetForge.Audio;
using DatasetForge.Dsp;
using DatasetForge.Loudness;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Loudness;

public sealed class LoudnessMeterTests
{
    [Fact]
    public void K_weighting_at_48k_reproduces_the_bs1770_table()
    {
        var (shelf, highPass) = KWeighting.Design(48000);
        Assert.Equal(1.53512485958697, shelf.B0, 1e-8);
        Assert.Equal(-2.69169618940638, shelf.B1, 1e-8);
        Assert.Equal(1.19839281085285, shelf.B2, 1e-8);
        Assert.Equal(-1.69065929318241, shelf.A1, 1e-8);
        Assert.Equal(0.73248077421585, shelf.A2, 1e-8);
        Assert.Equal(1.0, highPass.B0);
        Assert.Equal(-2.0, highPass.B1);
        Assert.Equal(1.0, highPass.B2);
        Assert.Equal(-1.99004745483398, highPass.A1, 1e-8);
        Assert.Equal(0.99007225036621, highPass.A2, 1e-8);
    }

    [Theory]
    [InlineData(22050)]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(96000)]
    [InlineData(192000)]
    public void K_weighting_has_the_same_shape_at_every_rate(int rate)
    {
        // The 48 kHz curve: about -13.3 dB at 20 Hz, +0.70 dB at 1 kHz (what the -0.691 offset cancels), +4 dB
        // shelf above 5 kHz. Other rates follow it to within the bilinear transform's warping (< 0.1 dB here).
        Assert.Equal(0.70, Levels.AmplitudeToDb(KWeighting.MagnitudeAt(48000, 1000)), 0.01);
        Assert.Equal(-13.3, Levels.AmplitudeToDb(KWeighting.MagnitudeAt(48000, 20)), 0.1);
        foreach (var f in new[] { 20.0, 100, 1000, 3000 })
        {
            Assert.Equal(Levels.AmplitudeToDb(KWeighting.MagnitudeAt(48000, f)), Levels.AmplitudeToDb(KWeighting.MagnitudeAt(rate, f)), 0.1);
        }

        Assert.Equal(4.0, Levels.AmplitudeToDb(KWeighting.MagnitudeAt(rate, 8000)), 0.3);
    }

    [Fact]
    public void Chunked_streaming_gives_the_whole_buffer_result()
    {
        var buffer = new AudioBuffer(44100, [Signals.Noise(44100 * 7, 0.3, 1), Signals.Noise(44100 * 7, 0.1, 2)]);
        var whole = LoudnessMeter.Measure(buffer);
        var meter = new LoudnessMeter(44100, 2);
        var random = new Random(3);
        for (var start = 0; start < buffer.Frames;)
        {
            var n = Math.Min(random.Next(1, 9000), buffer.Frames - start);
            meter.Process(buffer.Channels, start, n);
            start += n;
        }

        var streamed = meter.Result();
        Assert.Equal(whole.IntegratedLufs, streamed.IntegratedLufs, 9);
        Assert.Equal(whole.MaxMomentaryLufs, streamed.MaxMomentaryLufs, 9);
        Assert.Equal(whole.MaxShortTermLufs, streamed.MaxShortTermLufs, 9);
        Assert.Equal(whole.TruePeak, streamed.TruePeak);
        Assert.Equal(whole.SamplePeak, streamed.SamplePeak);
        Assert.Equal(whole.Blocks, streamed.Blocks);
        Assert.Equal((7 * 10) - 3, whole.Blocks);
    }

    [Fact]
    public void Momentary_and_short_term_maxima_follow_a_burst()
    {
        // 1 s of 1 kHz at -10 dBFS in 20 s of silence.
        const int rate = 48000;
        var x = new float[rate * 20];
        Signals.Sine(1000, Math.Pow(10, -10 / 20.0), rate, rate).CopyTo(x, rate * 10);
        var result = LoudnessMeter.Measure(new AudioBuffer(rate, [x, (float[])x.Clone()]));
        var steady = LoudnessMeter.Measure(new AudioBuffer(rate, [x.AsSpan(rate * 10, rate).ToArray(), x.AsSpan(rate * 10, rate).ToArray()]));
        Assert.Equal(steady.IntegratedLufs, result.MaxMomentaryLufs, 2);
        Assert.Equal(steady.IntegratedLufs - (10 * Math.Log10(3)), result.MaxShortTermLufs, 2); // 1 s of energy spread over 3 s
        // Silence is gated away; the 13 blocks touching the burst hold 10 blocks' worth of its energy.
        Assert.Equal(steady.IntegratedLufs + (10 * Math.Log10(10.0 / 13)), result.IntegratedLufs, 2);
        Assert.Equal(13, result.BlocksInIntegrated);
    }

    [Fact]
    public void Short_inputs_have_undefined_loudness_but_real_peaks()
    {
        var tone = Signals.Sine(1000, 0.5, 48000, 48000 * 2);
        var twoSeconds = LoudnessMeter.Measure(new AudioBuffer(48000, [tone]));
        Assert.True(double.IsFinite(twoSeconds.IntegratedLufs));
        Assert.True(double.IsFinite(twoSeconds.MaxMomentaryLufs));
        Assert.True(double.IsNegativeInfinity(twoSeconds.MaxShortTermLufs));

        var short300 = LoudnessMeter.Measure(new AudioBuffer(48000, [tone.AsSpan(0, 14400).ToArray()]));
        Assert.True(double.IsNegativeInfinity(short300.IntegratedLufs));
        Assert.True(double.IsNegativeInfinity(short300.MaxMomentaryLufs));
        Assert.Equal(0, short300.Blocks);
        Assert.Equal(-6.02, short300.SamplePeakDbfs, 2);

        var silence = LoudnessMeter.Measure(new AudioBuffer(48000, 2, 48000 * 5));
        Assert.True(double.IsNegativeInfinity(silence.IntegratedLufs));
        Assert.True(double.IsNegativeInfinity(silence.SamplePeakDbfs));
        Assert.True(double.IsNegativeInfinity(silence.TruePeakDbtp));
    }

    [Fact]
    public void Channel_weights_follow_the_wav_mask_or_libebur128s_default_map()
    {
        Assert.Equal([1.0, 1.0, 1.0, 0.0, 1.41, 1.41], LoudnessChannelMap.FromWavMask(0x3F, 6));
        Assert.Equal([1.0, 1.0, 1.0, 0.0, 1.41, 1.41, 1.41, 1.41], LoudnessChannelMap.FromWavMask(0x63F, 8));
        Assert.Equal([1.0, 1.0, 0.0], LoudnessChannelMap.FromWavMask(0xB, 3));
        Assert.Equal([1.0, 1.0, 1.0], LoudnessChannelMap.FromWavMask(0x3, 3)); // more channels than mask bits
        Assert.Equal([1.0, 1.0, 1.0, 0.0, 1.41, 1.41, 0.0], LoudnessChannelMap.Default(7));
        Assert.Equal([1.0, 1.0, 1.41, 1.41], LoudnessChannelMap.Default(4));
        Assert.Equal([1.0, 1.0, 1.0, 1.41, 1.41], LoudnessChannelMap.Default(5));
        Assert.Equal([1.0], LoudnessChannelMap.Default(1));
    }

    [Fact]
    public void Surround_channels_weigh_1_41_and_the_lfe_is_excluded()
    {
        const int rate = 48000;
        var tone = Signals.Sine(1000, 0.1, rate, rate * 5);
        AudioBuffer Only(int channel)
        {
            var b = new AudioBuffer(rate, 6, tone.Length);
            tone.CopyTo(b.Channels[channel], 0);
            return b;
        }

        var front = LoudnessMeter.Measure(Only(0)).IntegratedLufs;
        Assert.Equal(front + (10 * Math.Log10(1.41)), LoudnessMeter.Measure(Only(4)).IntegratedLufs, 6);
        Assert.True(double.IsNegativeInfinity(LoudnessMeter.Measure(Only(3)).IntegratedLufs));
        Assert.Equal(0.1, LoudnessMeter.Measure(Only(3)).SamplePeak, 4); // excluded from loudness, not from peaks
    }

    [Fact]
    public void Measuring_a_file_uses_its_channel_mask()
    {
        using var dir = new TempDir();
        const int rate = 44100;
        var buffer = new AudioBuffer(rate, 3, rate * 3);
        Signals.Sine(1000, 0.3, rate, rate * 3).CopyTo(buffer.Channels[2], 0);
        var asCenter = dir.File("center.wav");
        var asLfe = dir.File("lfe.wav");
        WavFile.Write(asCenter, buffer, SampleEncoding.Pcm24, channelMask: 0x7);
        WavFile.Write(asLfe, buffer, SampleEncoding.Pcm24, channelMask: 0xB);
        Assert.True(double.IsFinite(LoudnessMeter.MeasureFile(asCenter).IntegratedLufs));
        Assert.True(double.IsNegativeInfinity(LoudnessMeter.MeasureFile(asLfe).IntegratedLufs));
    }

    [Fact]
    public void Broken_files_and_bad_arguments_fail_clearly()
    {
        using var dir = new TempDir();
        var path = dir.File("broken.wav");
        File.WriteAllBytes(path, "RIFF\x10\0\0\0WAVEfmt "u8.ToArray());
        var e = Assert.Throws<AudioFormatException>(() => LoudnessMeter.MeasureFile(path));
        Assert.Contains("broken.wav", e.Message);
        Assert.Throws<ArgumentException>(() => new LoudnessMeter(48000, 2, [1.0]));
        Assert.Throws<ArgumentException>(() => new LoudnessMeter(48000, 1, [-1.0]));
        Assert.Throws<ArgumentException>(() => new LoudnessMeter(48000, 2).Process(new AudioBuffer(44100, 2, 10)));
    }
}
