using System.Globalization;
using System.Text.Json.Nodes;
using DatasetForge.Common.Config;

namespace DatasetForge.Pipeline;

/// <summary>
/// `--set key=value` on a pipeline: a dotted key (`render.target_lufs`, `analysis.bleed.threshold`, `source.urls`)
/// and a value typed by the pipeline schema (integer, number, boolean, null, string, or a YAML flow list/mapping such
/// as `[a, b]` for arrays and objects). Unknown keys and values of the wrong type are errors naming the `--set`.
/// </summary>
public static class PipelineOverrides
{
    public static void Apply(JsonObject root, string assignment)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(assignment);
        var origin = $"--set {assignment}";
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ConfigException(origin, "expected key=value (a dotted key such as render.target_lufs=-23)");
        }

        var keys = assignment[..eq].Trim().Split('.');
        var text = assignment[(eq + 1)..].Trim();
        if (keys.Any(k => k.Length == 0))
        {
            throw new ConfigException(origin, $"'{assignment[..eq]}' is not a dotted key");
        }

        var schema = SchemaNode(PipelineDefinition.SchemaName);
        var node = root;
        for (var i = 0; i < keys.Length; i++)
        {
            schema = Resolve(schema);
            var properties = schema["properties"] as JsonObject;
            if (properties?[keys[i]] is not JsonObject child)
            {
                var known = properties is null ? "none" : string.Join(", ", properties.Select(p => p.Key));
                throw new ConfigException(origin, $"unknown key '{string.Join('.', keys[..(i + 1)])}' (keys here: {known})");
            }

            schema = Resolve(child);
            if (i == keys.Length - 1)
            {
                node[keys[i]] = Parse(text, schema, origin);
                return;
            }

            if (node[keys[i]] is not JsonObject next)
            {
                next = [];
                node[keys[i]] = next;
            }

            node = next;
        }
    }

    /// <summary>The value typed as the schema asks (the first type, in schema order, that the text reads as).</summary>
    private static JsonNode? Parse(string text, JsonObject schema, string origin)
    {
        var types = TypesOf(schema);
        if (schema["enum"] is JsonArray options)
        {
            foreach (var option in options)
            {
                if (option is null ? text is "null" or "~" : string.Equals(option.ToJsonString().Trim('"'), text, StringComparison.Ordinal))
                {
                    return option?.DeepClone();
                }
            }

            throw new ConfigException(origin, $"'{text}' is not one of {string.Join(", ", options.Select(o => o?.ToJsonString() ?? "null"))}");
        }

        if (types.Contains("null") && text is "null" or "~" or "")
        {
            return null;
        }

        foreach (var type in types)
        {
            switch (type)
            {
                case "boolean" when text is "true" or "false":
                    return JsonValue.Create(text == "true");
                case "integer" when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                    return JsonValue.Create(integer);
                case "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                    return JsonValue.Create(number);
                case "array" or "object":
                    var parsed = YamlJson.Parse(text, origin).Root;
                    if ((type == "array" && parsed is JsonArray) || (type == "object" && parsed is JsonObject))
                    {
                        return parsed;
                    }

                    if (type == "array" && parsed is JsonValue && !types.Contains("string"))
                    {
                        return new JsonArray(parsed); // --set source.urls=http://x means [http://x]
                    }

                    break;
                case "string":
                    return JsonValue.Create(text);
            }
        }

        throw new ConfigException(origin, $"'{text}' is not {string.Join(" or ", types.Select(t => t is "integer" or "array" or "object" ? $"an {t}" : $"a {t}"))}");
    }

    private static List<string> TypesOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray list => list.Select(t => t!.GetValue<string>()).ToList(),
        JsonValue one => [one.GetValue<string>()],
        _ => ["integer", "number", "boolean", "null", "array", "object", "string"],
    };

    /// <summary>Follows a $ref: "#/..." inside the pipeline schema, "other.schema.json#/..." into another one.</summary>
    private static JsonObject Resolve(JsonObject schema)
    {
        for (var guard = 0; guard < 8 && schema["$ref"]?.GetValue<string>() is { } reference; guard++)
        {
            var hash = reference.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? reference : reference[..hash];
            var pointer = hash < 0 ? string.Empty : reference[(hash + 1)..];
            JsonNode? target = SchemaNode(file.Length == 0 ? PipelineDefinition.SchemaName : file);
            foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                target = target?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            }

            schema = target as JsonObject ?? throw new InvalidOperationException($"{PipelineDefinition.SchemaName}: cannot resolve $ref {reference}");
        }

        return schema;
    }

    private static JsonObject SchemaNode(string name) =>
        JsonNode.Parse(EmbeddedAssets.ReadText($"schemas/{name}"))!.AsObject();
}
