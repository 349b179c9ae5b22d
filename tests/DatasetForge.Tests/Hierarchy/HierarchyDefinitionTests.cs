using DatasetForge.Common.Config;
using DatasetForge.Hierarchy;
using DatasetForge.Labels;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Hierarchy;

public sealed class HierarchyDefinitionTests
{
    private static HierarchyDefinition Ms21 => HierarchyDefinition.Load("ms21");

    private static string Structure(HierarchyDefinition h) => string.Join("\n",
        h.Levels.Select(l => $"{l.Name}: " + string.Join(" ", l.Nodes.Select(n => $"{n.Name}=[{string.Join(",", n.Children)}]")))
            .Append("excluded: " + string.Join(" ", h.ExcludedNodes.Select(n => $"{n.Name}=[{string.Join(",", n.Children)}]"))));

    [Fact]
    public void The_ms21_preset_equals_ms21s_hierarchy_json_exactly()
    {
        var path = SharedData.Path("fixtures", "ms21", "hierarchy.json");
        var imported = HierarchyDefinition.FromMs21Json(File.ReadAllText(path), path);
        Assert.Equal(Structure(imported), Structure(Ms21));
        Assert.Equal(3, Ms21.Depth);
        Assert.Equal(["instrument", "stem", "mix"], Ms21.Levels.Select(l => l.Name));
        Assert.Equal(14, Ms21.NodesAt(1).Count);

        // Load() also reads the JSON format directly.
        Assert.Equal(Structure(Ms21), Structure(HierarchyDefinition.Load(path)));
    }

    [Fact]
    public void Lookups_label_to_instrument_to_every_level()
    {
        var h = Ms21;
        Assert.Equal("drum_set", h.InstrumentOf("Drum_Kick"));
        Assert.Equal("percussion", h.NodeAt("Drum_Kick", 2));
        Assert.Equal("accompaniment", h.NodeAt("Drum_Kick", 3));
        Assert.Equal(["Choir", "backing_vocal", "vocal", "vocal"], h.PathOf("Choir"));
        Assert.Equal("stem", h.Levels[h.LevelOf("stem") - 1].Name);
        Assert.Equal("other", h.ParentOf("pianos", 1));
        Assert.Null(h.ParentOf("vocal", 3));
        Assert.Equal(["Electric_Bass", "Synth_Bass", "Double_Bass"], h.LabelsUnder(2, "bass"));
        Assert.Equal(30, h.LabelsUnder(2, "percussion").Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.NodeAt("Drum_Kick", 4));
    }

    [Fact]
    public void Ambient_unused_and_unknown_never_enter_a_sum()
    {
        var h = Ms21;
        foreach (var x in new[] { "Unused", "Ambient_Microphone", "unknown", "unused", "ambient_mic", "Some_New_Label" })
        {
            Assert.True(h.IsExcluded(x), x);
        }

        Assert.False(h.IsExcluded("Drum_Kick"));
        Assert.False(h.IsExcluded("drum_set"));
        Assert.Equal("ambient_mic", h.InstrumentOf("Ambient_Microphone"));
        Assert.Null(h.NodeAt("Ambient_Microphone", 2));
        Assert.Equal(["Unused", "unused"], h.PathOf("Unused"));
        Assert.DoesNotContain("Unused", h.LabelsUnder(3, "accompaniment"));
        foreach (var node in Enumerable.Range(1, h.Depth).SelectMany(h.NodesAt))
        {
            Assert.DoesNotContain("Ambient_Microphone", h.LabelsUnder(node.Level, node.Name));
        }
    }

    [Fact]
    public void Percussive_stems_are_peak_normalized_in_ms21()
    {
        var h = Ms21;
        Assert.Equal(StemNormalization.Peak, h.NormalizationOf(1, "drum_set"));
        Assert.Equal(StemNormalization.Peak, h.NormalizationOf(1, "nontonal_percussion"));
        Assert.Equal(StemNormalization.Peak, h.NormalizationOf(2, "percussion"));
        Assert.Equal(StemNormalization.Loudness, h.NormalizationOf(2, "bass"));
        Assert.Equal(StemNormalization.Loudness, h.NormalizationOf(3, "accompaniment"));
        Assert.Equal(StemNormalization.Peak, h.NormalizationOfLabel("Claps"));
        Assert.Equal(StemNormalization.Loudness, h.NormalizationOfLabel("Lead_Vocal"));
        Assert.Throws<KeyNotFoundException>(() => h.NormalizationOf(2, "drum_set"));
    }

    [Theory]
    [InlineData("ms21", 3)]
    [InlineData("musdb", 2)]
    [InlineData("slakh3", 3)]
    [InlineData("cadenza-classical", 3)]
    public void Every_preset_loads_valid_and_maps_the_whole_ms21_vocabulary(string name, int depth)
    {
        var h = HierarchyDefinition.Load(name);
        Assert.Equal(depth, h.Depth);
        foreach (var label in LabelRuleSet.Default.Labels)
        {
            Assert.True(h.Maps(label), $"{name} does not map {label}");
            var path = h.PathOf(label);
            Assert.True(h.IsExcluded(label) || path.Count == depth + 1, $"{name}: {label} -> {string.Join(" > ", path)}");
        }
    }

