using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DatasetForge.Common.Config;

/// <summary>
/// Converts YAML to JSON while remembering where every value came from (JSON pointer -> line/column), so schema
/// errors can name the line and key. Plain scalars get YAML 1.2 core types (null, bool, int, float); quoted ones stay strings.
/// </summary>
public static class YamlJson
{
    public sealed record Located(JsonNode? Root, IReadOnlyDictionary<string, Mark> Positions);

    public static Located Parse(string yaml, string origin)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException([new ConfigIssue(origin, (int)e.Start.Line, (int)e.Start.Column, string.Empty, $"YAML syntax error: {e.InnerException?.Message ?? e.Message}")]);
        }

        var positions = new Dictionary<string, Mark>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0)
        {
            return new Located(null, positions);
        }

        var root = Convert(stream.Documents[0].RootNode, string.Empty, positions, origin);
        return new Located(root, positions);
    }

    private static JsonNode? Convert(YamlNode node, string pointer, Dictionary<string, Mark> positions, string origin)
    {
        positions.TryAdd(pointer, node.Start);
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in map.Children)
                {
                    var key = keyNode is YamlScalarNode scalarKey ? scalarKey.Value ?? string.Empty : keyNode.ToString();
                    var childPointer = $"{pointer}/{Escape(key)}";
                    if (obj.ContainsKey(key))
                    {
                        throw new ConfigException([new ConfigIssue(origin, (int)keyNode.Start.Line, (int)keyNode.Start.Column, ToDotted(childPointer), "duplicate key")]);
                    }

                    positions[childPointer] = keyNode.Start;
                    obj[key] = Convert(valueNode, childPointer, positions, origin);
                }

                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                var index = 0;
                foreach (var item in seq.Children)
                {
                    array.Add(Convert(item, $"{pointer}/{index++}", positions, origin));
                }

                return array;
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                throw new ConfigException([new ConfigIssue(origin, (int)node.Start.Line, (int)node.Start.Column, ToDotted(pointer), "YAML aliases and tags are not supported here")]);
        }
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !double.IsInfinity(real))
        {
            return JsonValue.Create(real);
        }

        return value switch
        {
            ".inf" or "+.inf" => JsonValue.Create(double.MaxValue),
            "-.inf" => JsonValue.Create(double.MinValue),
            _ => JsonValue.Create(value),
        };
    }

    public static string Escape(string key) => key.Replace("~", "~0").Replace("/", "~1");

    /// <summary>"/stages/0/name" -> "stages[0].name", how users read keys.</summary>
    public static string ToDotted(string pointer)
    {
        if (pointer.Length == 0)
        {
            return string.Empty;
        }

        var sb = new System.Text.StringBuilder();
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var part = raw.Replace("~1", "/").Replace("~0", "~");
            if (int.TryParse(part, out _))
            {
                sb.Append('[').Append(part).Append(']');
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }

                sb.Append(part);
            }
        }

        return sb.ToString();
    }
}
