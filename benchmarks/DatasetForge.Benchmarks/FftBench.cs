using System.CommandLine;
using System.Text.Json.Nodes;
using DatasetForge.Dsp;
using MathNet.Numerics.IntegralTransforms;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench fft`: our radix-2 real FFT (the STFT's engine) against MathNet.Numerics' real FFT, per transform on
/// one core, for the sizes the STFT uses; also checks both give the same spectrum.
/// </summary>
public sealed class FftBench : IBenchCommand
{
    public Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var repeats = new Option<int>("--repeats") { Description = "timed rounds", DefaultValueFactory = _ => 5 };
        var command = new Command("fft", "Real FFT, one core: DatasetForge vs MathNet.Numerics.") { json, repeats };
        command.SetAction(parse => Run(parse.GetValue(repeats), parse.GetValue(json)));
        return command;
    }

    private static int Run(int repeats, bool json)
    {
        var core = BenchSupport.PinToOneCore();
        MathNet.Numerics.Control.UseSingleThread();
        var rows = new List<(int Size, double Ours, double MathNet, double MaxDifference)>();
        foreach (var n in new[] { 256, 1024, 2048, 4096, 8192 })
        {
            var x = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i * 0.37) + (float)(i % 7 / 10.0)).ToArray();
            var fft = new RealFft(n);
            var re = new float[fft.Bins];
            var im = new float[fft.Bins];
            var packed = new float[n + 2];
            var count = Math.Max(50, 4_000_000 / n);
            var contest = new Contest(repeats);
            contest.Add("ours", () =>
            {
                for (var k = 0; k < count; k++)
                {
                    fft.Forward(x, re, im);
                }

                return 0;
            });
            contest.Add("mathnet", () =>
            {
                for (var k = 0; k < count; k++)
                {
                    x.CopyTo(packed, 0);
                    Fourier.ForwardReal(packed, n, FourierOptions.NoScaling);
                }

                return 0;
            });
            var results = contest.Run();
            var difference = 0.0;
            var scale = 0.0;
            for (var b = 0; b < fft.Bins; b++)
            {
                difference = Math.Max(difference, Math.Abs(re[b] - packed[2 * b]) + Math.Abs(im[b] - packed[(2 * b) + 1]));
                scale = Math.Max(scale, Math.Abs(packed[2 * b]) + Math.Abs(packed[(2 * b) + 1]));
            }

            rows.Add((n, results[0].BestCpu / count * 1e9, results[1].BestCpu / count * 1e9, difference / scale));
        }

        if (json)
        {
            BenchSupport.PrintJson(new JsonObject
            {
                ["benchmark"] = "fft",
                ["core"] = core,
                ["results"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["n"] = r.Size,
                    ["ours_ns"] = Math.Round(r.Ours, 1),
                    ["mathnet_ns"] = Math.Round(r.MathNet, 1),
                    ["ratio_mathnet_over_ours"] = Math.Round(r.MathNet / r.Ours, 2),
                    ["max_relative_difference"] = r.MaxDifference,
                }).ToArray()),
            });
        }
        else
        {
            BenchSupport.Print($"real FFT per transform, one core (core {core}), CPU time", ["n", "ours ns", "MathNet ns", "MathNet / ours", "max rel. difference"],
                rows.Select(r => (IReadOnlyList<string>)[r.Size.ToString(), r.Ours.ToString("F0"), r.MathNet.ToString("F0"), (r.MathNet / r.Ours).ToString("F2"), r.MaxDifference.ToString("E1")]));
        }

        return 0;
    }
}
