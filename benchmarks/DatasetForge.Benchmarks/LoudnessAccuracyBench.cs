using System.CommandLine;
using System.Text.Json.Nodes;
using DatasetForge.Loudness;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench loudness-accuracy`: every case of shared/oracles/loudness/cases.json measured by our meter against
/// libebur128's values (the same cases and synthesis the tests use); prints the largest |delta| per sample rate.
/// </summary>
public sealed class LoudnessAccuracyBench : IBenchCommand
{
    public Command Create()
    {
        var oracle = new Option<string?>("--oracle") { Description = "folder holding cases.json (default: <shared>/oracles/loudness)" };
        var cases = new Option<bool>("--cases") { Description = "also list every case" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("loudness-accuracy", "Largest |delta| against libebur128's reference values, per sample rate.") { oracle, cases, json };
        command.SetAction(parse => Run(parse.GetValue(oracle) ?? Path.Combine(BenchSupport.SharedFolder(), "oracles", "loudness"), parse.GetValue(cases), parse.GetValue(json)));
        return command;
    }

    private static int Run(string folder, bool listCases, bool json)
    {
        var rows = new List<(LoudnessCase Case, double Integrated, double SamplePeak, double TruePeak)>();
        foreach (var c in LoudnessCase.Load(folder))
        {
            var result = c.File is not null ? LoudnessMeter.MeasureFile(c.File) : LoudnessMeter.Measure(c.Synthesize());
            rows.Add((c, Delta(result.IntegratedLufs, c.IntegratedLufs), Delta(result.SamplePeakDbfs, c.SamplePeakDbfs), Delta(result.TruePeakDbtp, c.TruePeakDbtp)));
        }

        var byRate = rows.GroupBy(r => r.Case.SampleRate).OrderBy(g => g.Key).Select(g => new
        {
            Rate = g.Key,
            Cases = g.Count(),
            FileCases = g.Count(r => r.Case.File is not null),
            Integrated = g.Max(r => r.Integrated),
            IntegratedFiles = g.Where(r => r.Case.File is not null).Select(r => r.Integrated).DefaultIfEmpty(0).Max(),
            IntegratedRecipes = g.Where(r => r.Case.File is null).Select(r => r.Integrated).DefaultIfEmpty(0).Max(),
            SamplePeak = g.Max(r => r.SamplePeak),
            TruePeak = g.Max(r => r.TruePeak),
        }).ToList();
        var failures = rows.Where(r => r.Integrated > (r.Case.File is null ? 0.02 : 0.01) || r.SamplePeak > 0.01 || r.TruePeak > 0.1).ToList();

        if (json)
        {
            BenchSupport.PrintJson(new JsonObject
            {
                ["benchmark"] = "loudness-accuracy",
                ["oracle"] = folder,
                ["per_sample_rate"] = new JsonArray(byRate.Select(r => (JsonNode)new JsonObject
                {
                    ["sample_rate"] = r.Rate,
                    ["cases"] = r.Cases,
                    ["file_cases"] = r.FileCases,
                    ["max_abs_delta_integrated_lu"] = Round(r.Integrated),
                    ["max_abs_delta_integrated_lu_files"] = Round(r.IntegratedFiles),
                    ["max_abs_delta_integrated_lu_recipes"] = Round(r.IntegratedRecipes),
                    ["max_abs_delta_sample_peak_db"] = Round(r.SamplePeak),
                    ["max_abs_delta_true_peak_db"] = Round(r.TruePeak),
                }).ToArray()),
                ["cases"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["id"] = r.Case.Id,
                    ["delta_integrated_lu"] = Round(r.Integrated),
                    ["delta_sample_peak_db"] = Round(r.SamplePeak),
                    ["delta_true_peak_db"] = Round(r.TruePeak),
                }).ToArray()),
                ["out_of_tolerance"] = new JsonArray(failures.Select(f => (JsonNode)f.Case.Id).ToArray()),
            });
        }
        else
        {
            if (listCases)
            {
                BenchSupport.Print("per case |delta| vs libebur128", ["case", "rate", "source", "integrated LU", "sample peak dB", "true peak dB"],
                    rows.Select(r => (IReadOnlyList<string>)[r.Case.Id, r.Case.SampleRate.ToString(), r.Case.File is null ? "recipe" : "file",
                        r.Integrated.ToString("F4"), r.SamplePeak.ToString("F4"), r.TruePeak.ToString("F4")]));
            }

            BenchSupport.Print($"largest |delta| vs libebur128 over {rows.Count} cases ({folder})",
                ["sample rate", "cases (files)", "integrated LU", "sample peak dB", "true peak dB"],
                byRate.Select(r => (IReadOnlyList<string>)[r.Rate.ToString(), $"{r.Cases} ({r.FileCases})", r.Integrated.ToString("F4"), r.SamplePeak.ToString("F4"), r.TruePeak.ToString("F4")]));
            foreach (var f in failures)
            {
                Console.Error.WriteLine($"error: {f.Case.Id}: outside tolerance");
            }
        }

        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>|ours - reference|; 0 when both are undefined (-inf / null), +inf when only one is.</summary>
    private static double Delta(double ours, double? reference)
    {
        if (reference is null)
        {
            return double.IsNegativeInfinity(ours) ? 0 : double.PositiveInfinity;
        }

        return double.IsFinite(ours) ? Math.Abs(ours - reference.Value) : double.PositiveInfinity;
    }

    private static double? Round(double v) => double.IsFinite(v) ? Math.Round(v, 5) : null;
}
