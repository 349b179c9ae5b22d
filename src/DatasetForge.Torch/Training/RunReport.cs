using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using DatasetForge.Common;

namespace DatasetForge.Torch.Training;

/// <summary>
/// The run folder's human-readable side: `metrics.csv` and `validation.csv` (the JSONL logs as tables, one column
/// per key), `loss.png` and `validation.png` (ScottPlot: training loss per step; validation uSDR and SI-SDR with the
/// mixture's SI-SDR for reference) and `index.html` (the plots, every validation, links to the files). Every file is written
/// atomically; the report can be rebuilt from the logs at any time.
/// </summary>
public static class RunReport
{
    public static void Write(string runDir, string model, string loss)
    {
        var metrics = ReadJsonl(Path.Combine(runDir, "metrics.jsonl"));
        var validation = ReadJsonl(Path.Combine(runDir, "validation.jsonl"));
        WriteCsv(Path.Combine(runDir, "metrics.csv"), metrics);
        if (validation.Count > 0)
        {
            WriteCsv(Path.Combine(runDir, "validation.csv"), validation);
        }

        Plot(runDir, metrics, validation);
        AtomicFile.WriteAllText(Path.Combine(runDir, "index.html"), Html(runDir, model, loss, metrics, validation));
    }

    /// <summary>Rows of a JSONL file (numbers; null as NaN). Missing file: no rows.</summary>
    public static List<Dictionary<string, double>> ReadJsonl(string path)
    {
        var rows = new List<Dictionary<string, double>>();
        if (!File.Exists(path))
        {
            return rows;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var row = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                row[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : double.NaN;
            }

            rows.Add(row);
        }

        return rows;
    }

    private static void WriteCsv(string path, List<Dictionary<string, double>> rows)
    {
        var columns = new List<string>();
        foreach (var key in rows.SelectMany(r => r.Keys))
        {
            if (!columns.Contains(key))
            {
                columns.Add(key);
            }
        }

        var sb = new StringBuilder(string.Join(',', columns.Select(Quote))).Append('\n');
        foreach (var row in rows)
        {
            sb.Append(string.Join(',', columns.Select(c => row.TryGetValue(c, out var v) && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty))).Append('\n');
        }

        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;

    private static void Plot(string runDir, List<Dictionary<string, double>> metrics, List<Dictionary<string, double>> validation)
    {
        var loss = new ScottPlot.Plot();
        var steps = metrics.Where(r => r.ContainsKey("loss") && double.IsFinite(r["loss"])).ToList();
        if (steps.Count > 0)
        {
            loss.Add.Scatter(steps.Select(r => r["step"]).ToArray(), steps.Select(r => r["loss"]).ToArray()).LegendText = "training loss";
        }

        loss.Title("training loss");
        loss.XLabel("step");
        loss.YLabel("loss");
        Save(loss, Path.Combine(runDir, "loss.png"));
        if (validation.Count == 0)
        {
            return;
        }

        var sdr = new ScottPlot.Plot();
        foreach (var (key, label) in new[] { ("val_usdr", "uSDR"), ("val_si_sdr", "SI-SDR"), ("val_si_sdr_mix", "SI-SDR of the mixture") })
        {
            var points = validation.Where(r => r.TryGetValue(key, out var v) && double.IsFinite(v)).ToList();
            if (points.Count > 0)
            {
                sdr.Add.Scatter(points.Select(r => r["step"]).ToArray(), points.Select(r => r[key]).ToArray()).LegendText = label;
            }
        }

        sdr.Title("validation");
        sdr.XLabel("step");
        sdr.YLabel("dB");
        sdr.ShowLegend(ScottPlot.Edge.Right);
        Save(sdr, Path.Combine(runDir, "validation.png"));
    }

    private static void Save(ScottPlot.Plot plot, string path)
    {
        var temp = AtomicFile.TempPathFor(path) + ".png";
        try
        {
            plot.SavePng(temp, 900, 380);
            AtomicFile.Commit(temp, path);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static string Html(string runDir, string model, string loss, List<Dictionary<string, double>> metrics, List<Dictionary<string, double>> validation)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        static string F(double v) => double.IsFinite(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "";
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>training run ").Append(E(Path.GetFileName(Path.GetFullPath(runDir)))).Append("</title>");
        sb.Append("<style>body{font-family:sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#eee}</style></head><body>");
        sb.Append("<h1>Training run</h1><p>model <b>").Append(E(model)).Append("</b>, loss <b>").Append(E(loss)).Append("</b>");
        if (metrics.Count > 0)
        {
            var last = metrics[^1];
            sb.Append(", ").Append(F(last.GetValueOrDefault("step"))).Append(" steps, last loss ").Append(F(last.GetValueOrDefault("loss", double.NaN)));
            sb.Append(", ").Append(F(last.GetValueOrDefault("step_s", double.NaN))).Append(" s per step, ").Append(F(last.GetValueOrDefault("data_wait_s", double.NaN))).Append(" s waiting for data");
        }

        sb.Append("</p><img src=\"loss.png\" alt=\"training loss\" width=\"900\">");
        if (validation.Count > 0)
        {
            sb.Append("<img src=\"validation.png\" alt=\"validation SDR\" width=\"900\">");
            var keys = validation.SelectMany(r => r.Keys).Distinct().Where(k => k != "elapsed_s").ToList();
            sb.Append("<h2>Validation</h2><table><tr>");
            foreach (var k in keys)
            {
                sb.Append("<th>").Append(E(k)).Append("</th>");
            }

            sb.Append("</tr>");
            foreach (var row in validation)
            {
                sb.Append("<tr>");
                foreach (var k in keys)
                {
                    sb.Append("<td>").Append(row.TryGetValue(k, out var v) ? F(v) : "").Append("</td>");
                }

                sb.Append("</tr>");
            }

            sb.Append("</table>");
        }

        sb.Append("<p>Files: <a href=\"metrics.csv\">metrics.csv</a>, <a href=\"metrics.jsonl\">metrics.jsonl</a>");
        if (validation.Count > 0)
        {
            sb.Append(", <a href=\"validation.csv\">validation.csv</a>");
        }

        sb.Append(", checkpoints/ (use one with <code>forge separate --model</code>).</p></body></html>\n");
        return sb.ToString();
    }
}
