using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Audio;
using DatasetForge.Loudness;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge loudness FILE... [--json]`: BS.1770-4 integrated loudness, sample peak and true peak of each file. A file
/// that cannot be read gets an error line on stderr naming it and the reason; the others are still measured and
/// the exit code is 1.
/// </summary>
internal sealed class LoudnessCommand : IForgeCommand
{
    public Command Create()
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "WAV/RF64/AIFF/AIFC files" };
        var json = new Option<bool>("--json") { Description = "print one JSON array of objects instead of a table" };
        var command = new Command("loudness", "Measure integrated loudness (LUFS), sample peak (dBFS) and true peak (dBTP), ITU-R BS.1770-4.") { files, json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var paths = parse.GetValue(files) ?? [];
            var results = paths.AsParallel().AsOrdered().Select(Measure).ToList();
            foreach (var (path, _, reason) in results.Where(r => r.Reason is not null))
            {
                error.WriteLine($"error: {path}: {reason}");
            }

            var measured = results.Where(r => r.Result is not null).Select(r => (r.Path, Result: r.Result!)).ToList();
            if (parse.GetValue(json))
            {
                output.WriteLine(ToJson(measured).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected)
            {
                var table = new Table().AddColumns("file", "rate", "ch", "frames", "integrated LUFS", "sample peak dBFS", "true peak dBTP");
                foreach (var (path, r) in measured)
                {
                    table.AddRow(Markup.Escape(path), r.SampleRate.ToString(CultureInfo.InvariantCulture), r.Channels.ToString(CultureInfo.InvariantCulture),
                        r.Frames.ToString(CultureInfo.InvariantCulture), Format(r.IntegratedLufs), Format(r.SamplePeakDbfs), Format(r.TruePeakDbtp));
                }

                AnsiConsole.Write(table);
            }
            else
            {
                output.WriteLine("file\tsample_rate\tchannels\tframes\tintegrated_lufs\tsample_peak_dbfs\ttrue_peak_dbtp");
                foreach (var (path, r) in measured)
                {
                    output.WriteLine(string.Join('\t', path, r.SampleRate, r.Channels, r.Frames, Format(r.IntegratedLufs), Format(r.SamplePeakDbfs), Format(r.TruePeakDbtp)));
                }
            }

            return measured.Count == paths.Length ? 0 : 1;
        });
        return command;
    }

    private static (string Path, LoudnessResult? Result, string? Reason) Measure(string path)
    {
        try
        {
            return (path, LoudnessMeter.MeasureFile(path), null);
        }
        catch (AudioFormatException e)
        {
            return (path, null, e.Reason);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (path, null, e.Message);
        }
    }

    private static JsonArray ToJson(IEnumerable<(string Path, LoudnessResult Result)> measured) =>
        new(measured.Select(m => (JsonNode)new JsonObject
        {
            ["file"] = m.Path,
            ["sample_rate"] = m.Result.SampleRate,
            ["channels"] = m.Result.Channels,
            ["frames"] = m.Result.Frames,
            ["duration_seconds"] = Math.Round(m.Result.DurationSeconds, 6),
            ["integrated_lufs"] = Number(m.Result.IntegratedLufs),
            ["max_momentary_lufs"] = Number(m.Result.MaxMomentaryLufs),
            ["max_short_term_lufs"] = Number(m.Result.MaxShortTermLufs),
            ["sample_peak_dbfs"] = Number(m.Result.SamplePeakDbfs),
            ["true_peak_dbtp"] = Number(m.Result.TruePeakDbtp),
        }).ToArray());

    /// <summary>Rounded to 1e-4; null for -infinity (undefined loudness, digital silence).</summary>
    private static double? Number(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "-inf";
}
