using System.Numerics;
using DatasetForge.Dsp;
using MathNet.Numerics.IntegralTransforms;

namespace DatasetForge.Tests.Dsp;

public class RealFftTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(1024)]
    [InlineData(8192)]
    public void ForwardMatchesMathNetDft(int size)
    {
        var random = new Random(size);
        var length = size - 3; // zero padding included
        var x = Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var fft = new RealFftDouble(size);
        var re = new double[size / 2];
        var im = new double[size / 2];
        fft.Forward(x, re, im);

        var reference = new Complex[size];
        for (var i = 0; i < length; i++)
        {
            reference[i] = x[i];
        }

        Fourier.Forward(reference, FourierOptions.Matlab);
        var tolerance = 1e-12 * size;
        for (var p = 0; p < size / 2; p++)
        {
            var k = fft.BinAt(p);
            if (p == 0)
            {
                Assert.Equal(0, k);
                Assert.Equal(reference[0].Real, re[0], tolerance);
                Assert.Equal(reference[size / 2].Real, im[0], tolerance);
                continue;
            }

            Assert.Equal(reference[k].Real, re[p], tolerance);
            Assert.Equal(reference[k].Imaginary, im[p], tolerance);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    [InlineData(4096)]
    public void InverseRoundTrips(int size)
    {
        var random = new Random(7);
        var x = Enumerable.Range(0, size).Select(_ => random.NextDouble() - 0.5).ToArray();
        var fft = new RealFftDouble(size);
        var re = new double[size / 2];
        var im = new double[size / 2];
        fft.Forward(x, re, im);
        var back = new double[size];
        fft.Inverse(re, im, back);
        for (var i = 0; i < size; i++)
        {
            Assert.Equal(x[i], back[i], 1e-13);
        }
    }

    [Fact]
    public void ConjugateProductGivesCrossCorrelationAndPlainProductGivesConvolution()
    {
        const int size = 256;
        var random = new Random(3);
        var a = Enumerable.Range(0, 100).Select(_ => random.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, 120).Select(_ => random.NextDouble() - 0.5).ToArray();
        var fft = new RealFftDouble(size);
        double[] Spec(double[] v, out double[] imag)
        {
            var r = new double[size / 2];
            imag = new double[size / 2];
            fft.Forward(v, r, imag);
            return r;
        }

        var aRe = Spec(a, out var aIm);
        var bRe = Spec(b, out var bIm);
        var accRe = new double[size / 2];
        var accIm = new double[size / 2];
        RealFftDouble.MultiplyAccumulate(aRe, aIm, bRe, bIm, accRe, accIm, conjugateA: true);
        var corr = new double[size];
        fft.Inverse(accRe, accIm, corr);
        for (var k = 0; k < 40; k++)
        {
            var expected = 0.0;
            for (var n = 0; n < a.Length; n++)
            {
                if (n + k < b.Length)
                {
                    expected += a[n] * b[n + k];
                }
            }

            Assert.Equal(expected, corr[k], 1e-12);
        }

        Array.Clear(accRe);
        Array.Clear(accIm);
        RealFftDouble.MultiplyAccumulate(aRe, aIm, bRe, bIm, accRe, accIm, conjugateA: false);
        var conv = new double[size];
        fft.Inverse(accRe, accIm, conv);
        for (var k = 0; k < a.Length + b.Length - 1; k++)
        {
            var expected = 0.0;
            for (var n = 0; n < a.Length; n++)
            {
                if (k - n >= 0 && k - n < b.Length)
                {
                    expected += a[n] * b[k - n];
                }
            }

            Assert.Equal(expected, conv[k], 1e-12);
        }
    }
}
