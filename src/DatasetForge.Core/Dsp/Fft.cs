using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DatasetForge.Dsp;

/// <summary>
/// Radix-2 complex FFT of one power-of-two size, in place on split real/imaginary float arrays. Twiddles and the
/// bit-reversal permutation are precomputed (in double, stored as float); butterflies of the wider stages run on
/// 256-bit vectors. Unnormalized: Inverse(Forward(x)) = n * x. Immutable after construction, so one instance can
/// serve many threads.
/// </summary>
public sealed class Fft
{
    private readonly int[] bitReverse;
    private readonly float[] twiddleRe; // stage h (half size) at offset h-1: h entries cos(-pi j / h)
    private readonly float[] twiddleIm;

    public Fft(int size)
    {
        if (size < 2 || !BitOperations.IsPow2(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be a power of two >= 2.");
        }

        Size = size;
        var bits = BitOperations.Log2((uint)size);
        bitReverse = new int[size];
        for (var i = 0; i < size; i++)
        {
            bitReverse[i] = (int)(ReverseBits((uint)i) >> (32 - bits));
        }

        twiddleRe = new float[size];
        twiddleIm = new float[size];
        for (var h = 1; h < size; h <<= 1)
        {
            for (var j = 0; j < h; j++)
            {
                var angle = -Math.PI * j / h;
                twiddleRe[h - 1 + j] = (float)Math.Cos(angle);
                twiddleIm[h - 1 + j] = (float)Math.Sin(angle);
            }
        }
    }

    public int Size { get; }

    /// <summary>Forward transform X[k] = sum x[n] e^(-2 pi i k n / N), in place.</summary>
    public void Forward(Span<float> re, Span<float> im) => Transform(re, im, inverse: false);

    /// <summary>Inverse transform without the 1/N factor, in place.</summary>
    public void Inverse(Span<float> re, Span<float> im) => Transform(re, im, inverse: true);

    private void Transform(Span<float> re, Span<float> im, bool inverse)
    {
        if (re.Length != Size || im.Length != Size)
        {
            throw new ArgumentException($"Both spans must hold exactly {Size} values.");
        }

        // The inverse is the forward transform of the conjugate, conjugated.
        if (inverse)
        {
            Negate(im);
        }

        for (var i = 0; i < Size; i++)
        {
            var j = bitReverse[i];
            if (j > i)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }

        ref var r = ref MemoryMarshal.GetReference(re);
        ref var m = ref MemoryMarshal.GetReference(im);
        for (var h = 1; h < Size; h <<= 1)
        {
            ref var wr = ref twiddleRe[h - 1];
            ref var wi = ref twiddleIm[h - 1];
            if (h >= 8 && Vector256.IsHardwareAccelerated)
            {
                for (var s = 0; s < Size; s += 2 * h)
                {
                    for (var j = 0; j < h; j += 8)
                    {
                        var a = (nuint)(s + j);
                        var b = a + (nuint)h;
                        var cr = Vector256.LoadUnsafe(ref wr, (nuint)j);
                        var ci = Vector256.LoadUnsafe(ref wi, (nuint)j);
                        var br = Vector256.LoadUnsafe(ref r, b);
                        var bi = Vector256.LoadUnsafe(ref m, b);
                        var tr = (br * cr) - (bi * ci);
                        var ti = (br * ci) + (bi * cr);
                        var ar = Vector256.LoadUnsafe(ref r, a);
                        var ai = Vector256.LoadUnsafe(ref m, a);
                        (ar - tr).StoreUnsafe(ref r, b);
                        (ai - ti).StoreUnsafe(ref m, b);
                        (ar + tr).StoreUnsafe(ref r, a);
                        (ai + ti).StoreUnsafe(ref m, a);
                    }
                }
            }
            else
            {
                for (var s = 0; s < Size; s += 2 * h)
                {
                    for (var j = 0; j < h; j++)
                    {
                        var a = s + j;
                        var b = a + h;
                        var cr = Unsafe.Add(ref wr, j);
                        var ci = Unsafe.Add(ref wi, j);
                        var br = Unsafe.Add(ref r, b);
                        var bi = Unsafe.Add(ref m, b);
                        var tr = (br * cr) - (bi * ci);
                        var ti = (br * ci) + (bi * cr);
                        var ar = Unsafe.Add(ref r, a);
                        var ai = Unsafe.Add(ref m, a);
                        Unsafe.Add(ref r, b) = ar - tr;
                        Unsafe.Add(ref m, b) = ai - ti;
                        Unsafe.Add(ref r, a) = ar + tr;
                        Unsafe.Add(ref m, a) = ai + ti;
                    }
                }
            }
        }

        if (inverse)
        {
            Negate(im);
        }
    }

    private static void Negate(Span<float> values) => System.Numerics.Tensors.TensorPrimitives.Negate(values, values);

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}

/// <summary>
/// FFT of real signals of one power-of-two size N via a complex FFT of size N/2 (even samples as real part, odd as
/// imaginary) and a split step. Gives the N/2+1 non-negative-frequency bins. Unnormalized like <see cref="Fft"/>:
/// Inverse(Forward(x)) = N * x. Not thread-safe (holds scratch); create one per thread.
/// </summary>
public sealed class RealFft
{
    private readonly Fft half;
    private readonly float[] splitRe; // e^(-2 pi i k / N), k = 0..N/2
    private readonly float[] splitIm;
    private readonly float[] zr;
    private readonly float[] zi;

