using DatasetForge.Evaluation;
using MathNet.Numerics.LinearAlgebra;

namespace DatasetForge.Tests.Evaluation;

public class BlockToeplitzSolverTests
{
    /// <summary>Delayed-copies least squares solved densely (MathNet) vs the block Levinson solver.</summary>
    [Theory]
    [InlineData(1, 8, 1, false)]
    [InlineData(2, 16, 2, false)]
    [InlineData(3, 12, 2, false)]
    [InlineData(4, 10, 3, true)]
    public void MatchesDenseLeastSquares(int m, int l, int rhs, bool duplicateChannel)
    {
        const int n = 400;
        var random = new Random(m * 100 + l);
        var u = new double[m][];
        for (var p = 0; p < m; p++)
        {
            // Smoothed noise: correlated lags make the system non-trivial.
            u[p] = new double[n];
            var state = 0.0;
            for (var t = 0; t < n; t++)
            {
                state = (0.8 * state) + random.NextDouble() - 0.5;
                u[p][t] = state + (p > 0 ? 0.3 * u[p - 1][t] : 0);
            }
        }

        if (duplicateChannel)
        {
            u[m - 1] = (double[])u[0].Clone();
        }

        var y = Enumerable.Range(0, rhs).Select(_ => Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();

        double Corr(double[] a, double[] b, int k)
        {
            var s = 0.0;
            for (var t = 0; t < n; t++)
            {
                if (t + k >= 0 && t + k < n)
                {
                    s += a[t] * b[t + k];
                }
            }

            return s;
        }

        var r = new double[l * m * m];
        var d = new double[l * m * rhs];
        for (var k = 0; k < l; k++)
        {
            for (var p = 0; p < m; p++)
            {
                for (var q = 0; q < m; q++)
                {
                    r[(k * m * m) + (p * m) + q] = Corr(u[p], u[q], k);
                }

                for (var e = 0; e < rhs; e++)
                {
                    d[(k * m * rhs) + (p * rhs) + e] = Corr(u[p], y[e], k);
                }
            }
        }

        var x = BlockToeplitzSolver.Solve(r, d, m, l, rhs);

        // Dense: columns are delayed copies (S_a u_p)[t] = u_p[t - a], t over the full n + l - 1 support.
        var rows = n + l - 1;
        var a = Matrix<double>.Build.Dense(rows, m * l, (t, col) =>
        {
            var lag = col / m;
            var p = col % m;
            var idx = t - lag;
            return idx >= 0 && idx < n ? u[p][idx] : 0;
        });
        for (var e = 0; e < rhs; e++)
        {
            var target = Vector<double>.Build.Dense(rows, t => t < n ? y[e][t] : 0);
            var coefficients = a.PseudoInverse() * target;
            var dense = a * coefficients;
            var ours = Vector<double>.Build.Dense(m * l, col => x[((col / m) * m * rhs) + ((col % m) * rhs) + e]);
            var projection = a * ours;
            var error = (projection - dense).L2Norm() / dense.L2Norm();
            Assert.False(double.IsNaN(ours.L2Norm()), "ours NaN");
            Assert.False(double.IsNaN(dense.L2Norm()), "dense NaN");
            Assert.True(error < 1e-9, $"rhs {e}: relative projection error {error:E2}");
        }
    }

    [Fact]
    public void FftResidualMatchesDirectResidual()
    {
        const int m = 3, l = 20, rhs = 2;
        var random = new Random(5);
        var r = Enumerable.Range(0, l * m * m).Select(_ => random.NextDouble() - 0.5).ToArray();
        var d = Enumerable.Range(0, l * m * rhs).Select(_ => random.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, l * m * rhs).Select(_ => random.NextDouble() - 0.5).ToArray();
        var fast = BlockToeplitzSolver.Residual(r, d, x, m, l, rhs);
        var direct = BlockToeplitzSolver.ResidualDirect(r, d, x, m, l, rhs);
        for (var i = 0; i < fast.Length; i++)
        {
            Assert.Equal(direct[i], fast[i], 1e-12);
        }
    }
}
