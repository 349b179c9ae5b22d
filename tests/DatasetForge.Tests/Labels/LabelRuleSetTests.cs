using DatasetForge.Common.Config;
using DatasetForge.Hierarchy;
using DatasetForge.Labels;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Labels;

public sealed class LabelRuleSetTests
{
    private const string Minimal = """
        name: tiny
        vocabulary:
          drum_set: [Drum_Kick]
          bass: [Electric_Bass]
        tokenizer:
          aliases:
            kik: kick
        rules:
          - id: kick
            any: [kick]
            label: Drum_Kick
          - id: bass
            any: [bass]
            label: Electric_Bass
            confidence: 0.7
        """;

    [Fact]
    public void The_ms21_vocabulary_is_exactly_the_ms21_hierarchys_labels_and_instruments()
    {
        var rules = LabelRuleSet.Default;
        var tree = HierarchyDefinition.FromMs21Json(File.ReadAllText(SharedData.Path("fixtures", "ms21", "hierarchy.json")), "hierarchy.json");
        var fromJson = tree.Levels[0].Nodes.Select(n => (n.Name, Labels: string.Join(",", n.Children))).ToList();
        var fromRules = rules.Vocabulary.Where(v => v.Instrument is not ("unused" or "ambient_mic")).Select(v => (Name: v.Instrument, Labels: string.Join(",", v.Labels))).ToList();
        Assert.Equal(fromJson, fromRules);
        Assert.Equal(14, fromRules.Count);
        Assert.Equal("unused", rules.InstrumentOf("Unused"));
        Assert.Equal("ambient_mic", rules.InstrumentOf("Ambient_Microphone"));
        Assert.Equal(72, rules.Labels.Count());
    }

    [Fact]
    public void Every_vocabulary_label_is_reachable_by_some_rule()
    {
        var rules = LabelRuleSet.Default;
        var produced = rules.Rules.Select(r => r.Label).ToHashSet();
        Assert.All(rules.Labels, l => Assert.Contains(l, produced));
    }

    [Fact]
    public void A_minimal_rules_file_loads_and_labels()
    {
        var rules = LabelRuleSet.Parse(Minimal, "tiny.yaml");
        var labels = new TrackLabeler(rules).LabelSong("s", ["Kik.wav", "Bass.wav", "Piano.wav"]);
        Assert.Equal(["Drum_Kick", "Electric_Bass", "unknown"], labels.Select(l => l.Label));
        Assert.Equal(0.7, labels[1].Confidence);
    }

    [Fact]
    public void Schema_errors_name_the_file_line_and_key()
    {
        var bad = Minimal.Replace("    label: Electric_Bass\n", "    label: Electric_Bass\n    colour: blue\n", StringComparison.Ordinal);
        var error = Assert.Throws<ConfigException>(() => LabelRuleSet.Parse(bad, "bad-rules.yaml"));
        var issue = Assert.Single(error.Issues, i => i.Message.Contains("unknown key"));
        Assert.Equal("rules[1].colour", issue.Key);
        Assert.Equal(15, issue.Line);
        Assert.Contains("unknown key", issue.Message);
        Assert.StartsWith("bad-rules.yaml:15:", error.Message);
    }

    [Fact]
    public void Rules_must_name_vocabulary_labels_canonical_words_and_existing_rules()
    {
        var unknownLabel = Minimal.Replace("label: Electric_Bass", "label: Electric_Base", StringComparison.Ordinal);
        var e1 = Assert.Throws<ConfigException>(() => LabelRuleSet.Parse(unknownLabel, "r.yaml"));
        Assert.Contains("'Electric_Base' is not in the vocabulary", e1.Message);
        Assert.Equal("rules[1].label", e1.Issues[0].Key);
        Assert.Equal(14, e1.Issues[0].Line);

        var alias = Minimal.Replace("any: [kick]", "any: [kik]", StringComparison.Ordinal);
        var e2 = Assert.Throws<ConfigException>(() => LabelRuleSet.Parse(alias, "r.yaml"));
        Assert.Contains("'kik' is an abbreviation of 'kick'", e2.Message);

        var missingRule = Minimal.Replace("    confidence: 0.7", "    confidence: 0.7\n    song_rules: [snare]", StringComparison.Ordinal);
        var e3 = Assert.Throws<ConfigException>(() => LabelRuleSet.Parse(missingRule, "r.yaml"));
        Assert.Contains("no rule has the id 'snare'", e3.Message);

        var duplicate = Minimal.Replace("id: bass", "id: kick", StringComparison.Ordinal);
        Assert.Contains("used twice", Assert.Throws<ConfigException>(() => LabelRuleSet.Parse(duplicate, "r.yaml")).Message);
    }

    [Fact]
    public void A_rule_without_any_word_condition_is_refused_by_the_schema()
    {
        var noCondition = Minimal.Replace("    any: [bass]\n", string.Empty, StringComparison.Ordinal);
        var error = Assert.Throws<ConfigException>(() => LabelRuleSet.Parse(noCondition, "r.yaml"));
        Assert.All(error.Issues, i => Assert.StartsWith("rules[1]", i.Key));
    }

    [Fact]
    public void Load_takes_a_preset_name_or_a_path()
    {
        using var temp = new TempDir();
        var path = temp.File("mine.yaml");
        File.WriteAllText(path, Minimal);
        Assert.Equal("tiny", LabelRuleSet.Load(path).Name);
        Assert.Equal("ms21", LabelRuleSet.Load("ms21").Name);
        Assert.Throws<FileNotFoundException>(() => LabelRuleSet.Load("no-such-preset"));
    }
}
