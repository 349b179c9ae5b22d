using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DatasetForge.Loudness;

/// <summary>
/// The hot loop of the meter: K-weights planar float channels (two transposed-direct-form-II biquads in double)
/// and sums the squares of the result per channel. Channels are filtered side by side in SIMD lanes (four per
/// 256-bit vector, two per 128-bit, a last odd one alone): the recursion is latency-bound, so the lanes come almost
/// for free. State is carried across calls.
/// </summary>
internal sealed class KWeightingFilter
{
    private const double Tiny = 1e-100; // state below this is flushed to zero (avoids denormal slowdowns in silence)
    private readonly double b0, b1, b2, a1, a2; // shelf
    private readonly double c0, c1, c2, d1, d2; // high-pass
    private readonly int[] active; // channels with a nonzero weight
    private readonly double[] state; // per active channel: s1, s2 (shelf), s1, s2 (high-pass)

    public KWeightingFilter(double sampleRate, int[] activeChannels)
    {
        var (shelf, highPass) = KWeighting.Design(sampleRate);
        (b0, b1, b2, a1, a2) = (shelf.B0, shelf.B1, shelf.B2, shelf.A1, shelf.A2);
        (c0, c1, c2, d1, d2) = (highPass.B0, highPass.B1, highPass.B2, highPass.A1, highPass.A2);
        active = activeChannels;
        state = new double[activeChannels.Length * 4];
    }

