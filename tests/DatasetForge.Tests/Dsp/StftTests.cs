using DatasetForge.Dsp;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Dsp;

public sealed class StftTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(1024)]
    public void Complex_fft_matches_a_direct_dft_and_inverts(int n)
    {
        var random = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var (expectedRe, expectedIm) = Dft(re, im);
        var fft = new Fft(n);
        var r = (float[])re.Clone();
        var i = (float[])im.Clone();
        fft.Forward(r, i);
        for (var k = 0; k < n; k++)
        {
            Assert.Equal(expectedRe[k], r[k], 1e-4 * Math.Sqrt(n));
            Assert.Equal(expectedIm[k], i[k], 1e-4 * Math.Sqrt(n));
        }

        fft.Inverse(r, i);
        for (var k = 0; k < n; k++)
        {
            Assert.Equal(re[k], r[k] / n, 1e-5);
            Assert.Equal(im[k], i[k] / n, 1e-5);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    [InlineData(2048)]
    public void Real_fft_matches_a_direct_dft_and_inverts(int n)
    {
        var x = Signals.Noise(n, 1, n);
        var (expectedRe, expectedIm) = Dft(x, new float[n]);
        var fft = new RealFft(n);
        var re = new float[fft.Bins];
        var im = new float[fft.Bins];
        fft.Forward(x, re, im);
        for (var k = 0; k < fft.Bins; k++)
        {
            Assert.Equal(expectedRe[k], re[k], 1e-4 * Math.Sqrt(n));
            Assert.Equal(expectedIm[k], im[k], 1e-4 * Math.Sqrt(n));
        }

        var back = new float[n];
        fft.Inverse(re, im, back);
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(x[i], back[i] / n, 1e-5);
        }
    }

    [Theory]
    [InlineData(2048, 512, 44100)]
    [InlineData(2048, 1024, 44101)]
    [InlineData(4096, 1024, 10007)]
    [InlineData(512, 128, 3000)]
    [InlineData(256, 100, 5001)]
    [InlineData(16, 3, 257)]
    public void Istft_reconstructs_the_signal(int nFft, int hop, int length)
    {
        var x = Signals.Noise(length, 0.9, length);
        var stft = new Stft(nFft, hop);
        var spectrogram = stft.Forward(x);
        Assert.Equal(1 + (length / hop), spectrogram.Frames);
        var y = stft.Inverse(spectrogram, length);
        var maxError = x.Zip(y, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxError < 2e-6, $"max error {maxError}");
    }

    [Fact]
    public void A_sine_on_a_bin_shows_up_at_that_bin_with_the_hann_gain()
    {
        const int n = 1024;
        const int rate = 48000;
        var frequency = 100 * (double)rate / n; // bin 100
        var stft = new Stft(n, 256);
        var spectrogram = stft.Forward(Signals.Sine(frequency, 0.5, rate, rate / 2));
        var frame = spectrogram.Frames / 2;
        var magnitudes = Enumerable.Range(0, stft.Bins).Select(b => spectrogram.Magnitude(frame, b)).ToArray();
        Assert.Equal(100, Array.IndexOf(magnitudes, magnitudes.Max()));
        Assert.Equal(0.5 * n / 4, magnitudes[100], 0.01); // Hann coherent gain 1/2, one-sided amplitude A*N/2
        Assert.Equal(frequency, stft.BinFrequency(100, rate), 6);
    }

    [Fact]
    public void Invalid_sizes_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Stft(1000, 250));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Stft(1024, 513));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Stft(1024, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Fft(12));
    }

    private static (double[] Re, double[] Im) Dft(float[] re, float[] im)
    {
        var n = re.Length;
        var outRe = new double[n];
        var outIm = new double[n];
        for (var k = 0; k < n; k++)
        {
            for (var t = 0; t < n; t++)
            {
                var angle = -2 * Math.PI * ((long)k * t % n) / n;
                outRe[k] += (re[t] * Math.Cos(angle)) - (im[t] * Math.Sin(angle));
                outIm[k] += (re[t] * Math.Sin(angle)) + (im[t] * Math.Cos(angle));
            }
        }

        return (outRe, outIm);
    }
}
