using System.Text;
using System.Text.Json.Nodes;
using DatasetForge.Common.Config;

namespace DatasetForge.Hierarchy;

/// <summary>How the render stage scales a stem: to a loudness target (BS.1770) or to a peak level (drums, percussion).</summary>
public enum StemNormalization
{
    Loudness,
    Peak,
}

/// <summary>One node of a level: its name, the names it groups (fine labels at level 1, nodes of the level below above that).</summary>
public sealed record HierarchyNode(string Name, int Level, IReadOnlyList<string> Children, StemNormalization Normalization, bool Excluded = false);

/// <summary>One level of a hierarchy (1 = instruments, grouping fine labels; 2.. = groups of the level below).</summary>
public sealed record HierarchyLevel(string Name, IReadOnlyList<HierarchyNode> Nodes);

/// <summary>
/// An instrument hierarchy: fine labels (level 0) grouped into instruments (level 1), instruments into stems
/// (level 2), and so on. Loaded from `pipelines/hierarchies/*.yaml` (schema `hierarchy.schema.json`) or from MS21's
/// `hierarchy.json`. Validated on load: every node maps to exactly one node of the level above, nothing refers to
/// its own level (no cycles), and excluded nodes (`ambient_mic`, `unused`, `unknown`) never enter a sum. Immutable
/// and thread-safe; all lookups are by exact (ordinal) name.
/// </summary>
public sealed class HierarchyDefinition
{
    /// <summary>The label and instrument of a track no rule could name; always excluded.</summary>
    public const string Unknown = "unknown";

    /// <summary>In `excluded`, takes every label that no level maps (e.g. all non-classical labels in a classical hierarchy).</summary>
    public const string Wildcard = "*";

    private readonly Dictionary<string, string> instrumentOfLabel;
    private readonly Dictionary<string, HierarchyNode> excludedByName;
    private readonly List<Dictionary<string, string>> parentAt; // parentAt[k][node at level k+1] = node at level k+2
    private readonly List<Dictionary<string, HierarchyNode>> nodeAt; // nodeAt[k][name] = node at level k+1
    private readonly string? wildcardNode;

