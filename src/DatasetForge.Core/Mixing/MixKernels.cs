using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DatasetForge.Mixing;

/// <summary>The mix renderer's hot loops: fused deinterleave + gain + peak, and blocked sums with peak.</summary>
internal static class MixKernels
{
    /// <summary>Floats per block of the blocked loops: small enough that a block of every operand stays in L1.</summary>
    private const int Block = 2048;

    /// <summary>
    /// left[i] = g * x[2i], right[i] = g * x[2i+1] for the frames of <paramref name="left"/>; returns the largest
    /// absolute value written. AVX2: two loads, two in-lane shuffles and two cross-lane permutes per 8 frames.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float DeinterleaveStereo(ReadOnlySpan<float> x, float g, Span<float> left, Span<float> right)
    {
        var n = left.Length;
        if (right.Length != n || x.Length < 2 * n)
        {
            throw new ArgumentException("deinterleave: buffer sizes disagree");
        }

        ref var src = ref MemoryMarshal.GetReference(x);
        ref var l = ref MemoryMarshal.GetReference(left);
        ref var r = ref MemoryMarshal.GetReference(right);
        var i = 0;
        var max = 0f;
        if (Avx2.IsSupported && n >= 8)
        {
            var gv = Vector256.Create(g);
            var peak = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                var v0 = Vector256.LoadUnsafe(ref src, (nuint)(2 * i));       // L0 R0 L1 R1 | L2 R2 L3 R3
                var v1 = Vector256.LoadUnsafe(ref src, (nuint)((2 * i) + 8)); // L4 R4 L5 R5 | L6 R6 L7 R7
                var ls = Avx.Shuffle(v0, v1, 0b10_00_10_00);                  // L0 L1 L4 L5 | L2 L3 L6 L7
                var rs = Avx.Shuffle(v0, v1, 0b11_01_11_01);                  // R0 R1 R4 R5 | R2 R3 R6 R7
                var lo = Avx2.Permute4x64(ls.AsDouble(), 0b11_01_10_00).AsSingle() * gv;
                var ro = Avx2.Permute4x64(rs.AsDouble(), 0b11_01_10_00).AsSingle() * gv;
                lo.StoreUnsafe(ref l, (nuint)i);
                ro.StoreUnsafe(ref r, (nuint)i);
                peak = Vector256.Max(peak, Vector256.Max(Vector256.Abs(lo), Vector256.Abs(ro)));
            }

            max = HorizontalMax(peak);
        }

        for (; i < n; i++)
        {
            var a = Unsafe.Add(ref src, 2 * i) * g;
            var b = Unsafe.Add(ref src, (2 * i) + 1) * g;
            Unsafe.Add(ref l, i) = a;
            Unsafe.Add(ref r, i) = b;
            max = Math.Max(max, Math.Max(Math.Abs(a), Math.Abs(b)));
        }

        return max;
    }

    /// <summary>destination = g * x; returns the largest absolute value written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Scale(ReadOnlySpan<float> x, float g, Span<float> destination)
    {
        TensorPrimitives.Multiply(x[..destination.Length], g, destination);
        return MaxAbs(destination);
    }

    /// <summary>destination[i] = g * (x[2i] + x[2i+1]) / 2 (stereo to mono); returns the largest absolute value written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float AverageStereo(ReadOnlySpan<float> x, float g, Span<float> destination)
    {
        var half = 0.5f * g;
        var max = 0f;
        for (var i = 0; i < destination.Length; i++)
        {
            var v = (x[2 * i] + x[(2 * i) + 1]) * half;
            destination[i] = v;
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    /// <summary>destination = the sum of <paramref name="parts"/> (zero when there are none), block by block; returns the largest absolute value of the sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(Span<float> destination, IReadOnlyList<Memory<float>> parts)
    {
        if (parts.Count == 0)
        {
            destination.Clear();
            return 0;
        }

        var max = 0f;
        for (var start = 0; start < destination.Length; start += Block)
        {
            var count = Math.Min(Block, destination.Length - start);
            var d = destination.Slice(start, count);
            if (parts.Count == 1)
            {
                parts[0].Span.Slice(start, count).CopyTo(d);
            }
            else
            {
                TensorPrimitives.Add(parts[0].Span.Slice(start, count), parts[1].Span.Slice(start, count), d);
                for (var k = 2; k < parts.Count; k++)
                {
                    TensorPrimitives.Add(d, parts[k].Span.Slice(start, count), d);
                }
            }

            max = Math.Max(max, MaxAbs(d));
        }

        return max;
    }

    public static float MaxAbs(ReadOnlySpan<float> x) => x.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(x));

    private static float HorizontalMax(Vector256<float> v)
    {
        var m = Vector128.Max(v.GetLower(), v.GetUpper());
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }
}
