using DatasetForge.Dsp;

namespace DatasetForge.Evaluation;

/// <summary>Energies of one source's decomposition in one frame (sums over channels and samples).</summary>
internal readonly record struct FrameEnergies(
    double Target,
    double Distortion,
    double Spatial,
    double OwnProjection,
    double Interference,
    double AllProjection,
    double Artifacts);

/// <summary>
/// Applies the fitted distortion filters to one frame's reference samples (as museval does: the frame is cut out
/// first, so nothing before it leaks in and the filter tail of L-1 samples after it counts) and sums the energies of
/// the decomposition. The frame-local convolutions are FFT overlap-add over sub-blocks of the frame.
/// </summary>
internal sealed class FrameProjector
{
    private readonly float[][][] refs;
    private readonly float[][][] ests;
    private readonly int nsrc;
    private readonly int nchan;
    private readonly int m;
    private readonly int l;
    private readonly int window;
    private readonly RealFftDouble fft;
    private readonly int block;

    // Filter spectra: all[j][p * nchan + c], own[j][ci * nchan + c]; each re then im (fft.Size doubles).
    private readonly double[][][] allSpectra;
    private readonly double[][][] ownSpectra;

    public FrameProjector(IReadOnlyList<float[][]> references, float[][][] estimates, double[] allFilters, double[][] ownFilters, int filterLength, int window)
    {
        refs = references.ToArray();
        ests = estimates;
        nsrc = refs.Length;
        nchan = refs[0].Length;
        m = nsrc * nchan;
        l = filterLength;
        this.window = window;

        var size = ChooseFftSize(window, l);
        fft = new RealFftDouble(size);
        block = size - l + 1;
        var me = m; // estimate channels: one estimate per reference, same channel count
        var taps = new double[l];
        allSpectra = new double[nsrc][][];
        ownSpectra = new double[nsrc][][];
        for (var j = 0; j < nsrc; j++)
        {
            allSpectra[j] = new double[m * nchan][];
            for (var p = 0; p < m; p++)
            {
                for (var c = 0; c < nchan; c++)
                {
                    var e = (j * nchan) + c;
                    for (var a = 0; a < l; a++)
                    {
                        taps[a] = allFilters[(a * m * me) + (p * me) + e];
                    }

                    allSpectra[j][(p * nchan) + c] = Spectrum(taps);
                }
            }

            ownSpectra[j] = new double[nchan * nchan][];
            for (var ci = 0; ci < nchan; ci++)
            {
                for (var c = 0; c < nchan; c++)
                {
                    for (var a = 0; a < l; a++)
                    {
                        taps[a] = ownFilters[j][(a * nchan * nchan) + (ci * nchan) + c];
                    }

                    ownSpectra[j][(ci * nchan) + c] = Spectrum(taps);
                }
            }
        }
    }

    /// <summary>Per-thread buffers.</summary>
    public Workspace CreateWorkspace() => new(fft.Size, m, nsrc, nchan, window + l - 1);

