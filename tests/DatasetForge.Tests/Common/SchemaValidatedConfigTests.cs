using DatasetForge.Common.Config;

namespace DatasetForge.Tests.Common;

public sealed class SchemaValidatedConfigTests
{
    private sealed record Stage(string Id, int Workers = 1);

    private sealed record Example(string Name, double GainDb = 0, IReadOnlyList<Stage>? Stages = null);

    [Fact]
    public void Valid_yaml_binds_with_snake_case_keys()
    {
        const string yaml = """
            name: demo
            gain_db: -1.5
            stages:
              - id: render
                workers: 2
              - id: "042"
            """;
        var config = SchemaValidatedConfig.Load<Example>(yaml, "demo.yaml", "example.schema.json");
        Assert.Equal("demo", config.Name);
        Assert.Equal(-1.5, config.GainDb);
        Assert.Equal(2, config.Stages![0].Workers);
        Assert.Equal("042", config.Stages[1].Id); // quoted: stays a string
    }

    [Fact]
    public void Schema_errors_name_the_line_and_the_key()
    {
        const string yaml = """
            name: demo
            stages:
              - id: render
                workers: 0
              - id: split
                colour: blue
            """;
        var error = Assert.Throws<ConfigException>(() => SchemaValidatedConfig.Load<Example>(yaml, "bad.yaml", "example.schema.json"));
        var workers = Assert.Single(error.Issues, i => i.Key == "stages[0].workers");
        Assert.Equal(4, workers.Line);
        var colour = Assert.Single(error.Issues, i => i.Key == "stages[1].colour");
        Assert.Equal(6, colour.Line);
        Assert.Contains("unknown key", colour.Message);
        Assert.Contains("bad.yaml:6:", error.Message);
    }

    [Fact]
    public void Missing_required_key_and_syntax_errors_are_reported()
    {
        var missing = Assert.Throws<ConfigException>(() => SchemaValidatedConfig.Load<Example>("gain_db: -3\n", "m.yaml", "example.schema.json"));
        Assert.Contains("name", missing.Message);

        var syntax = Assert.Throws<ConfigException>(() => SchemaValidatedConfig.Load<Example>("name: [unclosed\n", "s.yaml", "example.schema.json"));
        Assert.Contains("YAML syntax error", syntax.Message);
        Assert.True(syntax.Issues[0].Line > 0);

        var duplicate = Assert.Throws<ConfigException>(() => SchemaValidatedConfig.Load<Example>("name: a\nname: b\n", "d.yaml", "example.schema.json"));
        Assert.Contains("duplicate key", duplicate.Message, StringComparison.OrdinalIgnoreCase);
    }
}
