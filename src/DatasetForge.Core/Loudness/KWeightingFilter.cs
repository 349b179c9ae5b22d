using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DatasetForge.Loudness;

/// <summary>
/// The hot loop of the meter: K-weights planar float channels (the two biquads in direct form I, double precision)
/// and sums the squares of the result per channel. Direct form I keeps one fused multiply-add per stage on the
/// sample-to-sample dependency chain (the feed-forward terms do not wait on the previous output), and the second
/// stage's input history is the first stage's output history. Channels run side by side in SIMD lanes (four per
/// 256-bit vector, two per 128-bit, a last odd one alone). Inputs are gathered as a float vector and widened to
/// double in one instruction: a scalar float-to-double conversion would merge into a register still in use and
/// tie each iteration to the previous one. State is carried across calls.
/// </summary>
internal sealed class KWeightingFilter
{
    private const int StateSize = 6; // x[n-1], x[n-2], y[n-1], y[n-2], z[n-1], z[n-2]
    private const double Tiny = 1e-100; // recursive state below this is flushed to zero (no denormal slowdowns in silence)
    private readonly double b0, b1, b2, a1, a2; // shelf: x -> y
    private readonly double c0, c1, c2, d1, d2; // high-pass: y -> z
    private readonly int[] active; // channels with a nonzero weight
    private readonly double[] state;

    public KWeightingFilter(double sampleRate, int[] activeChannels)
    {
        var (shelf, highPass) = KWeighting.Design(sampleRate);
        (b0, b1, b2, a1, a2) = (shelf.B0, shelf.B1, shelf.B2, shelf.A1, shelf.A2);
        (c0, c1, c2, d1, d2) = (highPass.B0, highPass.B1, highPass.B2, highPass.A1, highPass.A2);
        active = activeChannels;
        state = new double[activeChannels.Length * StateSize];
    }

    /// <summary>Filters frames [offset, offset+count) and adds each active channel's sum of squares to <paramref name="sums"/>[channel].</summary>
    public void Accumulate(float[][] input, int offset, int count, Span<double> sums)
    {
        foreach (var c in active)
        {
            if ((uint)offset > (uint)input[c].Length || (uint)count > (uint)(input[c].Length - offset))
            {
                throw new ArgumentOutOfRangeException(nameof(count), "Frame range extends past the channel.");
            }
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= active.Length; i += 4)
            {
                Group4(input, offset, count, i, sums);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 2 <= active.Length; i += 2)
            {
                Group2(input, offset, count, i, sums);
            }
        }

        for (; i < active.Length; i++)
        {
            Single(input[active[i]].AsSpan(offset, count), i, ref sums[active[i]]);
        }

