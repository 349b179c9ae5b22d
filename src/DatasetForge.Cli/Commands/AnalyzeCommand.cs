using DatasetForge.Cli.Support;
using System.CommandLine;
using System.Globalization;
using DatasetForge.Analysis;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge analyze DATASET_DIR|CATALOG_DIR [--labels L] [--hierarchy H] [--config C] [--jobs N]`: salient segments
/// (BSRNN, MixIT), hierarchical saliency, bleed and vocal quality into `DIR/analysis/`.
/// </summary>
internal sealed class AnalyzeCommand : IForgeCommand
{
    public Command Create()
    {
        var input = new Argument<string>("dir") { Description = "a rendered dataset (manifests/*.csv) or an ingested catalog (catalog/tracks.csv)" };
        var labels = new Option<string?>("--labels") { Description = "catalog only: labels.csv or its folder (default DIR/labels/labels.csv, else the built-in rules)" };
        var hierarchy = new Option<string?>("--hierarchy") { Description = "hierarchy preset or file (default: the dataset's, else ms21)" };
        var config = new Option<string?>("--config") { Description = "analysis parameters YAML (default: built-in pipelines/analysis/default.yaml)" };
        var jobs = new Option<int>("--jobs") { Description = "songs analysed at once (0 = one per core)", DefaultValueFactory = _ => 0 };
        var command = new Command("analyze", "Salient segments (BSRNN SAD, MixIT), hierarchical saliency, microphone bleed and vocal quality of every song, into DIR/analysis/.")
        {
            input, labels, hierarchy, config, jobs,
        };
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var terminal = StageProgressView.IsTerminal(output);
            try
            {
                var options = AnalysisOptions.Load(parse.GetValue(config));
                var data = AnalysisInput.Open(parse.GetValue(input)!, parse.GetValue(labels), parse.GetValue(hierarchy));
                foreach (var warning in data.Warnings)
                {
                    error.WriteLine($"warning: {warning}");
                }

                var summary = await StageProgressView.RunAsync(p => AnalysisStage.RunAsync(data, options, parse.GetValue(jobs), p, token), output).ConfigureAwait(false);

                foreach (var q in summary.Quarantined)
                {
                    error.WriteLine($"error: {q.Item}: {q.Reason}");
                }

                Print(data, summary, terminal ? null : output);
                return summary.Quarantined.Count > 0 ? 1 : 0;
            }
            catch (Exception e) when (e is ConfigException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException or ArgumentException)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException)
            {
                error.WriteLine("analyze: cancelled (finished songs are kept; gathered files were not rewritten)");
                return 130;
            }
        });
        return command;
    }

    private static void Print(AnalysisInput data, AnalysisRunSummary s, TextWriter? plain)
    {
        var seconds = s.Elapsed.TotalSeconds;
        var table = new Table().AddColumns("analyze", "value");
        var rows = new List<(string, string)>();
        void Row(string name, string value)
        {
            rows.Add((name, value));
            table.AddRow(Markup.Escape(name), Markup.Escape(value));
        }

        Row("input", $"{data.Kind.ToString().ToLowerInvariant()} {Path.GetFullPath(data.Root)} (hierarchy {data.Hierarchy.Name})");
        Row("output", Path.GetFullPath(data.AnalysisDir));
        Row("songs analysed / unchanged / failed", string.Create(CultureInfo.InvariantCulture, $"{s.Analysed} / {s.Skipped} / {data.Songs.Count - s.Songs.Count}"));
        Row("tracks / stems", string.Create(CultureInfo.InvariantCulture, $"{s.Songs.Sum(x => x.Tracks)} / {s.Songs.Sum(x => x.Stems)}"));
        Row("songs with harmful bleed", string.Create(CultureInfo.InvariantCulture, $"{s.Songs.Count(x => x.HasBleed)}"));
        Row("quarantined", s.Quarantined.Count.ToString(CultureInfo.InvariantCulture));
        Row("audio read", string.Create(CultureInfo.InvariantCulture, $"{s.AudioSeconds / 60:F1} min"));
        Row("wall time", string.Create(CultureInfo.InvariantCulture, $"{seconds:F2} s ({s.AudioSeconds / Math.Max(seconds, 1e-9):F0}x real time, {Environment.ProcessorCount} cores)"));
        if (plain is not null)
        {
            foreach (var (name, value) in rows)
            {
                plain.WriteLine($"{name}: {value}");
            }

            return;
        }

        AnsiConsole.Write(table);
    }
}
