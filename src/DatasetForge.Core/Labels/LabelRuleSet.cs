using DatasetForge.Common;
using System.Collections.Frozen;
using System.Text.Json.Nodes;
using DatasetForge.Common.Config;

namespace DatasetForge.Labels;

/// <summary>
/// One ordered rule: if the file's words (and its song's other files) satisfy every condition, the track gets
/// <see cref="Label"/>. Conditions on words: <see cref="All"/> (each entry an alternation "a|b"), <see cref="Any"/>,
/// <see cref="None"/>, <see cref="First"/> (the first word that names something). Conditions on the song's other
/// files: their words (<see cref="SongWords"/>), and — from a first pass that ignores such rules — their labels or
/// instruments (<see cref="SongLabels"/>) and the rules that named them (<see cref="SongRules"/>).
/// </summary>
public sealed record LabelRule
{
    public required string Id { get; init; }

    public required string Label { get; init; }

    public double Confidence { get; init; } = 0.9;

    public IReadOnlyList<IReadOnlySet<string>> All { get; init; } = [];

    public IReadOnlySet<string> Any { get; init; } = FrozenSet<string>.Empty;

    /// <summary>How many different words of <see cref="Any"/> must be present (default 1).</summary>
    public int AnyMin { get; init; } = 1;

    public IReadOnlySet<string> None { get; init; } = FrozenSet<string>.Empty;

    public IReadOnlySet<string> First { get; init; } = FrozenSet<string>.Empty;

    public IReadOnlySet<string> SongWords { get; init; } = FrozenSet<string>.Empty;

    public IReadOnlySet<string> SongNoWords { get; init; } = FrozenSet<string>.Empty;

    public IReadOnlySet<string> SongLabels { get; init; } = FrozenSet<string>.Empty;

    public IReadOnlySet<string> SongNoLabels { get; init; } = FrozenSet<string>.Empty;

    public IReadOnlySet<string> SongRules { get; init; } = FrozenSet<string>.Empty;

    public IReadOnlySet<string> SongNoRules { get; init; } = FrozenSet<string>.Empty;

    public string? Note { get; init; }

    /// <summary>True when the rule looks at other tracks' labels or rules, so it can only apply in the second pass.</summary>
    public bool NeedsSongLabels => SongLabels.Count + SongNoLabels.Count + SongRules.Count + SongNoRules.Count > 0;

    /// <summary>Every word the rule tests on the track itself.</summary>
    public IEnumerable<string> OwnWords => All.SelectMany(a => a).Concat(Any).Concat(First);

    /// <summary>Every word the rule mentions.</summary>
    public IEnumerable<string> Words => OwnWords.Concat(None).Concat(SongWords).Concat(SongNoWords);
}

/// <summary>
/// A label-rules file (`pipelines/labels/*.yaml`, schema `label-rules.schema.json`): the vocabulary (fine labels and
/// their level-1 instrument), the tokenizer (abbreviations, phrases, noise and gear words) and the ordered rules.
/// Loading checks what the schema cannot: rule labels exist, rules use canonical words rather than abbreviations,
/// song conditions name existing labels, instruments and rules, and rule ids are unique. Immutable.
/// </summary>
public sealed class LabelRuleSet
{
    private readonly FrozenDictionary<string, string> instrumentOf;

    private LabelRuleSet(string name, string origin, IReadOnlyList<(string Instrument, IReadOnlyList<string> Labels)> vocabulary, FileNameTokenizer tokenizer, IReadOnlyList<LabelRule> rules)
    {
        Name = name;
        Origin = origin;
        Vocabulary = vocabulary;
        Tokenizer = tokenizer;
        Rules = rules;
        instrumentOf = vocabulary.SelectMany(v => v.Labels.Select(l => (l, v.Instrument))).ToFrozenDictionary(x => x.l, x => x.Instrument, StringComparer.Ordinal);
    }

    public string Name { get; }

    public string Origin { get; }

    /// <summary>Level-1 instrument -> its fine labels, in file order (includes unused, ambient_mic).</summary>
    public IReadOnlyList<(string Instrument, IReadOnlyList<string> Labels)> Vocabulary { get; }

    /// <summary>Every fine label, in vocabulary order.</summary>
    public IEnumerable<string> Labels => Vocabulary.SelectMany(v => v.Labels);

