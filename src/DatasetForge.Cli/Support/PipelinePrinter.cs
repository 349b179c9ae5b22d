using System.Globalization;
using DatasetForge.Pipeline;
using Spectre.Console;

namespace DatasetForge.Cli.Support;

/// <summary>The end-of-run summary of `forge run` and `forge demo`: a table per stage and where the outputs are.</summary>
internal static class PipelinePrinter
{
    public static void Print(PipelineSummary s, TextWriter output, TextWriter error, bool terminal, int maxQuarantineLines = 20)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var q in s.Quarantined.Take(maxQuarantineLines))
        {
            error.WriteLine($"quarantined [{q.Stage}] {q.Item}: {q.Reason}");
        }

        if (s.Quarantined.Count > maxQuarantineLines)
        {
            error.WriteLine($"... {s.Quarantined.Count - maxQuarantineLines} more in {s.QuarantineCsv}");
        }

        foreach (var w in s.Warnings)
        {
            error.WriteLine($"warning: {w}");
        }

        var rows = s.Stages.Select(t => new[]
        {
            t.Stage,
            t.Songs.ToString(inv),
            t.Done.ToString(inv),
            t.Skipped.ToString(inv),
            t.Metadata.ToString(inv),
            t.Failed.ToString(inv),
            t.NotRun.ToString(inv),
            t.BusySeconds.ToString("0.0", inv),
            t.CpuSeconds > 0 ? t.CpuSeconds.ToString("0.0", inv) : "-",
        }).ToList();
        string[] header = ["stage", "songs", "done", "skipped", "metadata", "failed", "not run", "busy s", "CPU s"];
        if (terminal)
        {
            var table = new Table().AddColumns(header.Select(h => new TableColumn(h)).ToArray());
            foreach (var row in rows)
            {
                table.AddRow(row.Select(Markup.Escape).ToArray());
            }

            AnsiConsole.Write(table);
        }
        else
        {
            output.WriteLine(string.Join('\t', header));
            foreach (var row in rows)
            {
                output.WriteLine(string.Join('\t', row));
            }
        }

        var d = s.Downloads;
        var lines = new List<(string, string)>
        {
            ("pipeline", $"{s.Name}: {s.Source}"),
            ("songs", string.Create(inv, $"{s.SongsInDataset} of {s.Songs} in the dataset ({s.SongSeconds / 60:0.0} min of mixtures), {s.Quarantined.Count} item(s) quarantined")),
            ("time", string.Create(inv, $"{s.Elapsed.TotalSeconds:0.0} s wall, {s.CpuSeconds:0.0} s CPU ({Environment.ProcessorCount} cores)")),
        };
        if (d.Complete + d.Skipped + d.Failed > 0)
        {
            lines.Add(("downloads", string.Create(inv, $"{d.Complete} fetched ({d.BytesTransferred / 1e6:0.0} MB), {d.Skipped} already complete, {d.Failed} failed")));
        }

        lines.Add(("dataset", s.DatasetDir));
        lines.Add(("labels", s.LabelsCsv));
        if (s.StatsIndex is { } stats)
        {
            lines.Add(("statistics", stats));
        }

        if (s.ReportIndex is { } report)
        {
            lines.Add(("audit report", report));
        }

        lines.Add(("quarantine", s.QuarantineCsv));
        lines.Add(("event log", s.EventsPath));
        foreach (var (name, value) in lines)
        {
            if (terminal)
            {
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {Markup.Escape(value)}");
            }
            else
            {
                output.WriteLine($"{name}: {value}");
            }
        }
    }
}