    private HierarchyDefinition(string name, string description, string origin, IReadOnlyList<HierarchyLevel> levels, IReadOnlyList<HierarchyNode> excluded)
    {
        Name = name;
        Description = description;
        Origin = origin;
        Levels = levels;
        ExcludedNodes = excluded;
        nodeAt = levels.Select(l => l.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal)).ToList();
        excludedByName = excluded.ToDictionary(n => n.Name, StringComparer.Ordinal);
        instrumentOfLabel = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in levels[0].Nodes.Concat(excluded))
        {
            foreach (var child in node.Children)
            {
                if (child == Wildcard)
                {
                    wildcardNode = node.Name;
                }
                else
                {
                    instrumentOfLabel[child] = node.Name;
                }
            }
        }

        parentAt = [];
        for (var k = 1; k < levels.Count; k++)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var node in levels[k].Nodes)
            {
                foreach (var child in node.Children)
                {
                    map[child] = node.Name;
                }
            }

            parentAt.Add(map);
        }
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>Where it was loaded from (a path, or "(built-in) pipelines/hierarchies/ms21.yaml").</summary>
    public string Origin { get; }

    /// <summary>Levels above the fine labels, bottom-up: <c>Levels[0]</c> is level 1 (instruments).</summary>
    public IReadOnlyList<HierarchyLevel> Levels { get; }

    /// <summary>Level-1 nodes that never enter a sum (`unused`, `ambient_mic`, `unknown`, ...).</summary>
    public IReadOnlyList<HierarchyNode> ExcludedNodes { get; }

    /// <summary>Number of levels above the fine labels.</summary>
    public int Depth => Levels.Count;

    /// <summary>Every fine label the hierarchy names (summed or excluded), in file order.</summary>
    public IReadOnlyList<string> Labels =>
        Levels[0].Nodes.Concat(ExcludedNodes).SelectMany(n => n.Children).Where(c => c != Wildcard).ToList();

    /// <summary>The built-in presets: ms21, musdb, slakh3, cadenza-classical.</summary>
    public static IReadOnlyList<string> PresetNames =>
        EmbeddedAssets.Names.Where(n => n.StartsWith("pipelines/hierarchies/", StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n)).ToList();

    /// <summary>
    /// Loads a hierarchy: a YAML file, an MS21 `hierarchy.json`, or a preset name ("ms21", "musdb", "slakh3",
    /// "cadenza-classical") from the built-in `pipelines/hierarchies/`.
    /// </summary>
    public static HierarchyDefinition Load(string pathOrPreset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrPreset);
        if (!File.Exists(pathOrPreset) && !pathOrPreset.Contains('/') && !pathOrPreset.Contains('\\') && !pathOrPreset.Contains('.'))
        {
            var preset = $"pipelines/hierarchies/{pathOrPreset}.yaml";
            if (!EmbeddedAssets.Exists(preset))
            {
                throw new FileNotFoundException($"{pathOrPreset}: no such file, and no built-in hierarchy of that name (built-in: {string.Join(", ", PresetNames)})");
            }

            pathOrPreset = preset;
        }

        var (text, origin) = EmbeddedAssets.ReadFileOrEmbedded(pathOrPreset);
        return pathOrPreset.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && LooksLikeMs21Json(text)
            ? FromMs21Json(text, origin)
            : Parse(text, origin);
    }

    /// <summary>Parses hierarchy YAML (schema `hierarchy.schema.json`); errors name the file, line and node.</summary>
    public static HierarchyDefinition Parse(string yaml, string origin)
    {
        var located = SchemaValidatedConfig.LoadLocated(yaml, origin, "hierarchy.schema.json");
        var root = located.Root!.AsObject();
        var defaultNorm = ParseNormalization(root["normalization"]?.GetValue<string>()) ?? StemNormalization.Loudness;
        var levels = new List<HierarchyLevel>();
        var levelsArray = root["levels"]!.AsArray();
        for (var i = 0; i < levelsArray.Count; i++)
        {
            var levelObj = levelsArray[i]!.AsObject();
            var nodes = new List<HierarchyNode>();
            foreach (var (nodeName, value) in levelObj["nodes"]!.AsObject())
            {
                var (children, norm) = ReadNode(value);
                nodes.Add(new HierarchyNode(nodeName, i + 1, children, norm ?? defaultNorm));
            }

            levels.Add(new HierarchyLevel(levelObj["name"]!.GetValue<string>(), nodes));
        }

        var excluded = new List<HierarchyNode>();
        if (root["excluded"] is JsonObject excludedObj)
        {
            foreach (var (nodeName, value) in excludedObj)
            {
                excluded.Add(new HierarchyNode(nodeName, 1, ReadNode(value).Children, defaultNorm, Excluded: true));
            }
        }

        AddImplicitUnknown(excluded);
        var issues = Validate(levels, excluded, origin, pointer => located.Positions.TryGetValue(pointer, out var m) ? ((int)m.Line, (int)m.Column) : (0, 0));
        if (issues.Count > 0)
        {
            throw new ConfigException(issues.OrderBy(i => i.Line).ToList());
        }

        return new HierarchyDefinition(root["name"]!.GetValue<string>(), root["description"]?.GetValue<string>() ?? string.Empty, origin, levels, excluded);
    }

    /// <summary>
    /// Imports MS21's `hierarchy.json` format: an object (optionally under one top key such as "mix") of chained
    /// maps "track2inst", "inst2stem", "stem2stem", ..., each `{parent: [children]}`. The non-source labels
    /// `Unused` and `Ambient_Microphone` become the excluded nodes `unused` and `ambient_mic`.
    /// </summary>
    public static HierarchyDefinition FromMs21Json(string json, string origin)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ConfigException(origin, $"not valid JSON: {e.Message}");
        }

        if (root is not JsonObject obj)
        {
            throw new ConfigException(origin, "expected a JSON object of 'x2y' maps (MS21 hierarchy.json)");
        }

        var name = Path.GetFileNameWithoutExtension(origin.Replace("(built-in) ", string.Empty, StringComparison.Ordinal));
        if (obj.Count == 1 && obj.First().Value is JsonObject inner && !obj.First().Key.Contains('2', StringComparison.Ordinal))
        {
            obj = inner;
        }

        var levels = new List<HierarchyLevel>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (value is not JsonObject groups)
            {
                throw new ConfigException([new ConfigIssue(origin, 0, 0, key, "expected an object {parent: [children]}")]);
            }

            var levelName = LevelNameFromKey(key, levels.Count);
            for (var n = 2; !usedNames.Add(levelName); n++)
            {
                levelName = $"{LevelNameFromKey(key, levels.Count)}_{n}";
            }

            var nodes = new List<HierarchyNode>();
            foreach (var (parent, children) in groups)
            {
                if (children is not JsonArray array || array.Any(c => c is not JsonValue))
                {
                    throw new ConfigException([new ConfigIssue(origin, 0, 0, $"{key}.{parent}", "expected a list of names")]);
                }

                nodes.Add(new HierarchyNode(parent, levels.Count + 1, array.Select(c => c!.GetValue<string>()).ToList(), StemNormalization.Loudness));
            }

            levels.Add(new HierarchyLevel(levelName, nodes));
        }

        if (levels.Count == 0)
        {
            throw new ConfigException(origin, "no levels (expected maps such as \"track2inst\")");
        }

        var excluded = new List<HierarchyNode>
        {
            new("unused", 1, ["Unused"], StemNormalization.Loudness, true),
            new("ambient_mic", 1, ["Ambient_Microphone"], StemNormalization.Loudness, true),
        };
        AddImplicitUnknown(excluded);
        var issues = Validate(levels, excluded, origin, _ => (0, 0));
        if (issues.Count > 0)
        {
            throw new ConfigException(issues);
        }

        return new HierarchyDefinition(name, $"imported from {origin}", origin, levels, excluded);
    }

    /// <summary>True when the label (or level-1 node) is named by this hierarchy, directly or through the '*' of an excluded node.</summary>
    public bool Maps(string label) => instrumentOfLabel.ContainsKey(label) || wildcardNode is not null || label == Unknown;

    /// <summary>The level-1 node (instrument) of a fine label; an excluded node for `Unused`, `Ambient_Microphone`, unmapped labels and `unknown`.</summary>
    public string InstrumentOf(string label)
    {
        if (instrumentOfLabel.TryGetValue(label, out var instrument))
        {
            return instrument;
        }

        return wildcardNode ?? Unknown;
    }

    /// <summary>
    /// The node a fine label belongs to at <paramref name="level"/> (0 = the label itself, 1 = instrument, ...);
    /// null above level 1 for excluded labels, which belong to no sum.
    /// </summary>
    public string? NodeAt(string label, int level)
    {
        if (level < 0 || level > Depth)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"hierarchy '{Name}' has levels 0..{Depth}");
        }

        if (level == 0)
        {
            return label;
        }

        var node = InstrumentOf(label);
        if (excludedByName.ContainsKey(node))
        {
            return level == 1 ? node : null;
        }

        for (var k = 2; k <= level; k++)
        {
            node = parentAt[k - 2][node];
        }

        return node;
    }

    /// <summary>The node a level-<paramref name="level"/> node belongs to one level up (null at the top or for excluded nodes).</summary>
    public string? ParentOf(string node, int level)
    {
        if (level < 1 || level >= Depth)
        {
            return null;
        }

        return parentAt[level - 1].TryGetValue(node, out var parent) ? parent : null;
    }

    /// <summary>The way up from a fine label: [label, instrument, stem, ...]; [label, excluded node] for excluded labels.</summary>
    public IReadOnlyList<string> PathOf(string label)
    {
        var path = new List<string> { label };
        for (var level = 1; level <= Depth; level++)
        {
            var node = NodeAt(label, level);
            if (node is null)
            {
                break;
            }

            path.Add(node);
        }

        return path;
    }

    /// <summary>True for labels and level-1 nodes that never enter a sum (`ambient_mic`, `unused`, `unknown`, ...).</summary>
    public bool IsExcluded(string labelOrInstrument) =>
        excludedByName.ContainsKey(labelOrInstrument)
        || (!nodeAt[0].ContainsKey(labelOrInstrument) && excludedByName.ContainsKey(InstrumentOf(labelOrInstrument)));

    /// <summary>The nodes of a level (1-based), in file order.</summary>
    public IReadOnlyList<HierarchyNode> NodesAt(int level) =>
        level >= 1 && level <= Depth ? Levels[level - 1].Nodes : throw new ArgumentOutOfRangeException(nameof(level), level, $"hierarchy '{Name}' has levels 1..{Depth}");

    /// <summary>1-based level of a level name ("instrument" -> 1), or -1.</summary>
    public int LevelOf(string levelName)
    {
        for (var i = 0; i < Levels.Count; i++)
        {
            if (Levels[i].Name == levelName)
            {
                return i + 1;
            }
        }

        return -1;
    }

    /// <summary>Every fine label summed into <paramref name="node"/> at <paramref name="level"/>: what a stem of that node is made of.</summary>
    public IReadOnlyList<string> LabelsUnder(int level, string node)
    {
        var result = new List<string>();
        foreach (var label in Levels[0].Nodes.SelectMany(n => n.Children))
        {
            if (NodeAt(label, level) == node)
            {
                result.Add(label);
            }
        }

        return result;
    }

    /// <summary>How the stem of a node is normalized (the node's `normalization` key, else the file's default, else loudness).</summary>
    public StemNormalization NormalizationOf(int level, string node)
    {
        if (level == 1 && excludedByName.TryGetValue(node, out var excluded))
        {
            return excluded.Normalization;
        }

        return level >= 1 && level <= Depth && nodeAt[level - 1].TryGetValue(node, out var found)
            ? found.Normalization
            : throw new KeyNotFoundException($"hierarchy '{Name}' ({Origin}) has no node '{node}' at level {level}");
    }

    /// <summary>Normalization of a fine label's own stem: that of its level-1 node.</summary>
    public StemNormalization NormalizationOfLabel(string label) => NormalizationOf(1, InstrumentOf(label));

    /// <summary>The hierarchy as YAML in the `hierarchy.schema.json` layout (what `forge hierarchy import` writes).</summary>
    public string ToYaml()
    {
        var sb = new StringBuilder();
        sb.Append("# Instrument hierarchy (schema: schemas/hierarchy.schema.json)\n");
        sb.Append("name: ").Append(Scalar(Name)).Append('\n');
        if (Description.Length > 0)
        {
            sb.Append("description: ").Append(Scalar(Description)).Append('\n');
        }

        sb.Append("levels:\n");
        foreach (var level in Levels)
        {
            sb.Append("  - name: ").Append(Scalar(level.Name)).Append('\n');
            sb.Append("    nodes:\n");
            foreach (var node in level.Nodes)
            {
                sb.Append("      ").Append(Scalar(node.Name)).Append(": ");
                if (node.Normalization == StemNormalization.Peak)
                {
                    sb.Append("{ children: ").Append(List(node.Children)).Append(", normalization: peak }\n");
                }
                else
                {
                    sb.Append(List(node.Children)).Append('\n');
                }
            }
        }

        sb.Append("excluded:\n");
        foreach (var node in ExcludedNodes)
        {
            sb.Append("  ").Append(Scalar(node.Name)).Append(": ").Append(List(node.Children)).Append('\n');
        }

        return sb.ToString();

        static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Scalar)) + "]";
    }

    private static string Scalar(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-') && !char.IsAsciiDigit(s[0])
            && s is not ("true" or "false" or "null" or "yes" or "no")
            ? s
            : "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static bool LooksLikeMs21Json(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') && (trimmed.Contains("2inst", StringComparison.Ordinal) || trimmed.Contains("2stem", StringComparison.Ordinal));
    }

    private static string LevelNameFromKey(string key, int index)
    {
        var target = key.Contains('2', StringComparison.Ordinal) ? key[(key.LastIndexOf('2') + 1)..] : key;
        return (index, target) switch
        {
            (_, "inst") => "instrument",
            (2, "stem") => "mix",
            _ when target.Length > 0 && char.IsAsciiLetter(target[0]) => target,
            _ => $"level{index + 1}",
        };
    }

    private static void AddImplicitUnknown(List<HierarchyNode> excluded)
    {
        if (!excluded.Any(n => n.Name == Unknown || n.Children.Contains(Unknown)))
        {
            excluded.Add(new HierarchyNode(Unknown, 1, [Unknown], StemNormalization.Loudness, true));
        }
    }

    private static (IReadOnlyList<string> Children, StemNormalization? Normalization) ReadNode(JsonNode? value) =>
        value switch
        {
            JsonArray array => (array.Select(c => c!.GetValue<string>()).ToList(), null),
            JsonObject obj => (obj["children"]!.AsArray().Select(c => c!.GetValue<string>()).ToList(), ParseNormalization(obj["normalization"]?.GetValue<string>())),
            _ => ([], null),
        };

    private static StemNormalization? ParseNormalization(string? value) => value switch
    {
        null => null,
        "peak" => StemNormalization.Peak,
        _ => StemNormalization.Loudness,
    };

    private static List<ConfigIssue> Validate(List<HierarchyLevel> levels, List<HierarchyNode> excluded, string origin, Func<string, (int Line, int Column)> where)
    {
        var issues = new List<ConfigIssue>();
        void Add(string pointer, string message)
        {
            var (line, column) = where(pointer);
            issues.Add(new ConfigIssue(origin, line, column, YamlJson.ToDotted(pointer), message));
        }

        string NodePointer(int levelIndex, string node) => $"/levels/{levelIndex}/nodes/{YamlJson.Escape(node)}";

        // Level 1 (and excluded): every fine label under exactly one node.
        var labelOwner = new Dictionary<string, string>(StringComparer.Ordinal);
        var wildcards = 0;
        foreach (var node in levels[0].Nodes.Concat(excluded))
        {
            var pointer = node.Excluded ? $"/excluded/{YamlJson.Escape(node.Name)}" : NodePointer(0, node.Name);
            foreach (var label in node.Children)
            {
                if (label == Wildcard)
                {
                    if (!node.Excluded)
                    {
                        Add(pointer, $"node '{node.Name}': '*' (every other label) is allowed only under 'excluded'");
                    }
                    else if (++wildcards > 1)
                    {
                        Add(pointer, $"node '{node.Name}': only one excluded node may take '*'");
                    }

                    continue;
                }

                if (labelOwner.TryGetValue(label, out var owner))
                {
                    Add(pointer, $"label '{label}' maps to two instruments: '{owner}' and '{node.Name}'");
                }
                else
                {
                    labelOwner[label] = node.Name;
                }
            }
        }

        var excludedNames = excluded.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in levels[0].Nodes.Where(n => excludedNames.Contains(n.Name)))
        {
            Add(NodePointer(0, node.Name), $"node '{node.Name}' is both a level-1 node and an excluded node");
        }

        // Levels 2..: children are nodes of the level below; each node below has exactly one parent.
        for (var k = 1; k < levels.Count; k++)
        {
            var below = levels[k - 1];
            var belowNames = below.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var parents = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var node in levels[k].Nodes)
            {
                var pointer = NodePointer(k, node.Name);
                foreach (var child in node.Children)
                {
                    if (belowNames.Contains(child))
                    {
                        if (parents.TryGetValue(child, out var other))
                        {
                            Add(pointer, $"'{child}' (level '{below.Name}') has two parents at level '{levels[k].Name}': '{other}' and '{node.Name}'");
                        }
                        else
                        {
                            parents[child] = node.Name;
                        }
                    }
                    else if (excludedNames.Contains(child))
                    {
                        Add(pointer, $"node '{node.Name}' (level '{levels[k].Name}') sums the excluded node '{child}': excluded nodes never enter a sum");
                    }
                    else if (Enumerable.Range(k, levels.Count - k).Any(j => levels[j].Nodes.Any(n => n.Name == child)))
                    {
                        Add(pointer, $"cycle: node '{node.Name}' (level '{levels[k].Name}') lists '{child}', which is a node of its own level or above, not of level '{below.Name}'");
                    }
                    else
                    {
                        Add(pointer, $"node '{node.Name}' (level '{levels[k].Name}') lists '{child}', which is not a node of level '{below.Name}'");
                    }
                }
            }

            foreach (var orphan in below.Nodes.Where(n => !parents.ContainsKey(n.Name)))
            {
                Add(NodePointer(k - 1, orphan.Name), $"node '{orphan.Name}' (level '{below.Name}') maps to no node of level '{levels[k].Name}'");
            }
        }

        return issues;
    }
}
