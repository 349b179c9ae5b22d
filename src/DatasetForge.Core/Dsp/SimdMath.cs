using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DatasetForge.Dsp;

/// <summary>Small SIMD kernels shared by the DSP code (hot loops live here, not in the callers).</summary>
internal static class SimdMath
{
    /// <summary>
    /// Dot product of two equally long float runs whose length is a multiple of 16. Uses 512-bit vectors when the
    /// CPU has them, else 256-bit, else 128-bit; accumulates in float (the callers' sums are short).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotAligned16(ref float a, ref float b, int length)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<float>.Zero;
            for (nuint i = 0; i < (nuint)length; i += 16)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i), acc);
            }

            return Vector512.Sum(acc);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (nuint i = 0; i < (nuint)length; i += 16)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i + 8), Vector256.LoadUnsafe(ref b, i + 8), acc1);
            }

            return Vector256.Sum(acc0 + acc1);
        }

        var v0 = Vector128<float>.Zero;
        var v1 = Vector128<float>.Zero;
        for (nuint i = 0; i < (nuint)length; i += 8)
        {
            v0 += Vector128.LoadUnsafe(ref a, i) * Vector128.LoadUnsafe(ref b, i);
            v1 += Vector128.LoadUnsafe(ref a, i + 4) * Vector128.LoadUnsafe(ref b, i + 4);
        }

        return Vector128.Sum(v0 + v1);
    }

    /// <summary>
    /// Two dot products sharing the first operand (one coefficient row against two channels), length a multiple of
    /// 16: the coefficients are loaded once and four independent accumulator chains keep the FMA units busy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DotPairAligned16(ref float a, ref float b0, ref float b1, int length, out float r0, out float r1)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var p0 = Vector256<float>.Zero;
            var p1 = Vector256<float>.Zero;
            var q0 = Vector256<float>.Zero;
            var q1 = Vector256<float>.Zero;
            for (nuint i = 0; i < (nuint)length; i += 16)
            {
                var c0 = Vector256.LoadUnsafe(ref a, i);
                var c1 = Vector256.LoadUnsafe(ref a, i + 8);
                p0 = Vector256.FusedMultiplyAdd(c0, Vector256.LoadUnsafe(ref b0, i), p0);
                q0 = Vector256.FusedMultiplyAdd(c0, Vector256.LoadUnsafe(ref b1, i), q0);
                p1 = Vector256.FusedMultiplyAdd(c1, Vector256.LoadUnsafe(ref b0, i + 8), p1);
                q1 = Vector256.FusedMultiplyAdd(c1, Vector256.LoadUnsafe(ref b1, i + 8), q1);
            }

            r0 = Vector256.Sum(p0 + p1);
            r1 = Vector256.Sum(q0 + q1);
            return;
        }

        r0 = DotAligned16(ref a, ref b0, length);
        r1 = DotAligned16(ref a, ref b1, length);
    }

    public static float DotAligned16(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length || a.Length % 16 != 0)
        {
            throw new ArgumentException("Both spans must have the same length, a multiple of 16.");
        }

        return DotAligned16(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }
}
