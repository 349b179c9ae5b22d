using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using DatasetForge.Ingest.Catalog;

namespace DatasetForge.Ingest.Scrape;

/// <summary>What one index page yielded.</summary>
public sealed record ScrapedPage(string PageUrl, IReadOnlyList<ProjectRecord> Projects, IReadOnlyList<ScrapeWarning> Warnings, string? NextPageUrl);

/// <summary>An index page that cannot be used (it yields no projects, or it cannot be fetched).</summary>
public sealed class ScrapeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads a library index page (AngleSharp) into one <see cref="ProjectRecord"/> per project, following the
/// selectors and rules of a <see cref="SourceDefinition"/>. Missing fields become <see cref="ScrapeWarning"/>s naming
/// the entry; a page with no projects at all is a <see cref="ScrapeException"/>. Song ids are left empty here
/// (<see cref="LibraryScraper"/> assigns them over the whole library).
/// </summary>
public sealed class IndexScraper
{
    private readonly SourceDefinition source;
    private readonly (string Kind, Regex Label)[] archiveKinds;
    private readonly (string Kind, Regex Label)[] previewKinds;
    private readonly Regex? trackCount;
    private readonly Regex? archiveSize;

    public IndexScraper(SourceDefinition source)
    {
        this.source = source;
        archiveKinds = source.Rules.ArchiveKinds.Select(k => (k.Kind, new Regex(k.Label, RegexOptions.CultureInvariant))).ToArray();
        previewKinds = source.Rules.PreviewKinds.Select(k => (k.Kind, new Regex(k.Label, RegexOptions.CultureInvariant))).ToArray();
        trackCount = source.Rules.TrackCount is { } t ? new Regex(t, RegexOptions.CultureInvariant) : null;
        archiveSize = source.Rules.ArchiveSize is { } s ? new Regex(s, RegexOptions.CultureInvariant) : null;
    }

    public SourceDefinition Source => source;

    /// <summary>Parses one page. <paramref name="pageUrl"/> (absolute URL or file path) resolves relative links.</summary>
    public ScrapedPage ParsePage(string html, string pageUrl)
    {
        var baseUri = ToUri(pageUrl);
        var document = new HtmlParser().ParseDocument(html);
        var structure = source.Structure;
        var projects = new List<ProjectRecord>();
        var warnings = new List<ScrapeWarning>();

        var genres = document.QuerySelectorAll(structure.Genre);
        foreach (var genre in genres)
        {
            var broadGenre = Text(genre.QuerySelector(structure.GenreName));
            foreach (var artistBlock in genre.QuerySelectorAll(structure.Artist))
            {
                var artist = Text(artistBlock.QuerySelector(structure.ArtistName));
                var subGenre = structure.SubGenre is { } sg ? Text(artistBlock.QuerySelector(sg)) : string.Empty;
                var index = 0;
                foreach (var project in artistBlock.QuerySelectorAll(structure.Project))
                {
                    index++;
                    var record = ReadProject(project, baseUri, pageUrl, broadGenre, artist, subGenre, index, warnings);
                    if (record is not null)
                    {
                        projects.Add(record);
                    }
                }
            }
        }

        if (projects.Count == 0)
        {
            throw new ScrapeException($"{pageUrl}: the page yields zero projects ({Diagnose(document)}); check the selectors in the source definition '{source.Name}'");
        }

        string? next = null;
        if (structure.NextPage is { Length: > 0 } nextSelector && document.QuerySelector(nextSelector)?.GetAttribute("href") is { Length: > 0 } href)
        {
            next = Resolve(baseUri, href);
        }

        return new ScrapedPage(pageUrl, projects, warnings, next);
    }