        for (var s = 0; s < state.Length; s++)
        {
            if (s % StateSize >= 2 && Math.Abs(state[s]) < Tiny)
            {
                state[s] = 0;
            }
        }
    }

    private void Single(ReadOnlySpan<float> x, int slot, ref double sum)
    {
        var st = state.AsSpan(slot * StateSize, StateSize);
        double x1 = st[0], x2 = st[1], y1 = st[2], y2 = st[3], z1 = st[4], z2 = st[5], acc = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var v = Vector128.WidenLower(Vector128.CreateScalarUnsafe(x[i])).ToScalar();
            var y = Math.FusedMultiplyAdd(-a1, y1, (b0 * v) + (b1 * x1) + (b2 * x2) - (a2 * y2));
            var z = Math.FusedMultiplyAdd(-d1, z1, (c0 * y) + (c1 * y1) + (c2 * y2) - (d2 * z2));
            x2 = x1;
            x1 = v;
            y2 = y1;
            y1 = y;
            z2 = z1;
            z1 = z;
            acc = Math.FusedMultiplyAdd(z, z, acc);
        }

        (st[0], st[1], st[2], st[3], st[4], st[5]) = (x1, x2, y1, y2, z1, z2);
        sum += acc;
    }

    private void Group2(float[][] input, int offset, int count, int slot, Span<double> sums)
    {
        int ch0 = active[slot], ch1 = active[slot + 1];
        ref var in0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch0]), offset);
        ref var in1 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch1]), offset);
        Vector128<double> x1 = Load2(slot, 0), x2 = Load2(slot, 1), y1 = Load2(slot, 2), y2 = Load2(slot, 3), z1 = Load2(slot, 4), z2 = Load2(slot, 5);
        var acc = Vector128<double>.Zero;
        Vector128<double> vb0 = Vector128.Create(b0), vb1 = Vector128.Create(b1), vb2 = Vector128.Create(b2);
        Vector128<double> na1 = Vector128.Create(-a1), na2 = Vector128.Create(-a2);
        Vector128<double> vc0 = Vector128.Create(c0), vc1 = Vector128.Create(c1), vc2 = Vector128.Create(c2);
        Vector128<double> nd1 = Vector128.Create(-d1), nd2 = Vector128.Create(-d2);
        for (var i = 0; i < count; i++)
        {
            var v = Vector128.WidenLower(Vector128.Create(Unsafe.Add(ref in0, i), Unsafe.Add(ref in1, i), 0f, 0f));
            var fy = Vector128.FusedMultiplyAdd(na2, y2, Vector128.FusedMultiplyAdd(vb2, x2, Vector128.FusedMultiplyAdd(vb1, x1, vb0 * v)));
            var y = Vector128.FusedMultiplyAdd(na1, y1, fy);
            var fz = Vector128.FusedMultiplyAdd(nd2, z2, Vector128.FusedMultiplyAdd(vc2, y2, Vector128.FusedMultiplyAdd(vc1, y1, vc0 * y)));
            var z = Vector128.FusedMultiplyAdd(nd1, z1, fz);
            x2 = x1;
            x1 = v;
            y2 = y1;
            y1 = y;
            z2 = z1;
            z1 = z;
            acc = Vector128.FusedMultiplyAdd(z, z, acc);
        }

        Store2(slot, 0, x1);
        Store2(slot, 1, x2);
        Store2(slot, 2, y1);
        Store2(slot, 3, y2);
        Store2(slot, 4, z1);
        Store2(slot, 5, z2);
        sums[ch0] += acc.GetElement(0);
        sums[ch1] += acc.GetElement(1);
    }

    private void Group4(float[][] input, int offset, int count, int slot, Span<double> sums)
    {
        int ch0 = active[slot], ch1 = active[slot + 1], ch2 = active[slot + 2], ch3 = active[slot + 3];
        ref var in0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch0]), offset);
        ref var in1 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch1]), offset);
        ref var in2 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch2]), offset);
        ref var in3 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch3]), offset);
        Vector256<double> x1 = Load4(slot, 0), x2 = Load4(slot, 1), y1 = Load4(slot, 2), y2 = Load4(slot, 3), z1 = Load4(slot, 4), z2 = Load4(slot, 5);
        var acc = Vector256<double>.Zero;
        Vector256<double> vb0 = Vector256.Create(b0), vb1 = Vector256.Create(b1), vb2 = Vector256.Create(b2);
        Vector256<double> na1 = Vector256.Create(-a1), na2 = Vector256.Create(-a2);
        Vector256<double> vc0 = Vector256.Create(c0), vc1 = Vector256.Create(c1), vc2 = Vector256.Create(c2);
        Vector256<double> nd1 = Vector256.Create(-d1), nd2 = Vector256.Create(-d2);
        for (var i = 0; i < count; i++)
        {
            var v = Vector256.WidenLower(Vector128.Create(Unsafe.Add(ref in0, i), Unsafe.Add(ref in1, i), Unsafe.Add(ref in2, i), Unsafe.Add(ref in3, i)).ToVector256Unsafe());
            var fy = Vector256.FusedMultiplyAdd(na2, y2, Vector256.FusedMultiplyAdd(vb2, x2, Vector256.FusedMultiplyAdd(vb1, x1, vb0 * v)));
            var y = Vector256.FusedMultiplyAdd(na1, y1, fy);
            var fz = Vector256.FusedMultiplyAdd(nd2, z2, Vector256.FusedMultiplyAdd(vc2, y2, Vector256.FusedMultiplyAdd(vc1, y1, vc0 * y)));
            var z = Vector256.FusedMultiplyAdd(nd1, z1, fz);
            x2 = x1;
            x1 = v;
            y2 = y1;
            y1 = y;
            z2 = z1;
            z1 = z;
            acc = Vector256.FusedMultiplyAdd(z, z, acc);
        }

        for (var lane = 0; lane < 4; lane++)
        {
            var s = (slot + lane) * StateSize;
            (state[s], state[s + 1], state[s + 2], state[s + 3], state[s + 4], state[s + 5]) =
                (x1.GetElement(lane), x2.GetElement(lane), y1.GetElement(lane), y2.GetElement(lane), z1.GetElement(lane), z2.GetElement(lane));
        }

        sums[ch0] += acc.GetElement(0);
        sums[ch1] += acc.GetElement(1);
        sums[ch2] += acc.GetElement(2);
        sums[ch3] += acc.GetElement(3);
    }

    private Vector128<double> Load2(int slot, int k) => Vector128.Create(state[(slot * StateSize) + k], state[((slot + 1) * StateSize) + k]);

    private void Store2(int slot, int k, Vector128<double> v)
    {
        state[(slot * StateSize) + k] = v.GetElement(0);
        state[((slot + 1) * StateSize) + k] = v.GetElement(1);
    }

    private Vector256<double> Load4(int slot, int k) =>
        Vector256.Create(state[(slot * StateSize) + k], state[((slot + 1) * StateSize) + k], state[((slot + 2) * StateSize) + k], state[((slot + 3) * StateSize) + k]);
}
