using System.Globalization;
using System.Net;
using System.Text;
using DatasetForge.Common;
using DatasetForge.Splits;

namespace DatasetForge.Stats;

/// <summary>
/// Writes a dataset's statistics: `stats/stats.csv`, `stats/distributions.csv`, PNG plots (ScottPlot: genres,
/// instruments and lengths per split) and `stats/index.html`, a static page (opens from disk) that shows the table,
/// the split balance (when `forge split` ran) and the plots.
/// </summary>
public static class StatsReport
{
    public const string StatsFile = "stats/stats.csv";
    public const string DistributionsFile = "stats/distributions.csv";
    public const string IndexFile = "stats/index.html";

    public static IReadOnlyList<string> Write(string datasetDir, DatasetStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var dir = Path.Combine(datasetDir, "stats");
        Directory.CreateDirectory(dir);
        CsvTable.Write(Path.Combine(datasetDir, StatsFile), stats.Rows);
        CsvTable.Write(Path.Combine(datasetDir, DistributionsFile), stats.Distributions);
        var plots = new List<(string File, string Title)>();
        foreach (var (kind, title) in new[] { ("genre", "Songs per broad genre"), ("instrument", "Songs containing each level-1 instrument"), ("length", "Song lengths (mm:ss)") })
        {
            var file = $"{kind}s.png";
            Plot(Path.Combine(dir, file), title, kind, stats);
            plots.Add((file, title));
        }

        var balancePath = Path.Combine(datasetDir, SplitStage.BalanceFile);
        var balance = File.Exists(balancePath) ? CsvTable.Read<SplitBalance>(balancePath) : [];
        AtomicFile.WriteAllText(Path.Combine(datasetDir, IndexFile), Html(datasetDir, stats, balance, plots));
        return [StatsFile, DistributionsFile, .. plots.Select(p => $"stats/{p.File}"), IndexFile];
    }

    /// <summary>Grouped bars: fraction of the scope's songs per key, one colour per scope (all, train, validation, test).</summary>
    private static void Plot(string path, string title, string kind, DatasetStats stats)
    {
        var rows = stats.Distributions.Where(d => d.Kind == kind).ToList();
        var keys = kind == "length"
            ? rows.Select(r => r.Key).Distinct().Order(StringComparer.Ordinal).ToList()
            : rows.Where(r => r.Scope == "all").OrderByDescending(r => r.Songs).Select(r => r.Key).ToList();
        var plot = new ScottPlot.Plot();
        var width = 0.8 / stats.Scopes.Count;
        var palette = new ScottPlot.Palettes.Category10();
        for (var s = 0; s < stats.Scopes.Count; s++)
        {
            var scope = stats.Scopes[s];
            var bars = keys.Select((k, i) => new ScottPlot.Bar
            {
                Position = i - 0.4 + (width * (s + 0.5)),
                Value = rows.FirstOrDefault(r => r.Scope == scope && r.Key == k)?.Fraction ?? 0,
                Size = width * 0.95,
                FillColor = palette.GetColor(s),
                LineWidth = 0,
            }).ToList();
            var series = plot.Add.Bars(bars);
            series.LegendText = scope;
        }

        plot.Axes.Bottom.SetTicks(keys.Select((_, i) => (double)i).ToArray(), keys.Select(k => k.Length > 28 ? k[..27] + "…" : k).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = keys.Count > 4 ? 40 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = keys.Count > 4 ? ScottPlot.Alignment.MiddleLeft : ScottPlot.Alignment.UpperCenter;
        plot.Axes.Bottom.MinimumSize = keys.Count > 4 ? 160 : 40;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("fraction of songs");
        plot.ShowLegend(ScottPlot.Edge.Right);
        var temp = AtomicFile.TempPathFor(path) + ".png";
        try
        {
            plot.SavePng(temp, Math.Max(640, 60 * keys.Count + 200), 480);
            AtomicFile.Commit(temp, path);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static string Html(string datasetDir, DatasetStats stats, IReadOnlyList<SplitBalance> balance, List<(string File, string Title)> plots)
    {
        var inv = CultureInfo.InvariantCulture;
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dataset statistics</title>\n")
            .Append("<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}img{max-width:100%;display:block;margin:1em 0}</style></head><body>\n")
            .Append("<h1>Dataset statistics</h1>\n<p>").Append(E(Path.GetFullPath(datasetDir))).Append("</p>\n")
            .Append("<h2>Summary (MS21 Table 3 columns)</h2>\n<table id=\"stats\"><tr><th>scope</th><th>songs</th><th>artists</th><th>hours</th><th>raw tracks / song</th>")
            .Append("<th>instrument categories</th><th>vocal %</th><th>leakage %</th><th>stereo/mono</th><th>mono raw tracks %</th><th>median length (s)</th></tr>\n");
        foreach (var r in stats.Rows)
        {
            sb.Append(string.Create(inv, $"<tr><td>{E(r.Scope)}</td><td>{r.Songs}</td><td>{r.Artists}</td><td>{r.Hours:0.000}</td><td>{r.RawTracksMean:0.0} &plusmn; {r.RawTracksSd:0.0}</td>"))
                .Append(string.Create(inv, $"<td>{r.InstrumentCategories}</td><td>{r.VocalPercent:0.0}</td><td>{(r.LeakagePercent is { } l ? l.ToString("0.0", inv) : "n/a")}</td><td>{E(r.StereoMono)}</td><td>{r.RawMonoPercent:0.0}</td><td>{r.MedianSongS:0.0}</td></tr>\n"));
        }

        sb.Append("</table>\n");
        if (balance.Count > 0)
        {
            sb.Append("<h2>Split balance</h2>\n<p>Jensen-Shannon divergence (bits) of each split's distribution from the whole dataset's: 0 = identical.</p>\n")
                .Append("<table id=\"balance\"><tr><th>split</th><th>songs</th><th>artists</th><th>hours</th><th>forced</th><th>fraction</th><th>genre JS</th><th>instrument JS</th></tr>\n");
            foreach (var b in balance)
            {
                sb.Append(string.Create(inv, $"<tr><td>{E(b.Split)}</td><td>{b.Songs}</td><td>{b.Artists}</td><td>{b.Hours:0.000}</td><td>{b.Forced}</td><td>{b.SongFraction:0.000}</td><td>{b.GenreJsBits:0.0000}</td><td>{b.InstrumentJsBits:0.0000}</td></tr>\n"));
            }

            sb.Append("</table>\n");
        }

        foreach (var (file, title) in plots)
        {
            sb.Append("<h2>").Append(E(title)).Append("</h2>\n<img src=\"").Append(E(file)).Append("\" alt=\"").Append(E(title)).Append("\">\n");
        }

        sb.Append("<p>Data: <a href=\"stats.csv\">stats.csv</a>, <a href=\"distributions.csv\">distributions.csv</a>")
            .Append(balance.Count > 0 ? ", <a href=\"split_balance.csv\">split_balance.csv</a>" : string.Empty).Append(".</p>\n</body></html>\n");
        return sb.ToString();
    }
}