    private ProjectRecord? ReadProject(
        IElement project, Uri baseUri, string pageUrl, string broadGenre, string artist, string subGenre, int index, List<ScrapeWarning> warnings)
    {
        var titleField = source.Fields.Title;
        var titleElement = project.QuerySelector(titleField.Selector);
        var title = titleElement is null ? string.Empty : ReadTitle(titleElement, titleField);
        var entry = $"{(broadGenre.Length > 0 ? broadGenre : "?")} > {(artist.Length > 0 ? artist : "?")} > "
            + (title.Length > 0 ? $"'{title}'" : $"project #{index}");
        if (title.Length == 0)
        {
            warnings.Add(new ScrapeWarning(entry, "title", $"no title ('{titleField.Selector}' is missing or empty); entry skipped"));
            return null;
        }

        if (broadGenre.Length == 0)
        {
            warnings.Add(new ScrapeWarning(entry, "broad_genre", $"no broad genre ('{source.Structure.GenreName}' is missing or empty)"));
        }

        if (artist.Length == 0)
        {
            warnings.Add(new ScrapeWarning(entry, "artist", $"no artist ('{source.Structure.ArtistName}' is missing or empty)"));
        }

        if (source.Structure.SubGenre is { } subGenreSelector && subGenre.Length == 0)
        {
            warnings.Add(new ScrapeWarning(entry, "sub_genre", $"no sub genre ('{subGenreSelector}' is missing or empty)"));
        }

        // Downloads: every archive link with its kind (by label), best kind first.
        var downloads = new List<(string Url, string Kind, int Rank, string Text)>();
        var downloadsField = source.Fields.Downloads;
        foreach (var item in project.QuerySelectorAll(downloadsField.Selector))
        {
            var link = item.QuerySelector(downloadsField.Link)?.GetAttribute("href")?.Trim();
            if (string.IsNullOrEmpty(link))
            {
                warnings.Add(new ScrapeWarning(entry, "archive_url", $"a download item has no link ('{downloadsField.Link}')"));
                continue;
            }

            var label = downloadsField.Label is { } labelSelector ? Text(item.QuerySelector(labelSelector)) : Text(item);
            var rank = Array.FindIndex(archiveKinds, k => k.Label.IsMatch(label));
            var kind = rank >= 0 ? archiveKinds[rank].Kind : "other";
            downloads.Add((Resolve(baseUri, link), kind, rank >= 0 ? rank : int.MaxValue, Text(item)));
        }

        var primaryIndex = -1;
        for (var i = 0; i < downloads.Count; i++)
        {
            if (primaryIndex < 0 || downloads[i].Rank < downloads[primaryIndex].Rank)
            {
                primaryIndex = i;
            }
        }

        var ordered = downloads;
        var primary = primaryIndex >= 0 ? downloads[primaryIndex] : default;
        if (ordered.Count == 0)
        {
            warnings.Add(new ScrapeWarning(entry, "archive_url", $"no multitrack archive link ('{downloadsField.Selector}' {downloadsField.Link})"));
        }
        else if (primary.Rank == int.MaxValue)
        {
            warnings.Add(new ScrapeWarning(entry, "archive_kind", "no download label matches a known archive kind; the first link is used"));
        }

        var others = downloads.Where((_, i) => i != primaryIndex).ToList();

        // Preview: the most preferred kind present.
        string previewUrl = string.Empty, previewKind = string.Empty;
        var bestPreview = int.MaxValue;
        foreach (var item in project.QuerySelectorAll(source.Fields.Preview.Selector))
        {
            var link = item.QuerySelector(source.Fields.Preview.Link)?.GetAttribute("href")?.Trim();
            if (string.IsNullOrEmpty(link))
            {
                continue;
            }

            var text = Text(item);
            var rank = Array.FindIndex(previewKinds, k => k.Label.IsMatch(text));
            var effective = rank >= 0 ? rank : previewKinds.Length;
            if (effective < bestPreview)
            {
                bestPreview = effective;
                previewUrl = Resolve(baseUri, link);
                previewKind = rank >= 0 ? previewKinds[rank].Kind : "other";
            }
        }

        if (previewUrl.Length == 0)
        {
            warnings.Add(new ScrapeWarning(entry, "preview_url", $"no preview link ('{source.Fields.Preview.Selector}' {source.Fields.Preview.Link})"));
        }

        int? listedTracks = null;
        long? listedSize = null;
        if (ordered.Count > 0)
        {
            if (trackCount?.Match(primary.Text) is { Success: true } tc && int.TryParse(tc.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                listedTracks = n;
            }

            if (archiveSize?.Match(primary.Text) is { Success: true } sz)
            {
                listedSize = ParseSize(sz.Groups[1].Value, sz.Groups.Count > 2 ? sz.Groups[2].Value : "B");
            }
        }

        return new ProjectRecord(
            BroadGenre: broadGenre,
            SubGenre: subGenre,
            Title: title,
            Artist: artist,
            ArchiveUrl: primary.Url ?? string.Empty,
            PreviewUrl: previewUrl,
            PageUrl: pageUrl,
            OtherArchiveUrls: string.Join(' ', others.Select(o => o.Url)),
            ArchiveKind: primary.Kind ?? string.Empty,
            OtherArchiveKinds: string.Join(' ', others.Select(o => o.Kind)),
            PreviewKind: previewKind,
            ListedTracks: listedTracks,
            ListedSizeBytes: listedSize,
            SongId: string.Empty);
    }

    private static string ReadTitle(IElement element, TitleField field)
    {
        string raw;
        if (field.OwnText ?? true)
        {
            var sb = new StringBuilder();
            foreach (var node in element.ChildNodes)
            {
                if (node.NodeType == NodeType.Text)
                {
                    sb.Append(node.TextContent);
                }
            }

            raw = Normalize(sb.ToString());
            if (raw.Length == 0)
            {
                // The title itself is wrapped in an element: fall back to all the text.
                raw = Normalize(element.TextContent);
            }
        }
        else
        {
            raw = Normalize(element.TextContent);
        }

        var quotes = field.StripQuotes ?? string.Empty;
        if (raw.Length >= 2 && quotes.Contains(raw[0]) && quotes.Contains(raw[^1]))
        {
            raw = raw[1..^1].Trim();
        }

        return raw;
    }

    private static long ParseSize(string number, string unit)
    {
        var value = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        var scale = unit.ToUpperInvariant() switch
        {
            "KB" => 1024d,
            "MB" => 1024d * 1024,
            "GB" => 1024d * 1024 * 1024,
            "TB" => 1024d * 1024 * 1024 * 1024,
            _ => 1d,
        };
        return (long)Math.Round(value * scale);
    }

    private string Diagnose(IDocument document)
    {
        var s = source.Structure;
        if (document.QuerySelector(s.Genre) is null)
        {
            return $"nothing matches structure.genre '{s.Genre}'";
        }

        if (document.QuerySelector($"{s.Genre} {s.Artist}") is null)
        {
            return $"no structure.artist '{s.Artist}' inside a genre section";
        }

        if (document.QuerySelector($"{s.Genre} {s.Artist} {s.Project}") is null)
        {
            return $"no structure.project '{s.Project}' inside an artist block";
        }

        return $"every project lacks a title ('{source.Fields.Title.Selector}')";
    }

    internal static string Text(IElement? element) => element is null ? string.Empty : Normalize(element.TextContent);

    internal static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    internal static Uri ToUri(string pageUrl)
    {
        if (Uri.TryCreate(pageUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file")
        {
            return uri;
        }

        return new Uri(Path.GetFullPath(pageUrl));
    }

    /// <summary>Absolute links are kept exactly as written; relative ones are resolved against the page.</summary>
    private static string Resolve(Uri baseUri, string href)
    {
        if (Uri.TryCreate(href, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" or "ftp")
        {
            return href;
        }

        return Uri.TryCreate(baseUri, href, out var resolved) ? resolved.AbsoluteUri : href;
    }
}
