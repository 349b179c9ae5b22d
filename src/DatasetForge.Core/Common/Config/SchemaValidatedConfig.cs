using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace DatasetForge.Common.Config;

/// <summary>
/// Loads YAML (or JSON) configuration, validates it against a JSON Schema from `schemas/`, and binds it to a record.
/// Every error names the file, line, column and key. Property names are snake_case in files.
/// </summary>
public static class SchemaValidatedConfig
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Parses and validates; returns the JSON tree. <paramref name="schemaName"/> is e.g. "hierarchy.schema.json".</summary>
    public static JsonNode? LoadNode(string text, string origin, string schemaName)
    {
        var located = YamlJson.Parse(text, origin);
        Validate(located, origin, schemaName);
        return located.Root;
    }

    /// <summary>
    /// Parses and validates, keeping where every value came from (JSON pointer -> line/column), for loaders that
    /// check more than the schema can say and must still name the line of a bad value.
    /// </summary>
    public static YamlJson.Located LoadLocated(string text, string origin, string schemaName)
    {
        var located = YamlJson.Parse(text, origin);
        Validate(located, origin, schemaName);
        return located;
    }

    public static T Load<T>(string text, string origin, string schemaName)
    {
        var node = LoadNode(text, origin, schemaName) ?? throw new ConfigException(origin, "the file is empty");
        try
        {
            return node.Deserialize<T>(JsonOptions) ?? throw new ConfigException(origin, "the file is empty");
        }
        catch (JsonException e)
        {
            throw new ConfigException(origin, $"cannot bind {e.Path}: {e.Message}");
        }
    }

    /// <summary>Loads a file from disk, or the built-in asset of that repository-relative name.</summary>
    public static T LoadFile<T>(string pathOrName, string schemaName)
    {
        var (text, origin) = EmbeddedAssets.ReadFileOrEmbedded(pathOrName);
        return Load<T>(text, origin, schemaName);
    }

    public static JsonSchema Schema(string schemaName) => SchemaCache.Get(schemaName);

    /// <summary>
    /// Validates a parsed (and possibly edited) document; issues name the line of each value found in
    /// <see cref="YamlJson.Located.Positions"/> (values added later have none and are named by key only).
    /// </summary>
    public static void Validate(YamlJson.Located located, string origin, string schemaName)
    {
        ArgumentNullException.ThrowIfNull(located);
        var schema = Schema(schemaName);
        using var document = JsonDocument.Parse(located.Root?.ToJsonString() ?? "null");
        var results = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        if (results.IsValid)
        {
            return;
        }

        // Walk only into failing nodes, and skip the failed alternatives of an anyOf/oneOf that another alternative
        // satisfied: those are not problems of the file and would bury the real one.
        var issues = new List<ConfigIssue>();
        void Collect(EvaluationResults node)
        {
            if (node.IsValid)
            {
                return;
            }

            var pointer = node.InstanceLocation.ToString();
            foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
            {
                var text = message;
                if (keyword == "additionalProperties" || node.EvaluationPath.ToString().EndsWith("/additionalProperties", StringComparison.Ordinal))
                {
                    text = $"unknown key (not allowed by {schemaName})";
                }

                located.Positions.TryGetValue(pointer, out var mark);
                issues.Add(new ConfigIssue(origin, (int)mark.Line, (int)mark.Column, YamlJson.ToDotted(pointer), text));
            }

            var children = node.Details ?? [];
            foreach (var child in children)
            {
                var branchOf = BranchGroup(child);
                if (branchOf is not null)
                {
                    var siblings = children.Where(c => BranchGroup(c) == branchOf).ToList();
                    var valid = siblings.Count(c => c.IsValid);
                    if (branchOf.EndsWith("/anyOf", StringComparison.Ordinal) ? valid > 0 : valid == 1)
                    {
                        continue; // the alternative that fits makes the others' errors irrelevant
                    }
                }

                Collect(child);
            }
        }

        // ".../anyOf/1" -> ".../anyOf": the alternatives of one anyOf/oneOf are siblings in the output.
        static string? BranchGroup(EvaluationResults child)
        {
            var path = child.EvaluationPath.ToString();
            var cut = path.LastIndexOf('/');
            if (cut <= 0 || !int.TryParse(path.AsSpan(cut + 1), out _))
            {
                return null;
            }

            var group = path[..cut];
            return group.EndsWith("/anyOf", StringComparison.Ordinal) || group.EndsWith("/oneOf", StringComparison.Ordinal) ? group : null;
        }

        Collect(results);
        if (issues.Count == 0)
        {
            issues.Add(new ConfigIssue(origin, 0, 0, string.Empty, $"does not match {schemaName}"));
        }

        throw new ConfigException(issues.DistinctBy(i => i.ToString()).OrderBy(i => i.Line).ToList());
    }

    private static class SchemaCache
    {
        // Lazy: GetOrAdd may run its factory twice on a race, and JsonSchema.FromText registers the schema's $id
        // globally, so a second build of the same schema throws "Overwriting registered schemas is not permitted".
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<JsonSchema>> Cache = new();

        public static JsonSchema Get(string name) =>
            Cache.GetOrAdd(name, n => new Lazy<JsonSchema>(() => JsonSchema.FromText(EmbeddedAssets.ReadText($"schemas/{n}")))).Value;
    }
}
