using System.Text.Json;
using DatasetForge.Audio;
using DatasetForge.Evaluation;
using DatasetForge.Tests.TestSupport;
using Xunit.Abstractions;

namespace DatasetForge.Tests.Evaluation;

/// <summary>Every value of ../shared/oracles/sdr/cases.json (measured with museval) within its tolerance.</summary>
public class SdrOracleTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryOracleValueMatchesMuseval()
    {
        var path = SharedData.Path("oracles", "sdr", "cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var tolerance = doc.RootElement.GetProperty("tolerance_db").GetDouble();
        Assert.Equal(0.01, tolerance);
        var failures = new List<string>();
        var worst = new Dictionary<string, double>();
        var compared = 0;
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.NotEmpty(cases);
        foreach (var @case in cases)
        {
            var id = @case.GetProperty("id").GetString()!;
            var folder = SharedData.Path("oracles", "sdr", @case.GetProperty("folder").GetString()!);
            var sources = @case.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).ToArray();
            var refs = sources.Select(s => AudioFile.ReadAll(Path.Combine(folder, $"ref_{s}.wav"))).ToArray();
            var ests = sources.Select(s => AudioFile.ReadAll(Path.Combine(folder, $"est_{s}.wav"))).ToArray();
            var rate = @case.GetProperty("sample_rate").GetInt32();
            var result = BssEval.Evaluate(refs, ests, BssEvalOptions.ForSampleRate(rate), sources);
            var metrics = @case.GetProperty("metrics");
            for (var j = 0; j < sources.Length; j++)
            {
                var expected = metrics.GetProperty(sources[j]);
                void Check(string metric, double? want, double got)
                {
                    compared++;
                    if (want is null)
                    {
                        if (!double.IsNaN(got))
                        {
                            failures.Add($"{id}/{sources[j]}/{metric}: expected NaN, got {got}");
                        }

                        return;
                    }

                    var diff = Math.Abs(want.Value - got);
                    worst[metric] = Math.Max(worst.GetValueOrDefault(metric), double.IsNaN(diff) ? double.PositiveInfinity : diff);
                    if (!(diff <= tolerance))
                    {
                        failures.Add($"{id}/{sources[j]}/{metric}: expected {want}, got {got} (|diff| {diff:E2})");
                    }
                }

                foreach (var (key, table) in new[] { ("sdr_frames", result.Sdr), ("isr_frames", result.Isr), ("sir_frames", result.Sir), ("sar_frames", result.Sar) })
                {
                    var frames = expected.GetProperty(key).EnumerateArray().ToArray();
                    Assert.Equal(frames.Length, result.Frames);
                    for (var t = 0; t < frames.Length; t++)
                    {
                        Check(key, frames[t].ValueKind == JsonValueKind.Null ? null : frames[t].GetDouble(), table[j][t]);
                    }
                }

                Check("csdr_median", expected.GetProperty("csdr_median").GetDouble(), result.MedianSdr(j));
                Check("usdr", expected.GetProperty("usdr").GetDouble(), SeparationMetrics.Usdr(refs[j], ests[j]));
                Check("si_sdr_channel_mean", expected.GetProperty("si_sdr_channel_mean").GetDouble(), SeparationMetrics.SiSdr(refs[j], ests[j]));
            }
        }

        foreach (var (metric, diff) in worst.OrderBy(kv => kv.Key))
        {
            output.WriteLine($"{metric,-22} max |diff| = {diff:E3} dB");
        }

        output.WriteLine($"{compared} values compared");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(compared > 300, $"only {compared} values compared");
    }
}