    /// <summary>Filters frames [offset, offset+count) and adds each active channel's sum of squares to <paramref name="sums"/>[channel].</summary>
    public void Accumulate(float[][] input, int offset, int count, Span<double> sums)
    {
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
            if (Math.Abs(state[s]) < Tiny)
            {
                state[s] = 0;
            }
        }
    }

    private void Single(ReadOnlySpan<float> x, int slot, ref double sum)
    {
        var st = state.AsSpan(slot * 4, 4);
        double s1 = st[0], s2 = st[1], t1 = st[2], t2 = st[3], acc = 0;
        for (var i = 0; i < x.Length; i++)
        {
            double v = x[i];
            var y = (b0 * v) + s1;
            s1 = (b1 * v) - (a1 * y) + s2;
            s2 = (b2 * v) - (a2 * y);
            var z = (c0 * y) + t1;
            t1 = (c1 * y) - (d1 * z) + t2;
            t2 = (c2 * y) - (d2 * z);
            acc += z * z;
        }

        (st[0], st[1], st[2], st[3]) = (s1, s2, t1, t2);
        sum += acc;
    }

    private void Group2(float[][] input, int offset, int count, int slot, Span<double> sums)
    {
        int ch0 = active[slot], ch1 = active[slot + 1];
        ref var x0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch0]), offset);
        ref var x1 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch1]), offset);
        CheckRange(input[ch0], offset, count);
        CheckRange(input[ch1], offset, count);
        var s1 = Lanes2(slot, 0);
        var s2 = Lanes2(slot, 1);
        var t1 = Lanes2(slot, 2);
        var t2 = Lanes2(slot, 3);
        var acc = Vector128<double>.Zero;
        Vector128<double> vb0 = Vector128.Create(b0), vb1 = Vector128.Create(b1), vb2 = Vector128.Create(b2);
        Vector128<double> na1 = Vector128.Create(-a1), na2 = Vector128.Create(-a2);
        Vector128<double> vc0 = Vector128.Create(c0), vc1 = Vector128.Create(c1), vc2 = Vector128.Create(c2);
        Vector128<double> nd1 = Vector128.Create(-d1), nd2 = Vector128.Create(-d2);
        for (var i = 0; i < count; i++)
        {
            var v = Vector128.Create((double)Unsafe.Add(ref x0, i), Unsafe.Add(ref x1, i));
            var y = Vector128.FusedMultiplyAdd(vb0, v, s1);
            s1 = Vector128.FusedMultiplyAdd(na1, y, Vector128.FusedMultiplyAdd(vb1, v, s2));
            s2 = Vector128.FusedMultiplyAdd(na2, y, vb2 * v);
            var z = Vector128.FusedMultiplyAdd(vc0, y, t1);
            t1 = Vector128.FusedMultiplyAdd(nd1, z, Vector128.FusedMultiplyAdd(vc1, y, t2));
            t2 = Vector128.FusedMultiplyAdd(nd2, z, vc2 * y);
            acc = Vector128.FusedMultiplyAdd(z, z, acc);
        }

        Store2(slot, 0, s1);
        Store2(slot, 1, s2);
        Store2(slot, 2, t1);
        Store2(slot, 3, t2);
        sums[ch0] += acc.GetElement(0);
        sums[ch1] += acc.GetElement(1);
    }

    private void Group4(float[][] input, int offset, int count, int slot, Span<double> sums)
    {
        int ch0 = active[slot], ch1 = active[slot + 1], ch2 = active[slot + 2], ch3 = active[slot + 3];
        CheckRange(input[ch0], offset, count);
        CheckRange(input[ch1], offset, count);
        CheckRange(input[ch2], offset, count);
        CheckRange(input[ch3], offset, count);
        ref var x0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch0]), offset);
        ref var x1 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch1]), offset);
        ref var x2 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch2]), offset);
        ref var x3 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input[ch3]), offset);
        var s1 = Lanes4(slot, 0);
        var s2 = Lanes4(slot, 1);
        var t1 = Lanes4(slot, 2);
        var t2 = Lanes4(slot, 3);
        var acc = Vector256<double>.Zero;
        Vector256<double> vb0 = Vector256.Create(b0), vb1 = Vector256.Create(b1), vb2 = Vector256.Create(b2);
        Vector256<double> na1 = Vector256.Create(-a1), na2 = Vector256.Create(-a2);
        Vector256<double> vc0 = Vector256.Create(c0), vc1 = Vector256.Create(c1), vc2 = Vector256.Create(c2);
        Vector256<double> nd1 = Vector256.Create(-d1), nd2 = Vector256.Create(-d2);
        for (var i = 0; i < count; i++)
        {
            var v = Vector256.Create((double)Unsafe.Add(ref x0, i), Unsafe.Add(ref x1, i), Unsafe.Add(ref x2, i), Unsafe.Add(ref x3, i));
            var y = Vector256.FusedMultiplyAdd(vb0, v, s1);
            s1 = Vector256.FusedMultiplyAdd(na1, y, Vector256.FusedMultiplyAdd(vb1, v, s2));
            s2 = Vector256.FusedMultiplyAdd(na2, y, vb2 * v);
            var z = Vector256.FusedMultiplyAdd(vc0, y, t1);
            t1 = Vector256.FusedMultiplyAdd(nd1, z, Vector256.FusedMultiplyAdd(vc1, y, t2));
            t2 = Vector256.FusedMultiplyAdd(nd2, z, vc2 * y);
            acc = Vector256.FusedMultiplyAdd(z, z, acc);
        }

        for (var lane = 0; lane < 4; lane++)
        {
            state[((slot + lane) * 4) + 0] = s1.GetElement(lane);
            state[((slot + lane) * 4) + 1] = s2.GetElement(lane);
            state[((slot + lane) * 4) + 2] = t1.GetElement(lane);
            state[((slot + lane) * 4) + 3] = t2.GetElement(lane);
        }

        sums[ch0] += acc.GetElement(0);
        sums[ch1] += acc.GetElement(1);
        sums[ch2] += acc.GetElement(2);
        sums[ch3] += acc.GetElement(3);
    }

    private Vector128<double> Lanes2(int slot, int k) => Vector128.Create(state[(slot * 4) + k], state[((slot + 1) * 4) + k]);

    private void Store2(int slot, int k, Vector128<double> v)
    {
        state[(slot * 4) + k] = v.GetElement(0);
        state[((slot + 1) * 4) + k] = v.GetElement(1);
    }

    private Vector256<double> Lanes4(int slot, int k) =>
        Vector256.Create(state[(slot * 4) + k], state[((slot + 1) * 4) + k], state[((slot + 2) * 4) + k], state[((slot + 3) * 4) + k]);

    private static void CheckRange(float[] channel, int offset, int count)
    {
        if ((uint)offset > (uint)channel.Length || (uint)count > (uint)(channel.Length - offset))
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Frame range extends past the channel.");
        }
    }
}
