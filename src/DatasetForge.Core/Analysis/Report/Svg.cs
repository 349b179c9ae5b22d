using System.Globalization;
using System.Net;
using System.Text;

namespace DatasetForge.Analysis.Report;

/// <summary>Small inline-SVG charts for the audit report (no scripts, no external files; they print and open from disk).</summary>
public static class Svg
{
    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A histogram of <paramref name="values"/> in bins of <paramref name="width"/> from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static string Histogram(string title, IReadOnlyList<double> values, double min, double max, double width, string xLabel)
    {
        var bins = (int)Math.Ceiling((max - min) / width);
        var counts = new int[bins];
        foreach (var v in values.Where(double.IsFinite))
        {
            counts[Math.Clamp((int)Math.Floor((v - min) / width), 0, bins - 1)]++;
        }

        const int w = 560, h = 220, left = 40, bottom = 36, top = 24;
        var plotW = w - left - 10;
        var plotH = h - bottom - top;
        var peak = Math.Max(1, counts.Max());
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" aria-label=\"{E(title)}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"16\" class=\"title\">{E(title)}</text>");
        for (var i = 0; i < bins; i++)
        {
            var barH = (double)counts[i] / peak * plotH;
            var x = left + ((double)i / bins * plotW);
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{F(x + 1)}\" y=\"{F(top + plotH - barH)}\" width=\"{F(Math.Max(1, ((double)plotW / bins) - 2))}\" height=\"{F(barH)}\" class=\"bar\"><title>{F(min + (i * width))}..{F(min + ((i + 1) * width))}: {counts[i]}</title></rect>");
        }

        for (var i = 0; i <= bins; i += Math.Max(1, bins / 8))
        {
            var x = left + ((double)i / bins * plotW);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{h - 20}\" class=\"tick\" text-anchor=\"middle\">{F(min + (i * width))}</text>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + (plotW / 2)}\" y=\"{h - 4}\" class=\"axis\" text-anchor=\"middle\">{E(xLabel)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{top + 10}\" class=\"tick\">{peak}</text><text x=\"4\" y=\"{top + plotH}\" class=\"tick\">0</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>Horizontal bars of values in [0, 1] with labels.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, double Value, int Count)> rows, string valueLabel)
    {
        const int left = 170, barW = 330, rowH = 20, top = 28;
        var h = top + (rows.Count * rowH) + 24;
        var w = left + barW + 70;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" aria-label=\"{E(title)}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"16\" class=\"title\">{E(title)}</text>");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, value, count) = rows[i];
            var y = top + (i * rowH);
            var v = Math.Clamp(value, 0, 1);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{y + 14}\" class=\"label\" text-anchor=\"end\">{E(label)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y + 3}\" width=\"{F(v * barW)}\" height=\"{rowH - 6}\" class=\"bar\"><title>{E(label)}: {F(v * 100)}% ({count})</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(left + (v * barW) + 4)}\" y=\"{y + 14}\" class=\"tick\">{F(v * 100)}% (n={count})</text>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{h - 6}\" class=\"axis\">{E(valueLabel)}</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>A track-to-track matrix: row = track hearing, column = track heard; colour = probability, text = level when detected.</summary>
    public static string Matrix(string title, IReadOnlyList<string> names, Func<int, int, (double P, double? LevelDb, string Relation)?> cell)
    {
        var n = names.Count;
        const int cellSize = 26, labelW = 190, top = 200;
        var w = labelW + (n * cellSize) + 20;
        var h = top + (n * cellSize) + 30;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart matrix\" role=\"img\" aria-label=\"{E(title)}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"16\" class=\"title\">{E(title)}</text>");
        for (var j = 0; j < n; j++)
        {
            var x = labelW + (j * cellSize) + (cellSize / 2);
            sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate({x},{top - 6}) rotate(-60)\" class=\"label\">{E(Short(names[j]))}</text>");
        }

        for (var i = 0; i < n; i++)
        {
            var y = top + (i * cellSize);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelW - 6}\" y=\"{y + 17}\" class=\"label\" text-anchor=\"end\">{E(Short(names[i]))}</text>");
            for (var j = 0; j < n; j++)
            {
                var x = labelW + (j * cellSize);
                if (i == j)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{cellSize - 1}\" height=\"{cellSize - 1}\" class=\"diag\"/>");
                    continue;
                }

                var c = cell(i, j);
                var p = c?.P ?? 0;
                var shade = (int)Math.Round(255 - (p * 200));
                var fill = c?.Relation == "same_source" ? $"rgb({shade},{shade},255)" : $"rgb(255,{shade},{shade})";
                var tip = c is null ? "no data" : string.Create(CultureInfo.InvariantCulture,
                    $"{names[i]} hears {names[j]}: p={c.Value.P:F2}{(c.Value.LevelDb is { } l ? $", {l:F1} dB" : string.Empty)}, {c.Value.Relation}");
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{cellSize - 1}\" height=\"{cellSize - 1}\" fill=\"{fill}\"><title>{E(tip)}</title></rect>");
                if (c is { Relation: "bleed" or "same_source", LevelDb: { } level })
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (cellSize / 2)}\" y=\"{y + 17}\" class=\"cell\" text-anchor=\"middle\">{F(Math.Round(level))}</text>");
                }
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{h - 8}\" class=\"axis\">row hears column; red = leakage probability, blue = same source recorded twice; number = level (dB re. the row's own content)</text>");
        sb.Append("</svg>");
        return sb.ToString();

        static string Short(string s) => s.Length <= 26 ? s : string.Concat(s.AsSpan(0, 24), "…");
    }
}
