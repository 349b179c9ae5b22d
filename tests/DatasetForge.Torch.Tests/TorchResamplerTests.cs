using DatasetForge.Audio;
using DatasetForge.Dsp.Resampling;
using DatasetForge.Torch.Dsp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Tests;

[Collection("torch")]
public sealed class TorchResamplerTests
{
    [Theory]
    [InlineData(44100, 16000, 1000.0)]
    [InlineData(8000, 16000, 440.0)]
    [InlineData(48000, 44100, 5000.0)]
    public void A_sine_comes_out_as_the_same_sine_at_the_new_rate(int from, int to, double hz)
    {
        using var scope = NewDisposeScope();
        using var resampler = new TorchResampler();
        var n = from / 2;
        var x = Enumerable.Range(0, n).Select(i => (float)Math.Sin(2 * Math.PI * hz * i / from)).ToArray();
        var y = resampler.Resample(tensor(x).view(1, n), from, to).data<float>().ToArray();
        Assert.Equal(TorchResampler.OutputLength(n, from, to), y.Length);
        Assert.Equal((long)Math.Ceiling((double)n * to / from), y.Length);
        // Away from the edges every output sample is the sine at its time n / to (filter ripple and stopband tiny).
        var worst = 0.0;
        for (var i = to / 50; i < y.Length - (to / 50); i++)
        {
            worst = Math.Max(worst, Math.Abs(y[i] - Math.Sin(2 * Math.PI * hz * i / to)));
        }

        Assert.True(worst < 2e-3, $"max error {worst}");
    }

    [Fact]
    public void It_agrees_with_the_core_resampler_and_keeps_leading_dimensions()
    {
        using var scope = NewDisposeScope();
        using var resampler = new TorchResampler();
        var rng = new Random(3);
        var n = 8000;
        // band-limited noise: a sum of random sines below 3 kHz
        var signal = new float[2][];
        for (var c = 0; c < 2; c++)
        {
            var freqs = Enumerable.Range(0, 12).Select(_ => 50 + (rng.NextDouble() * 2900)).ToArray();
            signal[c] = Enumerable.Range(0, n).Select(i => (float)(freqs.Sum(f => Math.Sin(2 * Math.PI * f * i / 44100.0)) / 12)).ToArray();
        }

        var core = Resampler.Resample(new AudioBuffer(44100, signal), 16000, ResamplerQuality.High);
        var ours = resampler.Resample(tensor(signal.SelectMany(s => s).ToArray()).view(1, 2, n), 44100, 16000);
        Assert.Equal([1L, 2, TorchResampler.OutputLength(n, 44100, 16000)], ours.shape);
        var values = ours.data<float>().ToArray();
        var length = (int)ours.shape[2];
        var worst = 0.0;
        for (var c = 0; c < 2; c++)
        {
            for (var i = 400; i < Math.Min(length, core.Frames) - 400; i++)
            {
                worst = Math.Max(worst, Math.Abs(values[(c * length) + i] - core.Channels[c][i]));
            }
        }

        Assert.True(worst < 5e-3, $"max difference to the core resampler {worst}");
    }
}