    [Fact]
    public void Musdb_has_four_stems_and_cadenza_excludes_everything_unclassical()
    {
        var musdb = HierarchyDefinition.Load("musdb");
        Assert.Equal(["vocals", "drums", "bass", "other"], musdb.NodesAt(2).Select(n => n.Name));
        Assert.Equal("drums", musdb.NodeAt("Conga", 2));

        var cadenza = HierarchyDefinition.Load("cadenza-classical");
        Assert.Equal(["violin", "viola", "cello", "flute", "oboe", "clarinet", "bassoon", "saxophone"], cadenza.NodesAt(1).Select(n => n.Name));
        Assert.Equal("not_classical", cadenza.InstrumentOf("Electric_Guitar"));
        Assert.True(cadenza.IsExcluded("Electric_Guitar"));
        Assert.Equal("woodwinds", cadenza.NodeAt("Saxophone", 2));

        var slakh = HierarchyDefinition.Load("slakh3");
        Assert.Equal("mid_range_strings", slakh.NodeAt("Electric_Piano", 3));
        Assert.Equal("mid_range_strings", slakh.NodeAt("Acoustic_Guitar", 3));
    }

    [Fact]
    public void Yaml_written_by_import_reads_back_identically()
    {
        var path = SharedData.Path("fixtures", "ms21", "hierarchy.json");
        var imported = HierarchyDefinition.FromMs21Json(File.ReadAllText(path), path);
        var again = HierarchyDefinition.Parse(imported.ToYaml(), "roundtrip.yaml");
        Assert.Equal(Structure(imported), Structure(again));
        var ms21Again = HierarchyDefinition.Parse(Ms21.ToYaml(), "roundtrip.yaml");
        Assert.Equal(StemNormalization.Peak, ms21Again.NormalizationOf(2, "percussion"));
    }

    [Fact]
    public void Validation_errors_name_the_node_the_file_and_the_line()
    {
        const string yaml = """
            name: broken
            levels:
              - name: instrument
                nodes:
                  drums: [Drum_Kick]
                  bass: [Electric_Bass, Drum_Kick]
                  keys: [Piano]
              - name: stem
                nodes:
                  rhythm: [drums, ambient_mic]
                  low: [drums, bass, rhythm]
            excluded:
              ambient_mic: [Ambient_Microphone]
              other: ["*"]
              more: ["*"]
            """;
        var error = Assert.Throws<ConfigException>(() => HierarchyDefinition.Parse(yaml, "broken.yaml"));
        string At(string fragment) => Assert.Single(error.Issues, i => i.Message.Contains(fragment)).ToString();
        Assert.Equal("broken.yaml:6:7: 'levels[0].nodes.bass': label 'Drum_Kick' maps to two instruments: 'drums' and 'bass'", At("two instruments"));
        Assert.StartsWith("broken.yaml:10:7: 'levels[1].nodes.rhythm'", At("excluded node 'ambient_mic'"));
        Assert.StartsWith("broken.yaml:11:7: 'levels[1].nodes.low'", At("two parents"));
        Assert.Contains("'drums'", At("two parents"));
        Assert.StartsWith("broken.yaml:11:7", At("cycle"));
        Assert.StartsWith("broken.yaml:7:7: 'levels[0].nodes.keys'", At("maps to no node"));
        Assert.StartsWith("broken.yaml:15:3", At("only one excluded node may take '*'"));
    }

    [Fact]
    public void Schema_errors_name_the_line_and_key()
    {
        const string yaml = """
            name: x
            levels:
              - name: instrument
                nodes:
                  drums: { children: [Drum_Kick], normalization: loud }
            """;
        var error = Assert.Throws<ConfigException>(() => HierarchyDefinition.Parse(yaml, "x.yaml"));
        Assert.Contains(error.Issues, i => i.Key == "levels[0].nodes.drums.normalization" && i.Line == 5);
        Assert.DoesNotContain(error.Issues, i => i.Line == 0);
    }

    [Fact]
    public void Unknown_presets_and_bad_json_are_clear_errors()
    {
        Assert.Contains("built-in", Assert.Throws<FileNotFoundException>(() => HierarchyDefinition.Load("nope")).Message);
        Assert.Throws<ConfigException>(() => HierarchyDefinition.FromMs21Json("[1, 2]", "x.json"));
        Assert.Throws<ConfigException>(() => HierarchyDefinition.FromMs21Json("{not json", "x.json"));
        var twoParents = """{"track2inst": {"a": ["X"], "b": ["X"]}}""";
        Assert.Contains("two instruments", Assert.Throws<ConfigException>(() => HierarchyDefinition.FromMs21Json(twoParents, "t.json")).Message);
    }
}
