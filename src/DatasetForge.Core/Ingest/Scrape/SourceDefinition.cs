using System.Text.RegularExpressions;
using DatasetForge.Common.Config;

namespace DatasetForge.Ingest.Scrape;

/// <summary>
/// A library index's layout and field rules (<c>pipelines/sources/*.yaml</c>, schema <c>source.schema.json</c>):
/// where the genre sections, artist blocks and projects are, and how each field is read. The default is the
/// built-in <c>pipelines/sources/mtk.yaml</c>.
/// </summary>
public sealed record SourceDefinition(
    string Name,
    string? Description,
    IReadOnlyList<string>? StartUrls,
    SourceHttp? Http,
    SourceStructure Structure,
    SourceFields Fields,
    SourceRules Rules)
{
    public const string DefaultPath = "pipelines/sources/mtk.yaml";
    public const string SchemaName = "source.schema.json";

    /// <summary>Loads a definition from disk, or the built-in of that name (<see cref="DefaultPath"/>).</summary>
    public static SourceDefinition Load(string pathOrName = DefaultPath)
    {
        var definition = SchemaValidatedConfig.LoadFile<SourceDefinition>(pathOrName, SchemaName);
        definition.Validate(pathOrName);
        return definition;
    }

    public static SourceDefinition Parse(string yaml, string origin)
    {
        var definition = SchemaValidatedConfig.Load<SourceDefinition>(yaml, origin, SchemaName);
        definition.Validate(origin);
        return definition;
    }

    public SourceHttp HttpOrDefault => Http ?? new SourceHttp(null, null, null, null);

    private void Validate(string origin)
    {
        // Regexes must compile; the schema cannot say so.
        var patterns = Rules.ArchiveKinds.Select((k, i) => ($"rules.archive_kinds[{i}].label", (string?)k.Label))
            .Concat(Rules.PreviewKinds.Select((k, i) => ($"rules.preview_kinds[{i}].label", (string?)k.Label)))
            .Append(("rules.track_count", Rules.TrackCount))
            .Append(("rules.archive_size", Rules.ArchiveSize));
        foreach (var (key, pattern) in patterns)
        {
            if (pattern is null)
            {
                continue;
            }

            try
            {
                _ = new Regex(pattern);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException([new ConfigIssue(origin, 0, 0, key, $"not a valid regular expression: {e.Message}")]);
            }
        }
    }
}

public sealed record SourceHttp(string? UserAgent, double? MinIntervalS, int? Retries, double? TimeoutS);

public sealed record SourceStructure(
    string Genre,
    string GenreName,
    string Artist,
    string ArtistName,
    string? SubGenre,
    string Project,
    string? NextPage);

public sealed record SourceFields(TitleField Title, DownloadsField Downloads, PreviewField Preview);

public sealed record TitleField(string Selector, bool? OwnText, string? StripQuotes);

public sealed record DownloadsField(string Selector, string? Label, string Link);

public sealed record PreviewField(string Selector, string Link);

public sealed record KindRule(string Kind, string Label);

public sealed record SourceRules(
    IReadOnlyList<KindRule> ArchiveKinds,
    IReadOnlyList<KindRule> PreviewKinds,
    string? TrackCount,
    string? ArchiveSize,
    IReadOnlyList<string>? ArchiveExtensions)
{
    public static readonly IReadOnlyList<string> DefaultArchiveExtensions = [".zip", ".rar", ".7z", ".tar", ".tar.gz", ".tgz"];

    public IReadOnlyList<string> ArchiveExtensionsOrDefault => ArchiveExtensions ?? DefaultArchiveExtensions;

    /// <summary>True when the URL's path ends with an archive extension (a link to a web page does not).</summary>
    public bool IsArchiveUrl(string url)
    {
        var path = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : url;
        return ArchiveExtensionsOrDefault.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }
}
