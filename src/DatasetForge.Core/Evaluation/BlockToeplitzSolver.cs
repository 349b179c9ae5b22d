using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vector = System.Numerics.Vector;

namespace DatasetForge.Evaluation;

/// <summary>
/// Solves the normal equations of BSS Eval's distortion filters, G x = d, where G is the Gram matrix of
/// <c>m</c> signals each delayed by 0..L-1 samples. Ordered lag-major, G is symmetric block Toeplitz with m x m
/// blocks: block (a, b) = R(a - b), R(k)[p, q] = sum_t u_p[t] u_q[t + k], R(-k) = R(k)^T. The multichannel
/// Levinson recursion solves it in O(L^2 m^3) instead of the O((L m)^3) of a dense solve.
/// Robustness: channels that are silent or exact linear combinations of others at lag 0 (their residual energy in a
/// pivoted Cholesky of R(0) is below <see cref="RelativeRankTolerance"/> of the largest) are dropped, which leaves the
/// span unchanged, and museval's regularization (machine epsilon on the diagonal) is applied to the rest. (Whitening
/// the channels first was tried and measured to lose three digits in the recursion, so the basis is left as is.)
/// </summary>
internal static class BlockToeplitzSolver
{
    /// <summary>Channel combinations weaker than this fraction of the strongest are treated as exactly zero.</summary>
    public const double RelativeRankTolerance = 1e-13;

    /// <summary>numpy's finfo(float).eps, the diagonal loading museval applies.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <param name="r">R(k) for k = 0..L-1, each m x m row-major, concatenated.</param>
    /// <param name="d">right-hand sides: block a (m x rhs, row-major) = sum_t u_p[t] e[t + a].</param>
    /// <returns>x, L blocks of m x rhs: the filter taps x[a][p, c].</returns>
    public static double[] Solve(ReadOnlySpan<double> r, ReadOnlySpan<double> d, int m, int l, int rhs)
    {
        if (r.Length != l * m * m || d.Length != l * m * rhs)
        {
            throw new ArgumentException("R must hold L blocks of m x m and d L blocks of m x rhs.");
        }

        // Keep a linearly independent subset of the channels (pivoted Cholesky of R(0)): a silent channel, or one that
        // is an exact combination of others (mono stored as stereo), adds nothing to the span and would make G singular.
        var kept = IndependentChannels(r[..(m * m)], m);
        var k = kept.Length;
        var result = new double[l * m * rhs];
        if (k == 0)
        {
            return result; // every signal is silent: the projection is zero.
        }

        var rw = new double[l * k * k];
        var dw = new double[l * k * rhs];
        for (var a = 0; a < l; a++)
        {
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                {
                    rw[(a * k * k) + (i * k) + j] = r[(a * m * m) + (kept[i] * m) + kept[j]];
                }

                d.Slice((a * m * rhs) + (kept[i] * rhs), rhs).CopyTo(dw.AsSpan((a * k * rhs) + (i * rhs), rhs));
            }
        }

        // museval solves (G + eps I) x = D.
        for (var c = 0; c < k; c++)
        {
            rw[(c * k) + c] += MachineEpsilon;
        }

        var xw = SolveRefined(rw, dw, k, l, rhs);

        for (var a = 0; a < l; a++)
        {
            for (var i = 0; i < k; i++)
            {
                xw.AsSpan((a * k * rhs) + (i * rhs), rhs).CopyTo(result.AsSpan((a * m * rhs) + (kept[i] * rhs), rhs));
            }
        }

