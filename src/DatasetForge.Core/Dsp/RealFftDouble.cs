using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DatasetForge.Dsp;

/// <summary>
/// Real-input FFT of a power-of-two size for fast convolution and correlation. The half spectrum (N/2 complex
/// bins plus the Nyquist bin) is kept planar (<c>re</c>, <c>im</c>, each N/2 long) in bit-reversed bin order,
/// because between <see cref="Forward"/> and <see cref="Inverse"/> only pointwise products happen and skipping the
/// reordering saves a pass. Position 0 packs the two real bins: <c>re[0]</c> is DC, <c>im[0]</c> is Nyquist;
/// use <see cref="MultiplyAccumulate"/> for products so that slot is treated right. <see cref="BinAt"/> gives the bin
/// index held at a position. Hand-written because MathNet's managed FFT measured ~10x slower on this machine;
/// tests check it against MathNet's. Instances hold only read-only tables and are safe to share between threads.
/// </summary>
public sealed class RealFftDouble
{
    private readonly int half;
    private readonly int[] bin;
    private readonly double[] postRe;
    private readonly double[] postIm;

    // Radix-4 passes: span s (quarter of the group), twiddles W^j, W^2j, W^3j (W = exp(-2 pi i / 4s)) for j < s,
    // stored for each pass at its offset. A leading radix-2 pass handles an odd power of two.
    private readonly bool leadingRadix2;
    private readonly int[] passSpans;
    private readonly int[] passOffsets;
    private readonly double[] w1Re;
    private readonly double[] w1Im;
    private readonly double[] w2Re;
    private readonly double[] w2Im;
    private readonly double[] w3Re;
    private readonly double[] w3Im;
    private readonly double[] radix2Re;
    private readonly double[] radix2Im;

    public RealFftDouble(int size)
    {
        if (size < 4 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be a power of two >= 4.");
        }

        Size = size;
        half = size / 2;
        var n = half;

        var log2 = BitOperations.Log2((uint)n);
        leadingRadix2 = (log2 & 1) == 1;
        radix2Re = new double[Math.Max(1, n / 2)];
        radix2Im = new double[Math.Max(1, n / 2)];
        if (leadingRadix2)
        {
            for (var j = 0; j < n / 2; j++)
            {
                radix2Re[j] = Math.Cos(-2 * Math.PI * j / n);
                radix2Im[j] = Math.Sin(-2 * Math.PI * j / n);
            }
        }

        var spans = new List<int>();
        for (var span = (leadingRadix2 ? n / 2 : n) / 4; span >= 1; span /= 4)
        {
            spans.Add(span);
        }

        passSpans = spans.ToArray();
        passOffsets = new int[passSpans.Length];
        var total = passSpans.Sum();
        w1Re = new double[Math.Max(1, total)];
        w1Im = new double[Math.Max(1, total)];
        w2Re = new double[Math.Max(1, total)];
        w2Im = new double[Math.Max(1, total)];
        w3Re = new double[Math.Max(1, total)];
        w3Im = new double[Math.Max(1, total)];
        var offset = 0;
        for (var pass = 0; pass < passSpans.Length; pass++)
        {
            var span = passSpans[pass];
            passOffsets[pass] = offset;
            for (var j = 0; j < span; j++)
            {
                var angle = -2 * Math.PI * j / (4 * span);
                w1Re[offset + j] = Math.Cos(angle);
                w1Im[offset + j] = Math.Sin(angle);
                w2Re[offset + j] = Math.Cos(2 * angle);
                w2Im[offset + j] = Math.Sin(2 * angle);
                w3Re[offset + j] = Math.Cos(3 * angle);
                w3Im[offset + j] = Math.Sin(3 * angle);
            }

            offset += span;
        }

        var bits = log2;
        bin = new int[n];
        for (var p = 0; p < n; p++)
        {
            bin[p] = bits == 0 ? 0 : (int)(ReverseBits((uint)p) >> (32 - bits));
        }

        postRe = new double[n];
        postIm = new double[n];
        for (var p = 0; p < n; p++)
        {
            var k = bin[p];
            var angle = -2 * Math.PI * k / size;
            postRe[p] = Math.Cos(angle);
            postIm[p] = Math.Sin(angle);
        }
    }

    /// <summary>Transform length N (real samples).</summary>
    public int Size { get; }

    /// <summary>Length of the planar spectrum arrays (N/2).</summary>
    public int SpectrumLength => half;