    public RealFft(int size)
    {
        if (size < 4 || !BitOperations.IsPow2(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "Real FFT size must be a power of two >= 4.");
        }

        Size = size;
        half = new Fft(size / 2);
        splitRe = new float[(size / 2) + 1];
        splitIm = new float[(size / 2) + 1];
        for (var k = 0; k <= size / 2; k++)
        {
            splitRe[k] = (float)Math.Cos(-2 * Math.PI * k / size);
            splitIm[k] = (float)Math.Sin(-2 * Math.PI * k / size);
        }

        zr = new float[size / 2];
        zi = new float[size / 2];
    }

    public int Size { get; }

    /// <summary>Number of bins: N/2 + 1.</summary>
    public int Bins => (Size / 2) + 1;

    public void Forward(ReadOnlySpan<float> input, Span<float> re, Span<float> im)
    {
        var n2 = Size / 2;
        if (input.Length != Size || re.Length < n2 + 1 || im.Length < n2 + 1)
        {
            throw new ArgumentException($"Input must hold {Size} samples and outputs {n2 + 1} bins.");
        }

        for (var i = 0; i < n2; i++)
        {
            zr[i] = input[2 * i];
            zi[i] = input[(2 * i) + 1];
        }

        half.Forward(zr, zi);

        // X[k] = E[k] + W^k O[k], with E = (Z[k] + conj Z[n2-k]) / 2 and O = (Z[k] - conj Z[n2-k]) / 2i.
        for (var k = 0; k <= n2; k++)
        {
            var a = k == n2 ? 0 : k;
            var b = k == 0 ? 0 : n2 - k;
            float ar = zr[a], ai = zi[a], br = zr[b], bi = -zi[b];
            var er = 0.5f * (ar + br);
            var ei = 0.5f * (ai + bi);
            var or = 0.5f * (ai - bi);
            var oi = -0.5f * (ar - br);
            var wr = splitRe[k];
            var wi = splitIm[k];
            re[k] = er + ((wr * or) - (wi * oi));
            im[k] = ei + ((wr * oi) + (wi * or));
        }
    }

    /// <summary>Inverse of <see cref="Forward"/> for a Hermitian spectrum (imaginary parts of bins 0 and N/2 are ignored); output is N times the signal.</summary>
    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> output)
    {
        var n2 = Size / 2;
        if (output.Length != Size || re.Length < n2 + 1 || im.Length < n2 + 1)
        {
            throw new ArgumentException($"Spectrum must hold {n2 + 1} bins and the output {Size} samples.");
        }

        // Undo the split: E[k] = (X[k] + conj X[n2-k]) / 2, O[k] = (X[k] - conj X[n2-k]) * conj(W^k) / 2, Z = E + i O.
        for (var k = 0; k < n2; k++)
        {
            float xr = re[k], xi = k == 0 ? 0 : im[k];
            float yr = re[n2 - k], yi = k == 0 ? 0 : -im[n2 - k];
            var er = xr + yr;
            var ei = xi + yi;
            var dr = xr - yr;
            var di = xi - yi;
            var wr = splitRe[k];
            var wi = -splitIm[k];
            var or = (dr * wr) - (di * wi);
            var oi = (dr * wi) + (di * wr);
            zr[k] = er - oi;
            zi[k] = ei + or;
        }

        half.Inverse(zr, zi);
        for (var i = 0; i < n2; i++)
        {
            output[2 * i] = zr[i];
            output[(2 * i) + 1] = zi[i];
        }
    }
}