        return result;
    }

    /// <summary>Channels kept by a Cholesky factorization of R(0) with diagonal pivoting, in their original order.</summary>
    internal static int[] IndependentChannels(ReadOnlySpan<double> r0, int m)
    {
        var a = r0.ToArray();
        var maxDiagonal = 0.0;
        for (var i = 0; i < m; i++)
        {
            maxDiagonal = Math.Max(maxDiagonal, a[(i * m) + i]);
        }

        var kept = new List<int>();
        var remaining = Enumerable.Range(0, m).ToList();
        while (remaining.Count > 0)
        {
            var pivot = remaining.MaxBy(i => a[(i * m) + i]);
            var value = a[(pivot * m) + pivot];
            if (!(value > maxDiagonal * RelativeRankTolerance))
            {
                break;
            }

            kept.Add(pivot);
            remaining.Remove(pivot);

            // Schur complement: a_ij -= a_ip a_pj / a_pp over the remaining channels.
            foreach (var i in remaining)
            {
                var factor = a[(i * m) + pivot] / value;
                foreach (var j in remaining)
                {
                    a[(i * m) + j] -= factor * a[(pivot * m) + j];
                }
            }
        }

        kept.Sort();
        return kept.ToArray();
    }

    /// <summary>
    /// Levinson solve followed by iterative refinement: the recursion alone loses about three digits on the
    /// ill-conditioned systems music gives (condition ~1e12), and the frame-local projections amplify that error;
    /// re-solving for the exactly computed residual recovers the accuracy of a dense LU solve.
    /// </summary>
    internal static double[] SolveRefined(ReadOnlySpan<double> r, ReadOnlySpan<double> d, int m, int l, int rhs)
    {
        var x = Levinson(r, d, m, l, rhs);
        var previous = double.PositiveInfinity;
        for (var iteration = 0; iteration < MaxRefinements; iteration++)
        {
            var residual = Residual(r, d, x, m, l, rhs);
            var norm = Norm(residual);
            if (!(norm < 0.5 * previous) || norm == 0)
            {
                break;
            }

            previous = norm;
            var correction = Levinson(r, residual, m, l, rhs);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] += correction[i];
            }
        }

        return x;
    }

    /// <summary>Refinement steps at most (one is normally enough: the error drops by the recursion's ~1e-3 each step).</summary>
    internal const int MaxRefinements = 2;

    /// <summary>d - T x, with T[a, b] = R(a - b), computed directly.</summary>
    internal static double[] Residual(ReadOnlySpan<double> r, ReadOnlySpan<double> d, double[] x, int m, int l, int rhs)
    {
        var mm = m * m;
        var mr = m * rhs;
        var result = new double[l * mr];
        for (var a = 0; a < l; a++)
        {
            var row = result.AsSpan(a * mr, mr);
            for (var b = 0; b < l; b++)
            {
                var xb = x.AsSpan(b * mr, mr);
                if (a >= b)
                {
                    MulAdd(r.Slice((a - b) * mm, mm), xb, row, m, m, rhs);
                }
                else
                {
                    MulAddTransposedA(r.Slice((b - a) * mm, mm), xb, row, m, m, rhs);
                }
            }

            var da = d.Slice(a * mr, mr);
            for (var i = 0; i < mr; i++)
            {
                row[i] = da[i] - row[i];
            }
        }

        return result;
    }

    private static double Norm(double[] values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v * v;
        }

        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Multichannel Levinson recursion (Whittle's form) on R (L blocks of m x m) for rhs right-hand sides. Keeps the
    /// monic forward and backward predictors A (A_0 = I) and B (B_last = I) of the order-n matrix, with
    /// T_n A = [P_f; 0...] and T_n B = [0...; P_b], and extends them one order per step:
    /// delta_f = sum_j R(n-j) A_j, delta_b = sum_j R(j+1)^T B_j,
    /// A' = [A;0] - [0;B] P_b^-1 delta_f, B' = [0;B] - [A;0] P_f^-1 delta_b, then
    /// x' = [x;0] + B' P_b'^-1 (d_n - sum_j R(n-j) x_j). Rows are padded to the SIMD width.
    /// </summary>
    internal static double[] Levinson(ReadOnlySpan<double> r, ReadOnlySpan<double> d, int m, int l, int rhs)
    {
        var vw = System.Numerics.Vector<double>.Count;
        var w = (m + vw - 1) / vw * vw;      // padded row width of A, B
        var wr = (rhs + vw - 1) / vw * vw;   // padded row width of x
        var mm = m * m;
        var a = new double[l * m * w];
        var bh = new double[l * m * w];
        var x = new double[l * m * wr];
        for (var i = 0; i < m; i++)
        {
            a[(i * w) + i] = 1;
            bh[(i * w) + i] = 1;
        }

        var pf = r[..mm].ToArray();
        var pb = r[..mm].ToArray();
        var v = new double[m * wr];
        var rhsBlock = new double[m * rhs];
        d[..(m * rhs)].CopyTo(rhsBlock);
        SmallSolve(pb, rhsBlock, m, rhs, v, wr);
        v.AsSpan(0, m * wr).CopyTo(x);

        var delta = new double[m * w];
        var deltaB = new double[m * w];
        var deltaT = new double[mm];
        var deltaDense = new double[mm];
        var kf = new double[m * w];
        var kb = new double[m * w];
        var theta = new double[m * wr];
        var product = new double[mm];
        for (var n = 1; n < l; n++)
        {
            // delta_f = sum_{j<n} R(n-j) A_j ; delta_b = sum_{j<n} R(j+1)^T B_j. In exact arithmetic delta_b = delta_f^T,
            // but computing it directly measured ~100x more accurate on ill-conditioned music correlations.
            LagSum(r, m, n, a, w, delta, transposed: false);
            LagSum(r, m, n, bh, w, deltaB, transposed: true);
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < m; j++)
                {
                    deltaDense[(i * m) + j] = delta[(i * w) + j];
                    deltaT[(i * m) + j] = deltaB[(i * w) + j];
                }
            }

            // K_f = -P_b^-1 delta_f ; K_b = -P_f^-1 delta_b
            SmallSolve(pb, deltaDense, m, m, kf, w);
            SmallSolve(pf, deltaT, m, m, kb, w);
            Negate(kf);
            Negate(kb);

            // P_f += delta_b K_f ; P_b += delta_f K_b
            AddProduct(deltaT, kf, w, pf, m, product);
            AddProduct(deltaDense, kb, w, pb, m, product);

            UpdatePredictors(a, bh, n, m, w, kf, kb);

            // theta = sum_{j<n} R(n-j) x_j ; v = P_b^-1 (d_n - theta) ; x_j += B_j v
            LagSum(r, m, n, x, wr, theta, transposed: false);
            var dn = d.Slice(n * m * rhs, m * rhs);
            for (var i = 0; i < m; i++)
            {
                for (var c = 0; c < rhs; c++)
                {
                    rhsBlock[(i * rhs) + c] = dn[(i * rhs) + c] - theta[(i * wr) + c];
                }
            }

            SmallSolve(pb, rhsBlock, m, rhs, v, wr);
            RowsTimesSmallAdd(bh, (n + 1) * m, m, w, v, wr, x);
        }

        var result = new double[l * m * rhs];
        for (var row = 0; row < l * m; row++)
        {
            x.AsSpan(row * wr, rhs).CopyTo(result.AsSpan(row * rhs, rhs));
        }

        return result;
    }

    /// <summary>
    /// acc[p, :] = sum_{j &lt; n} sum_q R(n - j)[p, q] Y[j m + q, :] over rows of width w, or, when transposed,
    /// sum_{j &lt; n} sum_q R(j + 1)[q, p] Y[j m + q, :].
    /// </summary>
    private static void LagSum(ReadOnlySpan<double> r, int m, int n, double[] y, int w, double[] acc, bool transposed)
    {
        if (transposed)
        {
            LagSumTransposed(r, m, n, y, w, acc);
            return;
        }

        var mm = m * m;
        var vw = System.Numerics.Vector<double>.Count;
        ref var r0 = ref MemoryMarshal.GetReference(r);
        ref var y0 = ref y[0];
        ref var acc0 = ref acc[0];
        for (var p = 0; p < m; p++)
        {
            for (var c = 0; c < w; c += vw)
            {
                var sum = System.Numerics.Vector<double>.Zero;
                for (var j = 0; j < n; j++)
                {
                    ref var coefficients = ref Unsafe.Add(ref r0, ((n - j) * mm) + (p * m));
                    var rowBase = (j * m * w) + c;
                    for (var q = 0; q < m; q++)
                    {
                        sum += new System.Numerics.Vector<double>(Unsafe.Add(ref coefficients, q)) * Load(ref y0, rowBase + (q * w));
                    }
                }

                Store(sum, ref acc0, (p * w) + c);
            }
        }
    }

    private static void LagSumTransposed(ReadOnlySpan<double> r, int m, int n, double[] y, int w, double[] acc)
    {
        var mm = m * m;
        var vw = System.Numerics.Vector<double>.Count;
        ref var r0 = ref MemoryMarshal.GetReference(r);
        ref var y0 = ref y[0];
        ref var acc0 = ref acc[0];
        for (var p = 0; p < m; p++)
        {
            for (var c = 0; c < w; c += vw)
            {
                var sum = System.Numerics.Vector<double>.Zero;
                for (var j = 0; j < n; j++)
                {
                    ref var coefficients = ref Unsafe.Add(ref r0, ((j + 1) * mm) + p);
                    var rowBase = (j * m * w) + c;
                    for (var q = 0; q < m; q++)
                    {
                        sum += new System.Numerics.Vector<double>(Unsafe.Add(ref coefficients, q * m)) * Load(ref y0, rowBase + (q * w));
                    }
                }

                Store(sum, ref acc0, (p * w) + c);
            }
        }
    }

    /// <summary>In place, j = n..0: A_j = A_j + B_{j-1} K_f ; B_j = B_{j-1} + A_j K_b (old values; A_n = 0, B_{-1} = 0).</summary>
    private static void UpdatePredictors(double[] a, double[] bh, int n, int m, int w, double[] kf, double[] kb)
    {
        var vw = System.Numerics.Vector<double>.Count;
        ref var a0 = ref a[0];
        ref var b0 = ref bh[0];
        ref var kf0 = ref kf[0];
        ref var kb0 = ref kb[0];
        Span<System.Numerics.Vector<double>> newA = stackalloc System.Numerics.Vector<double>[w / vw];
        Span<System.Numerics.Vector<double>> newB = stackalloc System.Numerics.Vector<double>[w / vw];
        for (var j = n; j >= 0; j--)
        {
            for (var i = 0; i < m; i++)
            {
                var row = (j * m) + i;
                var previous = row - m; // row of B_{j-1}
                for (var c = 0; c < w; c += vw)
                {
                    var na = j < n ? Load(ref a0, (row * w) + c) : System.Numerics.Vector<double>.Zero;
                    var nb = j > 0 ? Load(ref b0, (previous * w) + c) : System.Numerics.Vector<double>.Zero;
                    for (var q = 0; q < m; q++)
                    {
                        if (j > 0)
                        {
                            na += new System.Numerics.Vector<double>(Unsafe.Add(ref b0, (previous * w) + q)) * Load(ref kf0, (q * w) + c);
                        }

                        if (j < n)
                        {
                            nb += new System.Numerics.Vector<double>(Unsafe.Add(ref a0, (row * w) + q)) * Load(ref kb0, (q * w) + c);
                        }
                    }

                    newA[c / vw] = na;
                    newB[c / vw] = nb;
                }

                for (var c = 0; c < w; c += vw)
                {
                    Store(newA[c / vw], ref a0, (row * w) + c);
                    Store(newB[c / vw], ref b0, (row * w) + c);
                }
            }
        }
    }

    /// <summary>x[row, :] += sum_q Y[row, q] v[q, :] for the first <paramref name="rows"/> rows.</summary>
    private static void RowsTimesSmallAdd(double[] y, int rows, int m, int w, double[] v, int wr, double[] x)
    {
        var vw = System.Numerics.Vector<double>.Count;
        ref var y0 = ref y[0];
        ref var v0 = ref v[0];
        ref var x0 = ref x[0];
        for (var row = 0; row < rows; row++)
        {
            for (var c = 0; c < wr; c += vw)
            {
                var sum = Load(ref x0, (row * wr) + c);
                for (var q = 0; q < m; q++)
                {
                    sum += new System.Numerics.Vector<double>(Unsafe.Add(ref y0, (row * w) + q)) * Load(ref v0, (q * wr) + c);
                }

                Store(sum, ref x0, (row * wr) + c);
            }
        }
    }

    /// <summary>result (m x cols, written into rows of width w) = P^-1 rhs (m x cols dense); LU with partial pivoting.</summary>
    private static void SmallSolve(double[] p, double[] rhs, int m, int cols, double[] result, int w)
    {
        var lu = (double[])p.Clone();
        var b = (double[])rhs.Clone();
        for (var k = 0; k < m; k++)
        {
            var pivot = k;
            for (var i = k + 1; i < m; i++)
            {
                if (Math.Abs(lu[(i * m) + k]) > Math.Abs(lu[(pivot * m) + k]))
                {
                    pivot = i;
                }
            }

            if (pivot != k)
            {
                for (var j = 0; j < m; j++)
                {
                    (lu[(k * m) + j], lu[(pivot * m) + j]) = (lu[(pivot * m) + j], lu[(k * m) + j]);
                }

                for (var j = 0; j < cols; j++)
                {
                    (b[(k * cols) + j], b[(pivot * cols) + j]) = (b[(pivot * cols) + j], b[(k * cols) + j]);
                }
            }

            var diagonal = lu[(k * m) + k];
            if (diagonal == 0)
            {
                throw new InvalidOperationException("Singular prediction error matrix in the Levinson recursion.");
            }

            for (var i = k + 1; i < m; i++)
            {
                var factor = lu[(i * m) + k] / diagonal;
                if (factor == 0)
                {
                    continue;
                }

                for (var j = k; j < m; j++)
                {
                    lu[(i * m) + j] -= factor * lu[(k * m) + j];
                }

                for (var j = 0; j < cols; j++)
                {
                    b[(i * cols) + j] -= factor * b[(k * cols) + j];
                }
            }
        }

        Array.Clear(result);
        for (var i = m - 1; i >= 0; i--)
        {
            for (var j = 0; j < cols; j++)
            {
                var sum = b[(i * cols) + j];
                for (var k = i + 1; k < m; k++)
                {
                    sum -= lu[(i * m) + k] * result[(k * w) + j];
                }

                result[(i * w) + j] = sum / lu[(i * m) + i];
            }
        }
    }

    /// <summary>target (m x m dense) += a (m x m dense) * b (m rows of width w).</summary>
    private static void AddProduct(double[] a, double[] bPadded, int w, double[] target, int m, double[] scratch)
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var sum = 0.0;
                for (var q = 0; q < m; q++)
                {
                    sum += a[(i * m) + q] * bPadded[(q * w) + j];
                }

                scratch[(i * m) + j] = sum;
            }
        }

        for (var i = 0; i < target.Length; i++)
        {
            target[i] += scratch[i];
        }
    }

    private static void Negate(double[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = -values[i];
        }
    }

    /// <summary>c += a (rows x inner) * b (inner x cols), row-major.</summary>
    internal static void MulAdd(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int rows, int inner, int cols)
    {
        var w = System.Numerics.Vector<double>.Count;
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        ref var c0 = ref MemoryMarshal.GetReference(c);
        for (var i = 0; i < rows; i++)
        {
            var j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j + w <= cols; j += w)
                {
                    var acc = Load(ref c0, (i * cols) + j);
                    for (var q = 0; q < inner; q++)
                    {
                        acc += new System.Numerics.Vector<double>(Unsafe.Add(ref a0, (i * inner) + q)) * Load(ref b0, (q * cols) + j);
                    }

                    Store(acc, ref c0, (i * cols) + j);
                }
            }

            for (; j < cols; j++)
            {
                var s = Unsafe.Add(ref c0, (i * cols) + j);
                for (var q = 0; q < inner; q++)
                {
                    s += Unsafe.Add(ref a0, (i * inner) + q) * Unsafe.Add(ref b0, (q * cols) + j);
                }

                Unsafe.Add(ref c0, (i * cols) + j) = s;
            }
        }
    }

    /// <summary>c += a^T * b where a is inner x rows and b inner x cols, row-major.</summary>
    internal static void MulAddTransposedA(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int rows, int inner, int cols)
    {
        var w = System.Numerics.Vector<double>.Count;
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        ref var c0 = ref MemoryMarshal.GetReference(c);
        for (var i = 0; i < rows; i++)
        {
            var j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j + w <= cols; j += w)
                {
                    var acc = Load(ref c0, (i * cols) + j);
                    for (var q = 0; q < inner; q++)
                    {
                        acc += new System.Numerics.Vector<double>(Unsafe.Add(ref a0, (q * rows) + i)) * Load(ref b0, (q * cols) + j);
                    }

                    Store(acc, ref c0, (i * cols) + j);
                }
            }

            for (; j < cols; j++)
            {
                var s = Unsafe.Add(ref c0, (i * cols) + j);
                for (var q = 0; q < inner; q++)
                {
                    s += Unsafe.Add(ref a0, (q * rows) + i) * Unsafe.Add(ref b0, (q * cols) + j);
                }

                Unsafe.Add(ref c0, (i * cols) + j) = s;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static System.Numerics.Vector<double> Load(ref double origin, int index) =>
        Unsafe.ReadUnaligned<System.Numerics.Vector<double>>(ref Unsafe.As<double, byte>(ref Unsafe.Add(ref origin, index)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(System.Numerics.Vector<double> value, ref double origin, int index) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<double, byte>(ref Unsafe.Add(ref origin, index)), value);
}
