using DatasetForge.Audio;
using DatasetForge.Dsp;
using DatasetForge.Dsp.Resampling;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Dsp;

public sealed class ResamplerTests
{
    private static readonly double[] AudioBand = [20, 50, 100, 250, 500, 1000, 2000, 4000, 8000, 12000, 15000, 18000];

    public static TheoryData<int, int, double> Conversions()
    {
        var data = new TheoryData<int, int, double>();
        foreach (var (from, to) in new[] { (48000, 44100), (96000, 44100), (44100, 48000), (88200, 44100) })
        {
            foreach (var f in AudioBand)
            {
                data.Add(from, to, f);
            }
        }

        // Upsampling from 22.05 kHz: the band is limited by the input (passband 83% of 11.025 kHz).
        foreach (var f in new double[] { 20, 100, 1000, 4000, 7000, 9000 })
        {
            data.Add(22050, 44100, f);
        }

        // Arbitrary ratios: 32k (L/M = 441/320), 8k (441/80), and a prime-ish one that uses interpolated phases.
        foreach (var f in new double[] { 20, 1000, 10000, 13000 })
        {
            data.Add(32000, 44100, f);
            data.Add(44100, 44101, f);
            data.Add(44100, 37337, f);
        }

        foreach (var f in new double[] { 20, 440, 3000 })
        {
            data.Add(8000, 44100, f);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Sine_matches_the_analytic_sine_at_the_new_rate_within_minus_90_dB(int from, int to, double frequency)
    {
        var seconds = frequency < 100 ? 0.6 : 0.25;
        var input = Signals.Sine(frequency, 0.5, from, (int)(seconds * from), phase: 0.3);
        var output = Resampler.Resample(new AudioBuffer(from, [input]), to).Channels[0];
        Assert.Equal((int)Math.Ceiling((double)input.Length * to / from), output.Length);

        // Away from the edges, where the input's abrupt start and end are still ringing.
        var edge = (int)(0.04 * to);
        var error = 0.0;
        var power = 0.0;
        for (var k = edge; k < output.Length - edge; k++)
        {
            var expected = 0.5 * Math.Sin((2 * Math.PI * frequency * k / to) + 0.3);
            error += (output[k] - expected) * (output[k] - expected);
            power += expected * expected;
        }

        var errorDb = Levels.PowerToDb(error / power);
        Assert.True(errorDb <= -90, $"{from}->{to} Hz at {frequency} Hz: error {errorDb:F1} dB");
    }

    [Theory]
    [InlineData(48000, 44100, 22100)]
    [InlineData(48000, 44100, 22500)]
    [InlineData(48000, 44100, 23000)]
    [InlineData(48000, 44100, 23900)]
    [InlineData(96000, 44100, 22100)]
    [InlineData(96000, 44100, 30000)]
    [InlineData(96000, 44100, 47000)]
    [InlineData(44100, 32000, 16050)]
    [InlineData(44100, 32000, 21000)]
    [InlineData(44100, 37337, 18700)]
    public void Content_above_the_new_nyquist_is_attenuated_at_least_90_dB(int from, int to, double frequency)
    {
        var input = Signals.Sine(frequency, 1.0, from, from / 4);
        var output = Resampler.Resample(new AudioBuffer(from, [input]), to).Channels[0];
        var edge = (int)(0.04 * to);
        var rms = Levels.Rms(output.AsSpan(edge, output.Length - (2 * edge)));
        var attenuationDb = -Levels.AmplitudeToDb(rms / Math.Sqrt(0.5));
        Assert.True(attenuationDb >= 90, $"{from}->{to} Hz at {frequency} Hz: attenuated only {attenuationDb:F1} dB");
    }

    [Fact]
    public void Upsampling_leaves_no_images_above_the_input_band()
    {
        // 22.05 -> 44.1 kHz: a 9 kHz sine must not come with its image at 13.05 kHz.
        var input = Signals.Sine(9000, 1.0, 22050, 22050 / 2);
        var output = Resampler.Resample(new AudioBuffer(22050, [input]), 44100).Channels[0];
        var edge = 2000;
        var image = Goertzel(output.AsSpan(edge, output.Length - (2 * edge)), 13050, 44100);
        var tone = Goertzel(output.AsSpan(edge, output.Length - (2 * edge)), 9000, 44100);
        Assert.True(Levels.AmplitudeToDb(image / tone) <= -90, $"image at {Levels.AmplitudeToDb(image / tone):F1} dB");
    }

    [Theory]
    [InlineData(48000, 44100)]
    [InlineData(22050, 44100)]
    [InlineData(44100, 44101)]
    public void Streaming_in_odd_chunks_gives_exactly_the_whole_buffer_result(int from, int to)
    {
        var left = Signals.Noise(30011, 0.5, 1);
        var right = Signals.Noise(30011, 0.5, 2);
        var whole = Resampler.Resample(new AudioBuffer(from, [left, right]), to);

        var resampler = new Resampler(from, to, 2);
        var random = new Random(7);
        var collected = new[] { new List<float>(), new List<float>() };
        var scratch = new AudioBuffer(to, 2, resampler.MaxOutputFrames(5000));
        for (var start = 0; start < left.Length;)
        {
            var count = Math.Min(random.Next(1, 5000), left.Length - start);
            var n = resampler.Process([left, right], start, count, scratch.Channels, 0);
            for (var c = 0; c < 2; c++)
            {
                collected[c].AddRange(scratch.Channels[c].AsSpan(0, n).ToArray());
            }

            start += count;
        }

        var tail = resampler.Flush(scratch.Channels, 0);
        for (var c = 0; c < 2; c++)
        {
            collected[c].AddRange(scratch.Channels[c].AsSpan(0, tail).ToArray());
            Assert.Equal(whole.Channels[c], collected[c].ToArray());
        }

        Assert.Equal(resampler.TotalOutputFrames(left.Length), resampler.OutputFrames);
    }

    [Fact]
    public void Equal_rates_pass_samples_through_unchanged()
    {
        var input = Signals.Noise(1000, 0.5, 3);
        var output = Resampler.Resample(new AudioBuffer(44100, [input]), 44100);
        Assert.Equal(input, output.Channels[0]);
    }

    [Fact]
    public void Flushed_stream_refuses_more_input_until_reset()
    {
        var resampler = new Resampler(48000, 44100, 1);
        resampler.Flush();
        Assert.Throws<InvalidOperationException>(() => resampler.Process(new AudioBuffer(48000, 1, 10)));
        resampler.Reset();
        Assert.Equal(0, resampler.Process(new AudioBuffer(48000, 1, 10)).Frames);
    }

    [Fact]
    public void Invalid_designs_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(0, 44100, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(48000, 44100, 1, new ResamplerQuality(1.2, 100)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(48000, 44100, 0));
    }

    private static double Goertzel(ReadOnlySpan<float> x, double frequency, int rate)
    {
        double re = 0, im = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var w = 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / (x.Length - 1)));
            re += x[i] * w * Math.Cos(2 * Math.PI * frequency * i / rate);
            im -= x[i] * w * Math.Sin(2 * Math.PI * frequency * i / rate);
        }

        return Math.Sqrt((re * re) + (im * im)) / x.Length;
    }
}
