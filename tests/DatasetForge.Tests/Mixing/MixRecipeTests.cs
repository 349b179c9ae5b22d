using DatasetForge.Common.Config;
using DatasetForge.Mixing;

namespace DatasetForge.Tests.Mixing;

public sealed class MixRecipeTests
{
    [Fact]
    public void Built_in_recipes_load_with_the_values_of_the_papers()
    {
        Assert.Equal(["bsrnn", "hierarchical", "mixit", "rms"], MixRecipe.PresetNames.Order(StringComparer.Ordinal));

        var bsrnn = MixRecipe.Load("bsrnn");
        Assert.Equal(MixKind.Stems, bsrnn.Kind);
        Assert.Equal(3.0, bsrnn.ChunkSeconds);
        Assert.Equal(2, bsrnn.Level);
        Assert.Equal(["vocal", "percussion", "bass", "other"], bsrnn.Targets);
        Assert.Equal(SourceIndex.Segments, bsrnn.Source.Index);
        Assert.Equal("bsrnn", bsrnn.Source.Method);
        Assert.Equal([-10.0, 10.0], bsrnn.Augment.GainDb!);
        Assert.Equal(0.1, bsrnn.Augment.Dropout);
        Assert.Equal(1.0, bsrnn.Augment.CrossSongRemix);
        Assert.Equal(RescaleMode.MaxAbs, bsrnn.Rescale);

        var rms = MixRecipe.Load("rms");
        Assert.Equal(NormalizeMode.Rms, rms.Normalize.Mode);
        Assert.Equal(0.05, rms.Augment.Dropout);
        Assert.Equal(6.0, rms.ChunkSeconds);

        var hierarchical = MixRecipe.Load("hierarchical");
        Assert.Equal(MixKind.Hierarchical, hierarchical.Kind);
        Assert.Equal(SourceIndex.Saliency, hierarchical.Source.Index);
        Assert.Equal("ms21", hierarchical.Hierarchy);

        var mixit = MixRecipe.Load("mixit");
        Assert.Equal(MixKind.Mixit, mixit.Kind);
        Assert.Equal(2, mixit.Mixtures);
    }

    [Fact]
    public void Schema_errors_name_the_file_line_and_key()
    {
        const string yaml = """
            name: broken
            kind: stems
            chunk_seconds: 3
            level: 2
            targets: [vocal]
            augment:
              dropout: 1.5
              shuffle: 0.3
            """;
        var e = Assert.Throws<ConfigException>(() => MixRecipe.Parse(yaml, "broken.yaml"));
        Assert.Contains(e.Issues, i => i.File == "broken.yaml" && i.Line == 7 && i.Key == "augment.dropout");
        Assert.Contains(e.Issues, i => i.Line == 8 && i.Message.Contains("unknown key", StringComparison.Ordinal));
    }

    [Fact]
    public void Inconsistent_values_are_refused_with_their_line()
    {
        var reversed = Assert.Throws<ConfigException>(() => MixRecipe.Parse("name: x\nkind: stems\nchunk_seconds: 1\nlevel: 2\ntargets: [bass]\naugment:\n  gain_db: [5, -5]\n", "r.yaml"));
        Assert.Contains(reversed.Issues, i => i.Line == 7 && i.Message.Contains("reversed", StringComparison.Ordinal));

        var stemsWithoutTargets = Assert.Throws<ConfigException>(() => MixRecipe.Parse("name: x\nkind: stems\nchunk_seconds: 1\n", "s.yaml"));
        Assert.Contains("targets", stemsWithoutTargets.Message, StringComparison.Ordinal);

        var mixitSegments = Assert.Throws<ConfigException>(() => MixRecipe.Parse("name: x\nkind: mixit\nchunk_seconds: 1\nsource: { index: segments }\n", "m.yaml"));
        Assert.Contains(mixitSegments.Issues, i => i.Key == "source.index");
    }

    [Fact]
    public void Hash_follows_content_not_formatting()
    {
        var a = MixRecipe.Parse("name: x\nkind: mixit\nchunk_seconds: 2\n", "a.yaml");
        var b = MixRecipe.Parse("# comment\nname: x\nkind:   mixit\nchunk_seconds: 2.0\nmixtures: 2\n", "b.yaml");
        var c = MixRecipe.Parse("name: x\nkind: mixit\nchunk_seconds: 3\n", "c.yaml");
        Assert.Equal(a.Hash, b.Hash);
        Assert.NotEqual(a.Hash, c.Hash);
    }

    [Fact]
    public void An_unknown_preset_lists_the_built_in_ones()
    {
        var e = Assert.Throws<FileNotFoundException>(() => MixRecipe.Load("nosuch"));
        Assert.Contains("bsrnn", e.Message, StringComparison.Ordinal);
    }
}
