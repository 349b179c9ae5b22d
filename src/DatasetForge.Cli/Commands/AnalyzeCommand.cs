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
            try
            {
                var options = AnalysisOptions.Load(parse.GetValue(config));
                var data = AnalysisInput.Open(parse.GetValue(input)!, parse.GetValue(labels), parse.GetValue(hierarchy));
                foreach (var warning in data.Warnings)
                {
                    Console.Error.WriteLine($"warning: {warning}");
                }

                AnalysisRunSummary summary;
                if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
                {
                    var progress = new Progress<StageProgress>(p =>
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"analyze {p.Done}/{p.Total} {p.Item}{(p.Message is null ? string.Empty : $" ({p.Message})")}")));
                    summary = await AnalysisStage.RunAsync(data, options, parse.GetValue(jobs), progress, token).ConfigureAwait(false);
                }
                else
                {
                    summary = await AnsiConsole.Progress()
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                        .StartAsync(async ctx =>
                        {
                            var task = ctx.AddTask("analyze: songs", maxValue: Math.Max(1, data.Songs.Count));
                            var progress = new Progress<StageProgress>(p => task.Value = p.Done);
                            return await AnalysisStage.RunAsync(data, options, parse.GetValue(jobs), progress, token).ConfigureAwait(false);
                        }).ConfigureAwait(false);
                }

                foreach (var q in summary.Quarantined)
                {
                    Console.Error.WriteLine($"error: {q.Item}: {q.Reason}");
                }

                Print(data, summary);
                return summary.Quarantined.Count > 0 ? 1 : 0;
            }
            catch (Exception e) when (e is ConfigException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("analyze: cancelled (finished songs are kept; gathered files were not rewritten)");
                return 130;
            }
        });
        return command;
    }

    private static void Print(AnalysisInput data, AnalysisRunSummary s)
    {
        var seconds = s.Elapsed.TotalSeconds;
        var table = new Table().AddColumns("analyze", "value");
        table.AddRow("input", Markup.Escape($"{data.Kind.ToString().ToLowerInvariant()} {Path.GetFullPath(data.Root)} (hierarchy {data.Hierarchy.Name})"));
        table.AddRow("output", Markup.Escape(Path.GetFullPath(data.AnalysisDir)));
        table.AddRow("songs analysed / unchanged / failed", string.Create(CultureInfo.InvariantCulture, $"{s.Analysed} / {s.Skipped} / {data.Songs.Count - s.Songs.Count}"));
        table.AddRow("tracks / stems", string.Create(CultureInfo.InvariantCulture, $"{s.Songs.Sum(x => x.Tracks)} / {s.Songs.Sum(x => x.Stems)}"));
        table.AddRow("songs with harmful bleed", string.Create(CultureInfo.InvariantCulture, $"{s.Songs.Count(x => x.HasBleed)}"));
        table.AddRow("quarantined", s.Quarantined.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("audio read", string.Create(CultureInfo.InvariantCulture, $"{s.AudioSeconds / 60:F1} min"));
        table.AddRow("wall time", string.Create(CultureInfo.InvariantCulture, $"{seconds:F2} s ({s.AudioSeconds / Math.Max(seconds, 1e-9):F0}x real time, {Environment.ProcessorCount} cores)"));
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 160;
        }

        AnsiConsole.Write(table);
    }
}