    /// <summary>Smallest power of two >= <paramref name="n"/> (and >= 4).</summary>
    public static int NextPowerOfTwo(int n) => (int)Math.Max(4, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, n)));

    /// <summary>The DFT bin index stored at spectrum position <paramref name="position"/> (0 holds DC and Nyquist).</summary>
    public int BinAt(int position) => bin[position];

    /// <summary>Spectrum of <paramref name="input"/> zero-padded to N (input may be shorter than N).</summary>
    public void Forward(ReadOnlySpan<double> input, Span<double> re, Span<double> im)
    {
        if (input.Length > Size)
        {
            throw new ArgumentException($"Input of {input.Length} samples is longer than the FFT size {Size}.", nameof(input));
        }

        CheckSpectrum(re, im);
        var n = half;
        var pairs = input.Length / 2;
        for (var j = 0; j < pairs; j++)
        {
            re[j] = input[2 * j];
            im[j] = input[(2 * j) + 1];
        }

        var filled = pairs;
        if ((input.Length & 1) == 1)
        {
            re[pairs] = input[^1];
            im[pairs] = 0;
            filled++;
        }

        re[filled..n].Clear();
        im[filled..n].Clear();
        ComplexDif(re, im);
        PostProcessForward(re, im);
    }

    /// <summary>Forward transform of single-precision samples (converted to double), zero-padded to N.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<double> re, Span<double> im)
    {
        if (input.Length > Size)
        {
            throw new ArgumentException($"Input of {input.Length} samples is longer than the FFT size {Size}.", nameof(input));
        }

        CheckSpectrum(re, im);
        var n = half;
        var pairs = input.Length / 2;
        for (var j = 0; j < pairs; j++)
        {
            re[j] = input[2 * j];
            im[j] = input[(2 * j) + 1];
        }

        var filled = pairs;
        if ((input.Length & 1) == 1)
        {
            re[pairs] = input[^1];
            im[pairs] = 0;
            filled++;
        }

        re[filled..n].Clear();
        im[filled..n].Clear();
        ComplexDif(re, im);
        PostProcessForward(re, im);
    }

    /// <summary>
    /// Inverse transform (scaled by 1/N, so Inverse(Forward(x)) == x); writes the first <c>output.Length</c> samples
    /// (at most N). Overwrites <paramref name="re"/> and <paramref name="im"/>.
    /// </summary>
    public void Inverse(Span<double> re, Span<double> im, Span<double> output)
    {
        if (output.Length > Size)
        {
            throw new ArgumentException($"Output of {output.Length} samples is longer than the FFT size {Size}.", nameof(output));
        }

        CheckSpectrum(re, im);
        PreProcessInverse(re, im);
        ComplexDit(re, im);
        var scale = 1.0 / half;
        var pairs = output.Length / 2;
        for (var j = 0; j < pairs; j++)
        {
            output[2 * j] = re[j] * scale;
            output[(2 * j) + 1] = im[j] * scale;
        }

        if ((output.Length & 1) == 1)
        {
            output[^1] = re[pairs] * scale;
        }
    }

    /// <summary>
    /// acc += a * b (or conj(a) * b when <paramref name="conjugateA"/>), bin by bin, for spectra from
    /// <see cref="Forward"/>. With conj, the inverse of the sum is the circular cross-correlation
    /// r[k] = sum_n a[n] b[n+k]; without, the circular convolution.
    /// </summary>
    public static void MultiplyAccumulate(
        ReadOnlySpan<double> aRe, ReadOnlySpan<double> aIm, ReadOnlySpan<double> bRe, ReadOnlySpan<double> bIm,
        Span<double> accRe, Span<double> accIm, bool conjugateA)
    {
        var n = aRe.Length;
        if (aIm.Length != n || bRe.Length != n || bIm.Length != n || accRe.Length != n || accIm.Length != n)
        {
            throw new ArgumentException("All spectra must have the same length.");
        }

        // Slot 0 holds two real bins (DC, Nyquist): product is elementwise there.
        var dc = accRe[0] + (aRe[0] * bRe[0]);
        var nyquist = accIm[0] + (aIm[0] * bIm[0]);
        var sign = conjugateA ? -1.0 : 1.0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var w = Vector<double>.Count;
            var vSign = new Vector<double>(sign);
            ref var ar = ref MemoryMarshal.GetReference(aRe);
            ref var ai = ref MemoryMarshal.GetReference(aIm);
            ref var br = ref MemoryMarshal.GetReference(bRe);
            ref var bi = ref MemoryMarshal.GetReference(bIm);
            ref var cr = ref MemoryMarshal.GetReference(accRe);
            ref var ci = ref MemoryMarshal.GetReference(accIm);
            for (; i <= n - w; i += w)
            {
                var xr = LoadVector(ref ar, i);
                var xi = LoadVector(ref ai, i) * vSign;
                var yr = LoadVector(ref br, i);
                var yi = LoadVector(ref bi, i);
                StoreVector(LoadVector(ref cr, i) + (xr * yr) - (xi * yi), ref cr, i);
                StoreVector(LoadVector(ref ci, i) + (xr * yi) + (xi * yr), ref ci, i);
            }
        }

        for (; i < n; i++)
        {
            var xr = aRe[i];
            var xi = aIm[i] * sign;
            accRe[i] += (xr * bRe[i]) - (xi * bIm[i]);
            accIm[i] += (xr * bIm[i]) + (xi * bRe[i]);
        }

        accRe[0] = dc;
        accIm[0] = nyquist;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> LoadVector(ref double origin, int index) =>
        Unsafe.ReadUnaligned<Vector<double>>(ref Unsafe.As<double, byte>(ref Unsafe.Add(ref origin, index)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreVector(Vector<double> value, ref double origin, int index) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<double, byte>(ref Unsafe.Add(ref origin, index)), value);

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }

    private void CheckSpectrum(Span<double> re, Span<double> im)
    {
        if (re.Length != half || im.Length != half)
        {
            throw new ArgumentException($"Spectrum arrays must be {half} long (FFT size {Size}); got {re.Length} and {im.Length}.");
        }
    }

    /// <summary>Decimation in frequency (radix 4, one radix-2 pass first for odd powers of two): natural order in, bit-reversed order out, unscaled.</summary>
    private void ComplexDif(Span<double> re, Span<double> im)
    {
        var n = half;
        if (n == 1)
        {
            return;
        }

        if (leadingRadix2)
        {
            Radix2Dif(re, im, n / 2);
        }

        for (var pass = 0; pass < passSpans.Length; pass++)
        {
            var span = passSpans[pass];
            if (span == 1)
            {
                Radix4DifLast(re, im);
            }
            else
            {
                Radix4Dif(re, im, span, passOffsets[pass]);
            }
        }
    }

    /// <summary>Decimation in time with conjugate twiddles, the exact reverse of <see cref="ComplexDif"/>: bit-reversed in, natural out, unscaled (x n).</summary>
    private void ComplexDit(Span<double> re, Span<double> im)
    {
        var n = half;
        if (n == 1)
        {
            return;
        }

        for (var pass = passSpans.Length - 1; pass >= 0; pass--)
        {
            var span = passSpans[pass];
            if (span == 1)
            {
                Radix4DitFirst(re, im);
            }
            else
            {
                Radix4Dit(re, im, span, passOffsets[pass]);
            }
        }

        if (leadingRadix2)
        {
            Radix2Dit(re, im, n / 2);
        }
    }

    private void Radix2Dif(Span<double> re, Span<double> im, int span)
    {
        for (var j = 0; j < span; j++)
        {
            var b = j + span;
            double ar = re[j], ai = im[j], br = re[b], bi = im[b];
            double cr = radix2Re[j], ci = radix2Im[j];
            re[j] = ar + br;
            im[j] = ai + bi;
            var dr = ar - br;
            var di = ai - bi;
            re[b] = (dr * cr) - (di * ci);
            im[b] = (dr * ci) + (di * cr);
        }
    }

    private void Radix2Dit(Span<double> re, Span<double> im, int span)
    {
        for (var j = 0; j < span; j++)
        {
            var b = j + span;
            double cr = radix2Re[j], ci = radix2Im[j];
            double xr = re[b], xi = im[b];
            var br = (xr * cr) + (xi * ci);
            var bi = (xi * cr) - (xr * ci);
            double ar = re[j], ai = im[j];
            re[j] = ar + br;
            im[j] = ai + bi;
            re[b] = ar - br;
            im[b] = ai - bi;
        }
    }

    /// <summary>
    /// One radix-4 DIF pass (two radix-2 stages of spans 2s and s): for x0..x3 at j, j+s, j+2s, j+3s,
    /// out = (x0+x2)+(x1+x3), ((x0+x2)-(x1+x3)) W^2j, ((x0-x2)-i(x1-x3)) W^j, ((x0-x2)+i(x1-x3)) W^3j.
    /// </summary>
    private void Radix4Dif(Span<double> re, Span<double> im, int span, int offset)
    {
        var n = half;
        var vw = Vector<double>.Count;
        ref var r0 = ref MemoryMarshal.GetReference(re);
        ref var i0 = ref MemoryMarshal.GetReference(im);
        ref var w1r = ref w1Re[offset];
        ref var w1i = ref w1Im[offset];
        ref var w2r = ref w2Re[offset];
        ref var w2i = ref w2Im[offset];
        ref var w3r = ref w3Re[offset];
        ref var w3i = ref w3Im[offset];
        if (Vector.IsHardwareAccelerated && span >= vw)
        {
            for (var start = 0; start < n; start += 4 * span)
            {
                for (var j = 0; j < span; j += vw)
                {
                    var a0 = start + j;
                    var a1 = a0 + span;
                    var a2 = a1 + span;
                    var a3 = a2 + span;
                    var x0r = LoadVector(ref r0, a0);
                    var x0i = LoadVector(ref i0, a0);
                    var x1r = LoadVector(ref r0, a1);
                    var x1i = LoadVector(ref i0, a1);
                    var x2r = LoadVector(ref r0, a2);
                    var x2i = LoadVector(ref i0, a2);
                    var x3r = LoadVector(ref r0, a3);
                    var x3i = LoadVector(ref i0, a3);
                    var t0r = x0r + x2r;
                    var t0i = x0i + x2i;
                    var t1r = x0r - x2r;
                    var t1i = x0i - x2i;
                    var t2r = x1r + x3r;
                    var t2i = x1i + x3i;
                    var t3r = x1r - x3r;
                    var t3i = x1i - x3i;
                    StoreVector(t0r + t2r, ref r0, a0);
                    StoreVector(t0i + t2i, ref i0, a0);
                    var sr = t0r - t2r;
                    var si = t0i - t2i;
                    var cr = LoadVector(ref w2r, j);
                    var ci = LoadVector(ref w2i, j);
                    StoreVector((sr * cr) - (si * ci), ref r0, a1);
                    StoreVector((sr * ci) + (si * cr), ref i0, a1);
                    var ur = t1r + t3i;
                    var ui = t1i - t3r;
                    cr = LoadVector(ref w1r, j);
                    ci = LoadVector(ref w1i, j);
                    StoreVector((ur * cr) - (ui * ci), ref r0, a2);
                    StoreVector((ur * ci) + (ui * cr), ref i0, a2);
                    var vr = t1r - t3i;
                    var vi = t1i + t3r;
                    cr = LoadVector(ref w3r, j);
                    ci = LoadVector(ref w3i, j);
                    StoreVector((vr * cr) - (vi * ci), ref r0, a3);
                    StoreVector((vr * ci) + (vi * cr), ref i0, a3);
                }
            }

            return;
        }

        for (var start = 0; start < n; start += 4 * span)
        {
            for (var j = 0; j < span; j++)
            {
                var a0 = start + j;
                var a1 = a0 + span;
                var a2 = a1 + span;
                var a3 = a2 + span;
                double t0r = re[a0] + re[a2], t0i = im[a0] + im[a2], t1r = re[a0] - re[a2], t1i = im[a0] - im[a2];
                double t2r = re[a1] + re[a3], t2i = im[a1] + im[a3], t3r = re[a1] - re[a3], t3i = im[a1] - im[a3];
                re[a0] = t0r + t2r;
                im[a0] = t0i + t2i;
                double sr = t0r - t2r, si = t0i - t2i, ur = t1r + t3i, ui = t1i - t3r, vr = t1r - t3i, vi = t1i + t3r;
                double c2r = w2Re[offset + j], c2i = w2Im[offset + j], c1r = w1Re[offset + j], c1i = w1Im[offset + j];
                double c3r = w3Re[offset + j], c3i = w3Im[offset + j];
                re[a1] = (sr * c2r) - (si * c2i);
                im[a1] = (sr * c2i) + (si * c2r);
                re[a2] = (ur * c1r) - (ui * c1i);
                im[a2] = (ur * c1i) + (ui * c1r);
                re[a3] = (vr * c3r) - (vi * c3i);
                im[a3] = (vr * c3i) + (vi * c3r);
            }
        }
    }

    /// <summary>The last radix-4 DIF pass (span 1, no twiddles) over groups of four adjacent points.</summary>
    private void Radix4DifLast(Span<double> re, Span<double> im)
    {
        var n = half;
        for (var a0 = 0; a0 + 3 < n; a0 += 4)
        {
            var g = re.Slice(a0, 4);
            var h = im.Slice(a0, 4);
            double t0r = g[0] + g[2], t0i = h[0] + h[2], t1r = g[0] - g[2], t1i = h[0] - h[2];
            double t2r = g[1] + g[3], t2i = h[1] + h[3], t3r = g[1] - g[3], t3i = h[1] - h[3];
            g[0] = t0r + t2r;
            h[0] = t0i + t2i;
            g[1] = t0r - t2r;
            h[1] = t0i - t2i;
            g[2] = t1r + t3i;
            h[2] = t1i - t3r;
            g[3] = t1r - t3i;
            h[3] = t1i + t3r;
        }
    }

    /// <summary>
    /// One radix-4 DIT pass with conjugate twiddles, the reverse of <see cref="Radix4Dif"/> (times 4):
    /// a = o0, b = o1 W^-2j, c = o2 W^-j, d = o3 W^-3j; x0 = (a+b)+(c+d), x2 = (a+b)-(c+d), x1 = (a-b)-i(d-c), x3 = (a-b)+i(d-c).
    /// </summary>
    private void Radix4Dit(Span<double> re, Span<double> im, int span, int offset)
    {
        var n = half;
        var vw = Vector<double>.Count;
        ref var r0 = ref MemoryMarshal.GetReference(re);
        ref var i0 = ref MemoryMarshal.GetReference(im);
        ref var w1r = ref w1Re[offset];
        ref var w1i = ref w1Im[offset];
        ref var w2r = ref w2Re[offset];
        ref var w2i = ref w2Im[offset];
        ref var w3r = ref w3Re[offset];
        ref var w3i = ref w3Im[offset];
        if (Vector.IsHardwareAccelerated && span >= vw)
        {
            for (var start = 0; start < n; start += 4 * span)
            {
                for (var j = 0; j < span; j += vw)
                {
                    var a0 = start + j;
                    var a1 = a0 + span;
                    var a2 = a1 + span;
                    var a3 = a2 + span;
                    var ar = LoadVector(ref r0, a0);
                    var ai = LoadVector(ref i0, a0);
                    var xr = LoadVector(ref r0, a1);
                    var xi = LoadVector(ref i0, a1);
                    var cr = LoadVector(ref w2r, j);
                    var ci = LoadVector(ref w2i, j);
                    var br = (xr * cr) + (xi * ci);
                    var bi = (xi * cr) - (xr * ci);
                    xr = LoadVector(ref r0, a2);
                    xi = LoadVector(ref i0, a2);
                    cr = LoadVector(ref w1r, j);
                    ci = LoadVector(ref w1i, j);
                    var c2r = (xr * cr) + (xi * ci);
                    var c2i = (xi * cr) - (xr * ci);
                    xr = LoadVector(ref r0, a3);
                    xi = LoadVector(ref i0, a3);
                    cr = LoadVector(ref w3r, j);
                    ci = LoadVector(ref w3i, j);
                    var dr = (xr * cr) + (xi * ci);
                    var di = (xi * cr) - (xr * ci);
                    var pr = ar + br;
                    var pi = ai + bi;
                    var qr = c2r + dr;
                    var qi = c2i + di;
                    var er = ar - br;
                    var ei = ai - bi;
                    var fr = di - c2i; // -i (d - c)
                    var fi = c2r - dr;
                    StoreVector(pr + qr, ref r0, a0);
                    StoreVector(pi + qi, ref i0, a0);
                    StoreVector(pr - qr, ref r0, a2);
                    StoreVector(pi - qi, ref i0, a2);
                    StoreVector(er + fr, ref r0, a1);
                    StoreVector(ei + fi, ref i0, a1);
                    StoreVector(er - fr, ref r0, a3);
                    StoreVector(ei - fi, ref i0, a3);
                }
            }

            return;
        }

        for (var start = 0; start < n; start += 4 * span)
        {
            for (var j = 0; j < span; j++)
            {
                var a0 = start + j;
                var a1 = a0 + span;
                var a2 = a1 + span;
                var a3 = a2 + span;
                double c2r = w2Re[offset + j], c2i = w2Im[offset + j], c1r = w1Re[offset + j], c1i = w1Im[offset + j];
                double c3r = w3Re[offset + j], c3i = w3Im[offset + j];
                double ar = re[a0], ai = im[a0];
                double br = (re[a1] * c2r) + (im[a1] * c2i), bi = (im[a1] * c2r) - (re[a1] * c2i);
                double cr = (re[a2] * c1r) + (im[a2] * c1i), ci = (im[a2] * c1r) - (re[a2] * c1i);
                double dr = (re[a3] * c3r) + (im[a3] * c3i), di = (im[a3] * c3r) - (re[a3] * c3i);
                double pr = ar + br, pi = ai + bi, qr = cr + dr, qi = ci + di, er = ar - br, ei = ai - bi, fr = di - ci, fi = cr - dr;
                re[a0] = pr + qr;
                im[a0] = pi + qi;
                re[a2] = pr - qr;
                im[a2] = pi - qi;
                re[a1] = er + fr;
                im[a1] = ei + fi;
                re[a3] = er - fr;
                im[a3] = ei - fi;
            }
        }
    }

    /// <summary>The first radix-4 DIT pass (span 1, no twiddles) over groups of four adjacent points.</summary>
    private void Radix4DitFirst(Span<double> re, Span<double> im)
    {
        var n = half;
        for (var a0 = 0; a0 + 3 < n; a0 += 4)
        {
            var g = re.Slice(a0, 4);
            var h = im.Slice(a0, 4);
            double pr = g[0] + g[1], pi = h[0] + h[1], er = g[0] - g[1], ei = h[0] - h[1];
            double qr = g[2] + g[3], qi = h[2] + h[3];
            double fr = h[3] - h[2], fi = g[2] - g[3];
            g[0] = pr + qr;
            h[0] = pi + qi;
            g[2] = pr - qr;
            h[2] = pi - qi;
            g[1] = er + fr;
            h[1] = ei + fi;
            g[3] = er - fr;
            h[3] = ei - fi;
        }
    }

    // Bit-reversed order keeps the conjugate-symmetric partners (bins k and N/2 - k) inside each octave block
    // [2^t, 2^(t+1)) of positions, mirrored: partner(p) = 3 * 2^t - 1 - p. So the real-FFT pre/post-processing
    // reads one block forwards and backwards, which vectorizes with a lane reversal.

    /// <summary>Turns the N/2-point complex FFT of (even + i odd) samples into the real signal's half spectrum.</summary>
    private void PostProcessForward(Span<double> re, Span<double> im)
    {
        var n = half;
        var z0r = re[0];
        var z0i = im[0];
        re[0] = z0r + z0i;
        im[0] = z0r - z0i;
        if (n == 1)
        {
            return;
        }

        ForwardPair(re, im, 1, 1); // bin N/4 is its own partner
        for (var lo = 2; lo < n; lo *= 2)
        {
            var p = lo;
            var end = lo + (lo / 2);
            if (Vector256.IsHardwareAccelerated)
            {
                ref var r0 = ref MemoryMarshal.GetReference(re);
                ref var i0 = ref MemoryMarshal.GetReference(im);
                ref var wr0 = ref postRe[0];
                ref var wi0 = ref postIm[0];
                var half5 = Vector256.Create(0.5);
                for (; p + 4 <= end; p += 4)
                {
                    var q = (3 * lo) - 4 - p; // lowest of the four mirrored positions
                    var zr = Load256(ref r0, p);
                    var zi = Load256(ref i0, p);
                    var yr = Reverse(Load256(ref r0, q));
                    var yi = Reverse(Load256(ref i0, q));
                    var feR = half5 * (zr + yr);
                    var feI = half5 * (zi - yi);
                    var foR = half5 * (zi + yi);
                    var foI = half5 * (yr - zr);
                    var wr = Load256(ref wr0, p);
                    var wi = Load256(ref wi0, p);
                    var vr = Reverse(Load256(ref wr0, q));
                    var vi = Reverse(Load256(ref wi0, q));
                    Store256(feR + ((wr * foR) - (wi * foI)), ref r0, p);
                    Store256(feI + ((wr * foI) + (wi * foR)), ref i0, p);
                    Store256(Reverse(feR + ((vr * foR) + (vi * foI))), ref r0, q);
                    Store256(Reverse(((vi * foR) - (vr * foI)) - feI), ref i0, q);
                }
            }

            for (; p < end; p++)
            {
                ForwardPair(re, im, p, (3 * lo) - 1 - p);
            }
        }
    }

    private void ForwardPair(Span<double> re, Span<double> im, int p, int q)
    {
        double zr = re[p], zi = im[p], yr = re[q], yi = im[q];

        // Fe = (Z_k + conj Z_k') / 2; Fo = -i (Z_k - conj Z_k') / 2; X_k = Fe + W^k Fo, X_k' = conj(Fe) + W^k' conj(Fo).
        var feR = 0.5 * (zr + yr);
        var feI = 0.5 * (zi - yi);
        var foR = 0.5 * (zi + yi);
        var foI = -0.5 * (zr - yr);
        double wr = postRe[p], wi = postIm[p];
        re[p] = feR + ((wr * foR) - (wi * foI));
        im[p] = feI + ((wr * foI) + (wi * foR));
        if (q != p)
        {
            double vr = postRe[q], vi = postIm[q];
            re[q] = feR + ((vr * foR) + (vi * foI));
            im[q] = -feI + ((vi * foR) - (vr * foI));
        }
    }

    /// <summary>Inverse of <see cref="PostProcessForward"/>: half spectrum back to the packed complex spectrum.</summary>
    private void PreProcessInverse(Span<double> re, Span<double> im)
    {
        var n = half;
        var x0 = re[0];
        var xn = im[0];
        re[0] = 0.5 * (x0 + xn);
        im[0] = 0.5 * (x0 - xn);
        if (n == 1)
        {
            return;
        }

        InversePair(re, im, 1, 1);
        for (var lo = 2; lo < n; lo *= 2)
        {
            var p = lo;
            var end = lo + (lo / 2);
            if (Vector256.IsHardwareAccelerated)
            {
                ref var r0 = ref MemoryMarshal.GetReference(re);
                ref var i0 = ref MemoryMarshal.GetReference(im);
                ref var wr0 = ref postRe[0];
                ref var wi0 = ref postIm[0];
                var half5 = Vector256.Create(0.5);
                for (; p + 4 <= end; p += 4)
                {
                    var q = (3 * lo) - 4 - p;
                    var xr = Load256(ref r0, p);
                    var xi = Load256(ref i0, p);
                    var yr = Reverse(Load256(ref r0, q));
                    var yi = Reverse(Load256(ref i0, q));
                    var feR = half5 * (xr + yr);
                    var feI = half5 * (xi - yi);
                    var dR = half5 * (xr - yr);
                    var dI = half5 * (xi + yi);
                    var wr = Load256(ref wr0, p);
                    var wi = -Load256(ref wi0, p);
                    var foR = (wr * dR) - (wi * dI);
                    var foI = (wr * dI) + (wi * dR);
                    Store256(feR - foI, ref r0, p);
                    Store256(feI + foR, ref i0, p);
                    Store256(Reverse(feR + foI), ref r0, q);
                    Store256(Reverse(foR - feI), ref i0, q);
                }
            }

            for (; p < end; p++)
            {
                InversePair(re, im, p, (3 * lo) - 1 - p);
            }
        }
    }

    private void InversePair(Span<double> re, Span<double> im, int p, int q)
    {
        double xr = re[p], xi = im[p], yr = re[q], yi = im[q];

        // Fe = (X_k + conj X_k') / 2; Fo = W^-k (X_k - conj X_k') / 2; Z_k = Fe + i Fo; Z_k' = conj(Fe) + i conj(Fo).
        var feR = 0.5 * (xr + yr);
        var feI = 0.5 * (xi - yi);
        var dR = 0.5 * (xr - yr);
        var dI = 0.5 * (xi + yi);
        double wr = postRe[p], wi = -postIm[p];
        var foR = (wr * dR) - (wi * dI);
        var foI = (wr * dI) + (wi * dR);
        re[p] = feR - foI;
        im[p] = feI + foR;
        if (q != p)
        {
            re[q] = feR + foI;
            im[q] = -feI + foR;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load256(ref double origin, int index) =>
        Unsafe.ReadUnaligned<Vector256<double>>(ref Unsafe.As<double, byte>(ref Unsafe.Add(ref origin, index)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(Vector256<double> value, ref double origin, int index) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<double, byte>(ref Unsafe.Add(ref origin, index)), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Reverse(Vector256<double> v) => Vector256.Shuffle(v, Vector256.Create(3L, 2L, 1L, 0L));
}
