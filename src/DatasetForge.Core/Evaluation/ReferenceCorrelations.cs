using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
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
    private const int SegmentsPerPass = 8;
    private const int BinsPerBlock = 256;

    /// <returns>R: L blocks of m x m; D: L blocks of m x me (row-major); one pass over the signals.</returns>
    public static (double[] R, double[] D) Compute(float[][] refs, float[][] ests, int length, int filterLength, int parallelism, CancellationToken cancellationToken)
    {
        var m = refs.Length;
        var gPairs = ReferencePairs(m);
        var pairs = gPairs.Concat(CrossPairs(m, ests.Length, m)).ToArray();
        var lags = Correlate(refs, refs.Concat(ests).ToArray(), pairs, length, filterLength, parallelism, cancellationToken);
        return (AssembleR(lags, gPairs, m, filterLength), AssembleD(lags.AsSpan(gPairs.Length), m, ests.Length, filterLength));
    }

    /// <summary>R alone (the system matrix), so that its factorization can start before D is known.</summary>
    public static double[] ComputeReferences(float[][] refs, int length, int filterLength, int parallelism, CancellationToken cancellationToken)
    {
        var gPairs = ReferencePairs(refs.Length);
        return AssembleR(Correlate(refs, refs, gPairs, length, filterLength, parallelism, cancellationToken), gPairs, refs.Length, filterLength);
    }

    /// <summary>D alone (the right-hand sides).</summary>
    public static double[] ComputeCross(float[][] refs, float[][] ests, int length, int filterLength, int parallelism, CancellationToken cancellationToken) =>
        AssembleD(Correlate(refs, ests, CrossPairs(refs.Length, ests.Length, 0).ToArray(), length, filterLength, parallelism, cancellationToken), refs.Length, ests.Length, filterLength);

    private static (int X, int Y)[] ReferencePairs(int m)
    {
        var pairs = new List<(int, int)>();
        for (var p = 0; p < m; p++)
        {
            for (var q = p; q < m; q++)
            {
                pairs.Add((p, q));
            }
        }

        return pairs.ToArray();
    }

    private static IEnumerable<(int X, int Y)> CrossPairs(int m, int me, int yOffset)
    {
        for (var p = 0; p < m; p++)
        {
            for (var e = 0; e < me; e++)
            {
                yield return (p, yOffset + e);
            }
        }
    }

    private static double[] AssembleR(ReadOnlySpan<double[]> lags, (int X, int Y)[] pairs, int m, int l)
    {
        var r = new double[l * m * m];
        for (var i = 0; i < pairs.Length; i++)
        {
            var (p, q) = pairs[i];
            var c = lags[i];

            // c[k + L - 1] holds the correlation at lag k, for k in -(L-1)..(L-1).
            for (var k = 0; k < l; k++)
            {
                r[(k * m * m) + (p * m) + q] = c[k + l - 1];
                r[(k * m * m) + (q * m) + p] = c[l - 1 - k];
            }
        }

        return r;
    }

    private static double[] AssembleD(ReadOnlySpan<double[]> lags, int m, int me, int l)
    {
        var d = new double[l * m * me];
        for (var p = 0; p < m; p++)
        {
            for (var e = 0; e < me; e++)
            {
                var c = lags[(p * me) + e];
                for (var k = 0; k < l; k++)
                {
                    d[(k * m * me) + (p * me) + e] = c[k + l - 1];
                }
            }
        }

        return d;
    }

    /// <summary>For each pair (x, y): sum_t xs[x][t] ys[y][t + k] for k in -(L-1)..(L-1), stored at index k + L - 1.</summary>
    private static double[][] Correlate(float[][] xs, float[][] ys, (int X, int Y)[] pairs, int length, int filterLength, int parallelism, CancellationToken cancellationToken)
    {
        var l = filterLength;
        var fftSize = Math.Min(PreferredFftSize, RealFftDouble.NextPowerOfTwo(length + (2 * (l - 1))));
        while (fftSize - (2 * (l - 1)) < l)
        {
            fftSize *= 2;
        }

        var block = fftSize - (2 * (l - 1));
        var segments = (length + block - 1) / block;
        var fft = new RealFftDouble(fftSize);
        var half = fftSize / 2;
        var nx = xs.Length;
        var ny = ys.Length;
        var pairCount = pairs.Length;
        var workers = Math.Max(1, Math.Min(parallelism, segments));
        var partials = new double[workers][];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, worker =>
        {
            var first = (int)((long)segments * worker / workers);
            var last = (int)((long)segments * (worker + 1) / workers);
            var group = Math.Max(1, Math.Min(SegmentsPerPass, last - first));
            var acc = ArrayPool<double>.Shared.Rent(pairCount * fftSize); // per pair: re (half) then im (half)
            Array.Clear(acc, 0, pairCount * fftSize);
            var xSpec = ArrayPool<double>.Shared.Rent(group * nx * fftSize);
            var ySpec = ArrayPool<double>.Shared.Rent(group * ny * fftSize);
            var scratch = new double[fftSize];
            for (var s0 = first; s0 < last; s0 += group)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(group, last - s0);
                for (var g = 0; g < count; g++)
                {
                    var start = (s0 + g) * block;
                    var len = Math.Min(block, length - start);
                    for (var p = 0; p < nx; p++)
                    {
                        Spectrum(fft, xs[p], start, len, 0, scratch, xSpec.AsSpan(((g * nx) + p) * fftSize, fftSize));
                    }

                    var windowStart = start - (l - 1);
                    var from = Math.Max(0, windowStart);
                    var to = Math.Min(length, windowStart + fftSize);
                    for (var c = 0; c < ny; c++)
                    {
                        Spectrum(fft, ys[c], from, to - from, from - windowStart, scratch, ySpec.AsSpan(((g * ny) + c) * fftSize, fftSize));
                    }
                }

                // Accumulate bin block by bin block so the accumulators of every pair are read and written once per
                // group of segments while the spectra slices stay in cache (memory traffic, not arithmetic, is the cost).
                for (var b0 = 0; b0 < half; b0 += BinsPerBlock)
                {
                    var bins = Math.Min(BinsPerBlock, half - b0);
                    for (var pair = 0; pair < pairCount; pair++)
                    {
                        AccumulateBlock(xSpec, pairs[pair].X, nx, ySpec, pairs[pair].Y, ny, count, acc, pair, fftSize, b0, bins);
                    }
                }
            }

            ArrayPool<double>.Shared.Return(xSpec);
            ArrayPool<double>.Shared.Return(ySpec);
            partials[worker] = acc;
        });

        var total = partials[0];
        for (var w = 1; w < workers; w++)
        {
            var other = partials[w];
            System.Numerics.Tensors.TensorPrimitives.Add(total.AsSpan(0, pairCount * fftSize), other.AsSpan(0, pairCount * fftSize), total.AsSpan(0, pairCount * fftSize));
            ArrayPool<double>.Shared.Return(other);
        }

        var result = new double[pairCount][];
        Parallel.For(0, pairCount, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            () => new double[fftSize],
            (pair, _, lags) =>
            {
                var spec = total.AsSpan(pair * fftSize, fftSize);
                fft.Inverse(spec[..half], spec[half..], lags);
                result[pair] = lags.AsSpan(0, (2 * l) - 1).ToArray();
                return lags;
            },
            _ => { });

        ArrayPool<double>.Shared.Return(total);
        return result;
    }

    /// <summary>Spectrum of signal[from, from + count) placed at <paramref name="offset"/> in an FFT frame of zeros.</summary>
    private static void Spectrum(RealFftDouble fft, float[] signal, int from, int count, int offset, double[] scratch, Span<double> spectrum)
    {
        var size = fft.Size;
        if (offset == 0)
        {
            // Straight from the samples (zero padding is done by the FFT's packing).
            fft.Forward(signal.AsSpan(from, Math.Max(0, count)), spectrum[..(size / 2)], spectrum[(size / 2)..]);
            return;
        }

        Array.Clear(scratch);
        var source = signal.AsSpan(from, Math.Max(0, count));
        for (var i = 0; i < source.Length; i++)
        {
            scratch[offset + i] = source[i];
        }

        fft.Forward(scratch, spectrum[..(size / 2)], spectrum[(size / 2)..]);
    }

    /// <summary>acc[pair] += sum over the group's segments of conj(X_p) Y_q, bins [b0, b0 + bins).</summary>
    private static void AccumulateBlock(double[] xSpec, int p, int xCount, double[] ySpec, int q, int yCount, int segments, double[] acc, int pair, int size, int b0, int bins)
    {
        var half = size / 2;
        var accRe = acc.AsSpan((pair * size) + b0, bins);
        var accIm = acc.AsSpan((pair * size) + half + b0, bins);
        for (var g = 0; g < segments; g++)
        {
            var x = xSpec.AsSpan(((g * xCount) + p) * size, size);
            var y = ySpec.AsSpan(((g * yCount) + q) * size, size);
            var xr = x.Slice(b0, bins);
            var xi = x.Slice(half + b0, bins);
            var yr = y.Slice(b0, bins);
            var yi = y.Slice(half + b0, bins);
            if (b0 == 0)
            {
                // Slot 0 packs the real DC and Nyquist bins: their product is elementwise.
                var dc = accRe[0] + (xr[0] * yr[0]);
                var nyquist = accIm[0] + (xi[0] * yi[0]);
                ConjugateMultiplyAccumulate(xr, xi, yr, yi, accRe, accIm);
                accRe[0] = dc;
                accIm[0] = nyquist;
            }
            else
            {
                ConjugateMultiplyAccumulate(xr, xi, yr, yi, accRe, accIm);
            }
        }
    }

    /// <summary>acc += conj(x) y over planar complex spans.</summary>
    private static void ConjugateMultiplyAccumulate(ReadOnlySpan<double> xr, ReadOnlySpan<double> xi, ReadOnlySpan<double> yr, ReadOnlySpan<double> yi, Span<double> ar, Span<double> ai)
    {
        var n = xr.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vxr = MemoryMarshal.Cast<double, Vector<double>>(xr);
            var vxi = MemoryMarshal.Cast<double, Vector<double>>(xi);
            var vyr = MemoryMarshal.Cast<double, Vector<double>>(yr);
            var vyi = MemoryMarshal.Cast<double, Vector<double>>(yi);
            var var_ = MemoryMarshal.Cast<double, Vector<double>>(ar);
            var vai = MemoryMarshal.Cast<double, Vector<double>>(ai);
            for (var k = 0; k < vxr.Length; k++)
            {
                var_[k] = Vector.FusedMultiplyAdd(vxr[k], vyr[k], Vector.FusedMultiplyAdd(vxi[k], vyi[k], var_[k]));
                vai[k] = Vector.FusedMultiplyAdd(vxr[k], vyi[k], vai[k] - (vxi[k] * vyr[k]));
            }

            i = vxr.Length * Vector<double>.Count;
        }

        for (; i < n; i++)
        {
            ar[i] += (xr[i] * yr[i]) + (xi[i] * yi[i]);
            ai[i] += (xr[i] * yi[i]) - (xi[i] * yr[i]);
        }
    }
}