    /// <summary>Energies for every source in frame [start, start + count).</summary>
    public FrameEnergies[] Project(Workspace ws, int start, int count)
    {
        var outLength = count + l - 1;
        var size = fft.Size;
        var half = size / 2;
        foreach (var buffer in ws.All.Concat(ws.Own))
        {
            Array.Clear(buffer, 0, outLength);
        }

        for (var off = 0; off < count; off += block)
        {
            var len = Math.Min(block, count - off);
            for (var p = 0; p < m; p++)
            {
                var spec = ws.RefSpectra[p];
                fft.Forward(refs[p / nchan][p % nchan].AsSpan(start + off, len), spec.AsSpan(0, half), spec.AsSpan(half, half));
            }

            var produced = Math.Min(size, len + l - 1);
            for (var j = 0; j < nsrc; j++)
            {
                for (var c = 0; c < nchan; c++)
                {
                    Array.Clear(ws.Accumulator);
                    for (var p = 0; p < m; p++)
                    {
                        MultiplyAccumulate(ws.RefSpectra[p], allSpectra[j][(p * nchan) + c], ws.Accumulator, half);
                    }

                    AddInverse(ws, ws.All[(j * nchan) + c], off, produced);

                    Array.Clear(ws.Accumulator);
                    for (var ci = 0; ci < nchan; ci++)
                    {
                        MultiplyAccumulate(ws.RefSpectra[(j * nchan) + ci], ownSpectra[j][(ci * nchan) + c], ws.Accumulator, half);
                    }

                    AddInverse(ws, ws.Own[(j * nchan) + c], off, produced);
                }
            }
        }

        var result = new FrameEnergies[nsrc];
        for (var j = 0; j < nsrc; j++)
        {
            double target = 0, distortion = 0, spatial = 0, own = 0, interference = 0, all = 0, artifacts = 0;
            for (var c = 0; c < nchan; c++)
            {
                var s = refs[j][c].AsSpan(start, count);
                var e = ests[j][c].AsSpan(start, count);
                var pj = ws.Own[(j * nchan) + c];
                var pa = ws.All[(j * nchan) + c];
                for (var n = 0; n < count; n++)
                {
                    double sv = s[n], ev = e[n], pjv = pj[n], pav = pa[n];
                    target += sv * sv;
                    distortion += (ev - sv) * (ev - sv);
                    spatial += (pjv - sv) * (pjv - sv);
                    own += pjv * pjv;
                    interference += (pav - pjv) * (pav - pjv);
                    all += pav * pav;
                    artifacts += (ev - pav) * (ev - pav);
                }

                for (var n = count; n < outLength; n++)
                {
                    double pjv = pj[n], pav = pa[n];
                    spatial += pjv * pjv;
                    own += pjv * pjv;
                    interference += (pav - pjv) * (pav - pjv);
                    all += pav * pav;
                    artifacts += pav * pav;
                }
            }

            result[j] = new FrameEnergies(target, distortion, spatial, own, interference, all, artifacts);
        }

        return result;
    }

    /// <summary>FFT size minimizing the overlap-add work for one frame: blocks * size * log(size).</summary>
    internal static int ChooseFftSize(int frameLength, int filterLength)
    {
        var best = 0;
        var bestCost = double.MaxValue;
        var max = RealFftDouble.NextPowerOfTwo(frameLength + filterLength - 1);
        for (var size = RealFftDouble.NextPowerOfTwo(2 * filterLength); size <= max; size *= 2)
        {
            var blocks = Math.Ceiling((double)frameLength / (size - filterLength + 1));
            var cost = blocks * size * Math.Log2(size);
            if (cost < bestCost * 0.999)
            {
                best = size;
                bestCost = cost;
            }
        }

        return best == 0 ? max : best;
    }

    private static void MultiplyAccumulate(double[] a, double[] b, double[] acc, int half) =>
        RealFftDouble.MultiplyAccumulate(a.AsSpan(0, half), a.AsSpan(half, half), b.AsSpan(0, half), b.AsSpan(half, half),
            acc.AsSpan(0, half), acc.AsSpan(half, half), conjugateA: false);

    private void AddInverse(Workspace ws, double[] target, int offset, int produced)
    {
        var half = fft.Size / 2;
        fft.Inverse(ws.Accumulator.AsSpan(0, half), ws.Accumulator.AsSpan(half, half), ws.Time);
        var dst = target.AsSpan(offset, produced);
        var src = ws.Time.AsSpan(0, produced);
        for (var i = 0; i < produced; i++)
        {
            dst[i] += src[i];
        }
    }

    private double[] Spectrum(double[] taps)
    {
        var half = fft.Size / 2;
        var spec = new double[fft.Size];
        fft.Forward(taps, spec.AsSpan(0, half), spec.AsSpan(half, half));
        return spec;
    }

    internal sealed class Workspace
    {
        public Workspace(int fftSize, int m, int nsrc, int nchan, int outLength)
        {
            RefSpectra = Enumerable.Range(0, m).Select(_ => new double[fftSize]).ToArray();
            Accumulator = new double[fftSize];
            Time = new double[fftSize];

            // Room for the last block's full FFT output past the frame end.
            var capacity = outLength + fftSize;
            All = Enumerable.Range(0, nsrc * nchan).Select(_ => new double[capacity]).ToArray();
            Own = Enumerable.Range(0, nsrc * nchan).Select(_ => new double[capacity]).ToArray();
        }

        public double[][] RefSpectra { get; }

        public double[] Accumulator { get; }

        public double[] Time { get; }

        public double[][] All { get; }

        public double[][] Own { get; }
    }
}
