using System.Buffers;
using DatasetForge.Dsp;

namespace DatasetForge.Evaluation;

/// <summary>
/// The inner products BSS Eval needs, for lags 0..L-1: R(k)[p, q] = sum_t u_p[t] u_q[t + k] between all reference
/// channels (both signs of k, so R(-k) = R(k)^T is implied) and D(k)[p, e] = sum_t u_p[t] y_e[t + k] between
/// reference and estimate channels. Exact (zero-padded, non-circular) correlations computed blockwise: each block
/// of B samples of u is correlated, in the frequency domain, with the block of y extended by L-1 samples on each
/// side (FFT size M = B + 2(L-1)), and the spectra are summed before a single inverse FFT per pair.
/// </summary>
internal static class ReferenceCorrelations
{
    private const int PreferredFftSize = 8192;

    /// <returns>R: L blocks of m x m; D: L blocks of m x me (row-major).</returns>
    public static (double[] R, double[] D) Compute(float[][] refs, float[][] ests, int length, int filterLength, int parallelism, CancellationToken cancellationToken)
    {
        var m = refs.Length;
        var me = ests.Length;
        var l = filterLength;
        var fftSize = Math.Min(PreferredFftSize, RealFft.NextPowerOfTwo(length + (2 * (l - 1))));
        while (fftSize - (2 * (l - 1)) < l)
        {
            fftSize *= 2;
        }

        var block = fftSize - (2 * (l - 1));
        var segments = (length + block - 1) / block;
        var fft = new RealFft(fftSize);
        var half = fftSize / 2;

        var gPairs = new List<(int P, int Q)>();
        for (var p = 0; p < m; p++)
        {
            for (var q = p; q < m; q++)
            {
                gPairs.Add((p, q));
            }
        }

        var pairCount = gPairs.Count + (m * me);
        var workers = Math.Max(1, Math.Min(parallelism, segments));
        var partials = new double[workers][];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, worker =>
        {
            var acc = ArrayPool<double>.Shared.Rent(pairCount * fftSize); // per pair: re (half) then im (half)
            Array.Clear(acc, 0, pairCount * fftSize);
            var xSpec = new double[m * fftSize];
            var ySpec = new double[(m + me) * fftSize];
            var scratch = new double[fftSize];
            var first = (int)((long)segments * worker / workers);
            var last = (int)((long)segments * (worker + 1) / workers);
            for (var s = first; s < last; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = s * block;
                var count = Math.Min(block, length - start);
                for (var p = 0; p < m; p++)
                {
                    Spectrum(fft, refs[p], start, count, 0, scratch, xSpec.AsSpan(p * fftSize, fftSize));
                }

                var windowStart = start - (l - 1);
                for (var c = 0; c < m + me; c++)
                {
                    var signal = c < m ? refs[c] : ests[c - m];
                    var from = Math.Max(0, windowStart);
                    var to = Math.Min(length, windowStart + fftSize);
                    Spectrum(fft, signal, from, to - from, from - windowStart, scratch, ySpec.AsSpan(c * fftSize, fftSize));
                }

                var pair = 0;
                foreach (var (p, q) in gPairs)
                {
                    Accumulate(xSpec, p, ySpec, q, acc, pair++, half);
                }

                for (var p = 0; p < m; p++)
                {
                    for (var e = 0; e < me; e++)
                    {
                        Accumulate(xSpec, p, ySpec, m + e, acc, pair++, half);
                    }
                }
            }

            partials[worker] = acc;
        });

        var total = partials[0];
        for (var w = 1; w < workers; w++)
        {
            var other = partials[w];
            System.Numerics.Tensors.TensorPrimitives.Add(total.AsSpan(0, pairCount * fftSize), other.AsSpan(0, pairCount * fftSize), total.AsSpan(0, pairCount * fftSize));
            ArrayPool<double>.Shared.Return(other);
        }

        var r = new double[l * m * m];
        var d = new double[l * m * me];
        Parallel.For(0, pairCount, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            () => new double[fftSize],
            (pair, _, lags) =>
            {
                var spec = total.AsSpan(pair * fftSize, fftSize);
                fft.Inverse(spec[..half], spec[half..], lags);

                // lags[k + L - 1] holds the correlation at lag k, for k in -(L-1)..(L-1).
                if (pair < gPairs.Count)
                {
                    var (p, q) = gPairs[pair];
                    for (var k = 0; k < l; k++)
                    {
                        r[(k * m * m) + (p * m) + q] = lags[k + l - 1];
                        r[(k * m * m) + (q * m) + p] = lags[l - 1 - k];
                    }
                }
                else
                {
                    var index = pair - gPairs.Count;
                    var p = index / me;
                    var e = index % me;
                    for (var k = 0; k < l; k++)
                    {
                        d[(k * m * me) + (p * me) + e] = lags[k + l - 1];
                    }
                }

                return lags;
            },
            _ => { });

        ArrayPool<double>.Shared.Return(total);
        return (r, d);
    }

    private static void Spectrum(RealFft fft, float[] signal, int from, int count, int offset, double[] scratch, Span<double> spectrum)
    {
        var size = fft.Size;
        Array.Clear(scratch);
        var source = signal.AsSpan(from, Math.Max(0, count));
        for (var i = 0; i < source.Length; i++)
        {
            scratch[offset + i] = source[i];
        }

        fft.Forward(scratch, spectrum[..(size / 2)], spectrum[(size / 2)..]);
    }

    private static void Accumulate(double[] xSpec, int p, double[] ySpec, int q, double[] acc, int pair, int half)
    {
        var size = 2 * half;
        var x = xSpec.AsSpan(p * size, size);
        var y = ySpec.AsSpan(q * size, size);
        var a = acc.AsSpan(pair * size, size);
        RealFft.MultiplyAccumulate(x[..half], x[half..], y[..half], y[half..], a[..half], a[half..], conjugateA: true);
    }
}
