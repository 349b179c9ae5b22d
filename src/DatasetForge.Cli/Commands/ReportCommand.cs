using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DatasetForge.Analysis;
using DatasetForge.Analysis.Report;
using DatasetForge.Common.Config;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge report DIR [--out OUT]`: the static HTML audit report of an analysed dataset or catalog.</summary>
internal sealed class ReportCommand : IForgeCommand
{
    public Command Create()
    {
        var input = new Argument<string>("dir") { Description = "an analysed dataset or catalog (DIR/analysis/*.csv from `forge analyze`)" };
        var output = new Option<string?>("--out") { Description = "output folder (default DIR/report)" };
        var labels = new Option<string?>("--labels") { Description = "catalog only: the labels the analysis used (to find the tracks' audio for excerpts)" };
        var hierarchy = new Option<string?>("--hierarchy") { Description = "hierarchy preset or file (default: the dataset's, else ms21)" };
        var command = new Command("report", "Static HTML audit report (sortable tables, plots, audio excerpts, CSV) of an analysed dataset or catalog.")
        {
            input, output, labels, hierarchy,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var sw = Stopwatch.StartNew();
                var data = AnalysisInput.Open(parse.GetValue(input)!, parse.GetValue(labels), parse.GetValue(hierarchy));
                var outDir = parse.GetValue(output) ?? Path.Combine(data.Root, "report");
                var summary = ReportBuilder.Build(data, outDir);
                foreach (var warning in summary.Warnings)
                {
                    stderr.WriteLine($"warning: {warning}");
                }

                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"report: {Path.GetFullPath(Path.Combine(outDir, "index.html"))} ({summary.Songs} songs, {summary.Tracks} tracks, {summary.Pages} pages, {summary.Excerpts} excerpts) in {sw.Elapsed.TotalSeconds:F2} s"));
                return 0;
            }
            catch (Exception e) when (e is ConfigException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException or ArgumentException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
