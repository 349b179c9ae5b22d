using System.Globalization;
using System.Net;
using System.Text;
using DatasetForge.Common;

namespace DatasetForge.Evaluation;

/// <summary>The static HTML page of a dataset evaluation: the aggregate table, each song's scores, the failures.</summary>
public static class EvaluationReport
{
    public static string Html(DatasetEvaluationRequest request, IReadOnlyList<AggregateRow> aggregate, IReadOnlyList<SongScoreRow> songs, IReadOnlyList<QuarantineRecord> failures)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Separation evaluation</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}")
            .Append("caption{text-align:left;font-weight:bold;margin-bottom:.3em}.note{color:#555;max-width:60em}</style></head><body>\n")
            .Append("<h1>Separation evaluation</h1>\n<p class=\"note\">Dataset <code>").Append(E(request.DatasetRoot)).Append("</code>, split <code>")
            .Append(E(request.Split)).Append("</code>, layout ").Append(E(request.Layout.Name)).Append(". BSS Eval v4 (museval-identical) with ")
            .Append(F(request.Options.WindowSeconds)).Append(" s frames every ").Append(F(request.Options.HopSeconds))
            .Append(" s. <b>cSDR</b>: median SDR over frames, then median over songs (SiSEC 2018); <b>uSDR</b>: whole-song SNR, mean over songs (MDX 2021); ")
            .Append("<b>SI-SDR</b>: scale-invariant SDR, mean over songs. All in dB.</p>\n");

        html.Append("<table><caption>Aggregate</caption><tr><th class=\"l\">system</th><th class=\"l\">target</th><th>songs</th><th>cSDR</th><th>SIR</th><th>ISR</th><th>SAR</th><th>uSDR</th><th>SI-SDR</th></tr>\n");
        foreach (var r in aggregate)
        {
            html.Append("<tr><td class=\"l\">").Append(E(r.System)).Append("</td><td class=\"l\">").Append(E(r.Target)).Append("</td><td>").Append(r.Songs)
                .Append("</td><td>").Append(F(r.Csdr)).Append("</td><td>").Append(F(r.Sir)).Append("</td><td>").Append(F(r.Isr))
                .Append("</td><td>").Append(F(r.Sar)).Append("</td><td>").Append(F(r.UsdrMean)).Append("</td><td>").Append(F(r.SiSdrMean)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        if (request.Weights is not null)
        {
            html.Append("<table><caption>Ensemble weights (fitted on ").Append(E(request.Weights.FittedOn)).Append(", ").Append(request.Weights.Songs)
                .Append(" songs)</caption><tr><th class=\"l\">target</th>");
            foreach (var m in request.Weights.Members)
            {
                html.Append("<th>").Append(E(m)).Append("</th>");
            }

            html.Append("</tr>\n");
            foreach (var (target, weights) in request.Weights.Targets.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                html.Append("<tr><td class=\"l\">").Append(E(target)).Append("</td>");
                foreach (var w in weights)
                {
                    html.Append("<td>").Append(w.ToString("F4", CultureInfo.InvariantCulture)).Append("</td>");
                }

                html.Append("</tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("<table><caption>Songs</caption><tr><th class=\"l\">system</th><th class=\"l\">song</th><th class=\"l\">target</th><th>cSDR</th><th>SIR</th><th>ISR</th><th>SAR</th><th>uSDR</th><th>SI-SDR</th><th>frames</th><th>NaN frames</th></tr>\n");
        foreach (var r in songs)
        {
            html.Append("<tr><td class=\"l\">").Append(E(r.System)).Append("</td><td class=\"l\">").Append(E(r.Song)).Append("</td><td class=\"l\">").Append(E(r.Target))
                .Append("</td><td>").Append(F(r.Csdr)).Append("</td><td>").Append(F(r.Sir)).Append("</td><td>").Append(F(r.Isr)).Append("</td><td>").Append(F(r.Sar))
                .Append("</td><td>").Append(F(r.Usdr)).Append("</td><td>").Append(F(r.SiSdr)).Append("</td><td>").Append(r.Frames).Append("</td><td>").Append(r.NanFrames).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        if (failures.Count > 0)
        {
            html.Append("<table><caption>Not evaluated</caption><tr><th class=\"l\">item</th><th class=\"l\">reason</th></tr>\n");
            foreach (var f in failures)
            {
                html.Append("<tr><td class=\"l\">").Append(E(f.Item)).Append("</td><td class=\"l\">").Append(E(f.Reason)).Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string F(double value) => double.IsNaN(value) ? "&ndash;" : value.ToString("F2", CultureInfo.InvariantCulture);
}
