using System.Globalization;
using System.Net;
using System.Text;
using DatasetForge.Ingest.Catalog;

namespace DatasetForge.Ingest.Scrape;

/// <summary>Options of <see cref="IndexPageWriter"/>.</summary>
public sealed record IndexPageOptions
{
    public string PageTitle { get; init; } = "Free Multitrack Download Library";

    /// <summary>A badge element placed before a project's title (as the real site does for new projects); null for none.</summary>
    public Func<ProjectRecord, string?>? Badge { get; init; }

    /// <summary>A link to the next index page (the source definition's next_page selector must match it: <c>a.c-mtk__next</c>).</summary>
    public string? NextPageUrl { get; init; }
}

/// <summary>
/// Writes library index pages in the DOM shape of the 'Mixing Secrets' library (the shape
/// <c>pipelines/sources/mtk.yaml</c> reads): genre sections, artist blocks with their sub genre, one
/// <c>div.m-mtk-track__main</c> per project with its quoted title, its downloads (labelled by kind, track count and
/// size in the link text) and its preview. Used to serve synthetic libraries (<c>forge demo</c>) and in tests;
/// <see cref="IndexScraper"/> reads back what this writes.
/// </summary>
public static class IndexPageWriter
{
    public const string NextPageClass = "c-mtk__next";

    public static string Write(IEnumerable<ProjectRecord> projects, IndexPageOptions? options = null)
    {
        options ??= new IndexPageOptions();
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>").Append(Encode(options.PageTitle))
            .Append("</title></head><body><main class='c-mtk'>\n");
        var genreIndex = 0;
        foreach (var genre in GroupInOrder(projects, p => p.BroadGenre))
        {
            sb.Append("<div class='c-mtk__genre' id='genre-").Append(genreIndex++).Append("'><h3>").Append(Encode(genre.Key)).Append("</h3>\n");
            foreach (var artist in GroupInOrder(genre, p => (p.Artist, p.SubGenre)))
            {
                sb.Append("<div class='c-mtk__artist m-container m-container--artist'><div class='m-container__title-bar'><h4>")
                    .Append(Encode(artist.Key.Artist)).Append("</h4>");
                if (artist.Key.SubGenre.Length > 0)
                {
                    sb.Append("<span class='m-container__title-bar-item'>").Append(Encode(artist.Key.SubGenre)).Append("</span>");
                }

                sb.Append("</div>\n");
                foreach (var project in artist)
                {
                    WriteProject(sb, project, options);
                }

                sb.Append("</div>\n");
            }

            sb.Append("</div>\n");
        }

        if (options.NextPageUrl is { } next)
        {
            sb.Append("<nav><a class='").Append(NextPageClass).Append("' href='").Append(Encode(next)).Append("'>Next page</a></nav>\n");
        }

        sb.Append("</main></body></html>\n");
        return sb.ToString();
    }

    private static void WriteProject(StringBuilder sb, ProjectRecord project, IndexPageOptions options)
    {
        sb.Append("<div class='m-mtk-track'><div class='m-mtk-track__main'><span class='m-mtk-track__name'>");
        if (options.Badge?.Invoke(project) is { Length: > 0 } badge)
        {
            sb.Append("<span class='m-mtk-track__badge'>").Append(Encode(badge)).Append("</span>");
        }

        sb.Append(Encode($"'{project.Title}'")).Append("</span>");
        var downloads = new List<(string Url, string Kind)>();
        if (project.ArchiveUrl.Length > 0)
        {
            downloads.Add((project.ArchiveUrl, project.ArchiveKind));
        }

        var otherKinds = ProjectRecord.Split(project.OtherArchiveKinds);
        downloads.AddRange(project.OtherArchives.Select((url, i) => (url, i < otherKinds.Count ? otherKinds[i] : "other")));
        if (downloads.Count > 0)
        {
            sb.Append("<ul class='m-mtk-downloads'>");
            var partsOfKind = downloads.GroupBy(d => d.Kind).ToDictionary(g => g.Key, g => g.Count());
            var partNumber = new Dictionary<string, int>();
            for (var i = 0; i < downloads.Count; i++)
            {
                var (url, kind) = downloads[i];
                var label = kind switch
                {
                    "full" => "Full Multitrack",
                    "edited" => "Edited Multitrack",
                    _ => "Multitrack",
                };
                if (partsOfKind[kind] > 1)
                {
                    partNumber[kind] = partNumber.GetValueOrDefault(kind) + 1;
                    label += $" (Part {partNumber[kind]})";
                }

                var linkText = i == 0 ? LinkText(project) : "Download";
                sb.Append("<li class='m-mtk-download'><div><div>").Append(Encode(label)).Append("</div><a href='").Append(Encode(url)).Append("'>")
                    .Append(Encode(linkText)).Append("</a></div></li>");
            }

            sb.Append("</ul>");
        }

        if (project.PreviewUrl.Length > 0)
        {
            var label = project.PreviewKind == "excerpt" ? "Excerpt Preview" : "Full Preview";
            sb.Append("<p>Mix preview: <span class='l-nowrap'>").Append(label).Append(": <a href='").Append(Encode(project.PreviewUrl))
                .Append("'>MP3</a></span></p>");
        }

        sb.Append("</div></div>\n");
    }

    private static string LinkText(ProjectRecord project)
    {
        var parts = new List<string>();
        if (project.ListedTracks is { } n)
        {
            parts.Add($"{n} Tracks");
        }

        if (project.ListedSizeBytes is { } bytes)
        {
            parts.Add($"({FormatSize(bytes)})");
        }

        return parts.Count > 0 ? string.Join(' ', parts) : "Download";
    }

    /// <summary>Sizes as the site shows them: "850 MB", "1.25 GB" (binary units, three significant figures).</summary>
    public static string FormatSize(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var format = value >= 100 ? "0" : value >= 10 ? "0.0" : "0.00";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static IEnumerable<IGrouping<TKey, ProjectRecord>> GroupInOrder<TKey>(IEnumerable<ProjectRecord> projects, Func<ProjectRecord, TKey> key)
        where TKey : notnull
    {
        // GroupBy keeps first-appearance order of keys and the order of elements within a key.
        return projects.GroupBy(key);
    }
}