    /// <summary>The level-1 instruments, in vocabulary order.</summary>
    public IEnumerable<string> Instruments => Vocabulary.Select(v => v.Instrument);

    public FileNameTokenizer Tokenizer { get; }

    public IReadOnlyList<LabelRule> Rules { get; }

    /// <summary>The song-level lead/backing logic for role-less vocals (`vocal_roles`), or null when the file has none.</summary>
    public VocalRoleOptions? VocalRoles { get; private init; }

    /// <summary>SHA-256 of the rules file's text: part of the key of any work labelled with these rules.</summary>
    public string Sha256 { get; private init; } = string.Empty;

    /// <summary>Loads a rules file from disk, or a built-in preset by name ("ms21" = pipelines/labels/ms21.yaml).</summary>
    public static LabelRuleSet Load(string pathOrPreset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrPreset);
        if (!File.Exists(pathOrPreset) && !pathOrPreset.Contains('/') && !pathOrPreset.Contains('\\') && !pathOrPreset.Contains('.'))
        {
            pathOrPreset = $"pipelines/labels/{pathOrPreset}.yaml";
        }

        var (text, origin) = EmbeddedAssets.ReadFileOrEmbedded(pathOrPreset);
        return Parse(text, origin);
    }

    /// <summary>The built-in MS21 rules.</summary>
    public static LabelRuleSet Default => DefaultRules.Value;

    private static readonly Lazy<LabelRuleSet> DefaultRules = new(() => Load("ms21"));

    public static LabelRuleSet Parse(string yaml, string origin)
    {
        var located = SchemaValidatedConfig.LoadLocated(yaml, origin, "label-rules.schema.json");
        var root = located.Root!.AsObject();
        var issues = new List<ConfigIssue>();
        void Add(string pointer, string message)
        {
            located.Positions.TryGetValue(pointer, out var mark);
            issues.Add(new ConfigIssue(origin, (int)mark.Line, (int)mark.Column, YamlJson.ToDotted(pointer), message));
        }

        var vocabulary = new List<(string, IReadOnlyList<string>)>();
        var labelSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (instrument, labels) in root["vocabulary"]!.AsObject())
        {
            var list = Strings(labels);
            foreach (var label in list.Where(l => !labelSeen.Add(l)))
            {
                Add($"/vocabulary/{YamlJson.Escape(instrument)}", $"label '{label}' is listed under two instruments");
            }

            vocabulary.Add((instrument, list));
        }

        var tokenizerNode = root["tokenizer"]?.AsObject();
        var options = new TokenizerOptions
        {
            Extensions = Strings(tokenizerNode?["extensions"]),
            Aliases = Map(tokenizerNode?["aliases"]),
            Phrases = Map(tokenizerNode?["phrases"]),
            NumberedAliases = Map(tokenizerNode?["numbered_aliases"]),
            Noise = Strings(tokenizerNode?["noise"]),
            Gear = Strings(tokenizerNode?["gear"]),
            GearPattern = tokenizerNode?["gear_pattern"]?.GetValue<string>(),
            SegmentMinLength = (int?)Number(tokenizerNode?["segment_min_length"]) ?? 5,
            FuzzyMinLength = (int?)Number(tokenizerNode?["fuzzy_min_length"]) ?? 5,
        };

        var rules = new List<LabelRule>();
        var rulesArray = root["rules"]!.AsArray();
        for (var i = 0; i < rulesArray.Count; i++)
        {
            var r = rulesArray[i]!.AsObject();
            rules.Add(new LabelRule
            {
                Id = r["id"]!.GetValue<string>(),
                Label = r["label"]!.GetValue<string>(),
                Confidence = Number(r["confidence"]) ?? 0.9,
                All = Strings(r["all"]).Select(a => (IReadOnlySet<string>)a.Split('|').ToFrozenSet(StringComparer.Ordinal)).ToList(),
                Any = Set(r["any"]),
                AnyMin = (int?)Number(r["any_min"]) ?? 1,
                None = Set(r["none"]),
                First = Set(r["first"]),
                SongWords = Set(r["song_words"]),
                SongNoWords = Set(r["song_no_words"]),
                SongLabels = Set(r["song_labels"]),
                SongNoLabels = Set(r["song_no_labels"]),
                SongRules = Set(r["song_rules"]),
                SongNoRules = Set(r["song_no_rules"]),
                Note = r["note"]?.GetValue<string>(),
            });
        }

        var ruleWords = rules.SelectMany(r => r.Words).ToHashSet(StringComparer.Ordinal);
        ruleWords.Remove(FileNameTokenizer.GearWord);
        var tokenizer = new FileNameTokenizer(options, ruleWords);

        var instruments = vocabulary.Select(v => v.Item1).ToHashSet(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var allIds = rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"/rules/{i}";
            if (!ids.Add(rule.Id))
            {
                Add($"{at}/id", $"rule id '{rule.Id}' is used twice");
            }

            if (!labelSeen.Contains(rule.Label))
            {
                Add($"{at}/label", $"rule '{rule.Id}': label '{rule.Label}' is not in the vocabulary");
            }

            foreach (var word in rule.Words.Where(w => tokenizer.AliasOf(w) is { } expanded && !expanded.Contains(w)))
            {
                Add(at, $"rule '{rule.Id}': '{word}' is an abbreviation of '{string.Join(' ', tokenizer.AliasOf(word)!)}'; rules must use the canonical word(s), or the rule never matches");
            }

            foreach (var name in rule.SongLabels.Concat(rule.SongNoLabels).Where(n => !labelSeen.Contains(n) && !instruments.Contains(n)))
            {
                Add(at, $"rule '{rule.Id}': '{name}' is neither a label nor an instrument of the vocabulary");
            }

            foreach (var id in rule.SongRules.Concat(rule.SongNoRules).Where(id => !allIds.Contains(id)))
            {
                Add(at, $"rule '{rule.Id}': no rule has the id '{id}'");
            }
        }

        VocalRoleOptions? vocalRoles = null;
        if (root["vocal_roles"] is JsonObject roles)
        {
            vocalRoles = new VocalRoleOptions
            {
                RolelessRules = Set(roles["roleless_rules"]),
                LeadLabel = roles["lead_label"]!.GetValue<string>(),
                BackingLabel = roles["backing_label"]!.GetValue<string>(),
                NumberedMin = (int?)Number(roles["numbered_min"]) ?? 3,
                NumberedMax = (int?)Number(roles["numbered_max"]) ?? 4,
            };
            foreach (var id in vocalRoles.RolelessRules.Where(id => !allIds.Contains(id)))
            {
                Add("/vocal_roles/roleless_rules", $"vocal_roles: no rule has the id '{id}'");
            }

            foreach (var (key, label) in new[] { ("lead_label", vocalRoles.LeadLabel), ("backing_label", vocalRoles.BackingLabel) }.Where(x => !labelSeen.Contains(x.Item2)))
            {
                Add($"/vocal_roles/{key}", $"vocal_roles: label '{label}' is not in the vocabulary");
            }

            if (vocalRoles.NumberedMax < vocalRoles.NumberedMin)
            {
                Add("/vocal_roles/numbered_max", $"vocal_roles: numbered_max {vocalRoles.NumberedMax} is below numbered_min {vocalRoles.NumberedMin}");
            }
        }

        if (issues.Count > 0)
        {
            throw new ConfigException(issues);
        }

        return new LabelRuleSet(root["name"]!.GetValue<string>(), origin, vocabulary, tokenizer, rules) { Sha256 = ContentHash.OfText(yaml), VocalRoles = vocalRoles };
    }

    /// <summary>True when the label is in the vocabulary (or is `unknown`).</summary>
    public bool IsLabel(string label) => instrumentOf.ContainsKey(label) || label == Hierarchy.HierarchyDefinition.Unknown;

    /// <summary>The vocabulary's level-1 instrument of a fine label; `unknown` for `unknown` and labels outside the vocabulary.</summary>
    public string InstrumentOf(string label) => instrumentOf.TryGetValue(label, out var instrument) ? instrument : Hierarchy.HierarchyDefinition.Unknown;

    private static double? Number(JsonNode? node) =>
        node is null ? null : node.AsValue().TryGetValue(out long whole) ? whole : node.GetValue<double>();

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : [];

    private static FrozenSet<string> Set(JsonNode? node) => Strings(node).ToFrozenSet(StringComparer.Ordinal);

    private static Dictionary<string, string> Map(JsonNode? node) =>
        node is JsonObject obj ? obj.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>(), StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
}
