using DatasetForge.Common.Config;
using DatasetForge.Pipeline;
using DatasetForge.Render;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Pipeline;

public sealed class PipelineDefinitionTests
{
    [Fact]
    public void The_shipped_pipelines_load_with_the_thesis_parameters()
    {
        var ms21 = PipelineDefinition.Load(Path.Combine(SharedData.RepoRoot, "pipelines", "ms21.yaml"));
        Assert.Equal("url", ms21.Source.Kind);
        Assert.Equal("ms21", ms21.Hierarchy);
        Assert.Equal("ms21", ms21.Labels.Rules);
        var render = ms21.Render.ToOptions();
        Assert.Equal(RenderMode.Ms21, render.Mode);
        Assert.Equal(-25, render.TargetLufs);
        Assert.Equal(-1, render.PeakDbfs);
        Assert.Equal(44100, render.SampleRate);
        Assert.Equal(2, render.Channels);
        Assert.Equal(50, ms21.SplitOptions().ForcedTest.Count); // MUSDB18's test songs, found from the pipeline's folder

        var demo = PipelineDefinition.Load("demo"); // the built-in one (embedded)
        Assert.Equal("synthetic", demo.Source.Kind);
        Assert.True(demo.Source.Serve);
        Assert.Equal("demo-output", demo.Output);
    }

    [Fact]
    public void A_schema_error_names_the_file_the_line_and_the_key()
    {
        using var temp = new TempDir();
        var path = temp.File("bad.yaml");
        File.WriteAllText(path, "name: bad\nsource:\n  kind: folder\n  path: x\nrender:\n  target_lufs: loud\n  chanels: 2\n");
        var e = Assert.Throws<ConfigException>(() => PipelineDefinition.Load(path));
        Assert.Contains(e.Issues, i => i.File == path && i.Line == 6 && i.Key == "render.target_lufs");
        Assert.Contains(e.Issues, i => i.Line == 7 && i.Key == "render.chanels" && i.Message.Contains("unknown key", StringComparison.Ordinal));

        File.WriteAllText(path, "source:\n  kind: ftp\n");
        e = Assert.Throws<ConfigException>(() => PipelineDefinition.Load(path));
        Assert.Contains(e.Issues, i => i.Line == 2 && i.Key == "source.kind");

        File.WriteAllText(path, "source:\n  kind: html\nsplit:\n  train: 0.9\n");
        e = Assert.Throws<ConfigException>(() => PipelineDefinition.Load(path));
        Assert.Contains("source.files", e.Message, StringComparison.Ordinal);
        Assert.Contains("train + validation + test", e.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "source: [unclosed\n");
        e = Assert.Throws<ConfigException>(() => PipelineDefinition.Load(path));
        Assert.Contains("YAML syntax error", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_overrides_are_typed_by_the_schema()
    {
        var d = PipelineDefinition.Load("demo", [
            "render.target_lufs=-23", "source.songs=3", "report=false", "source.urls=http://127.0.0.1/x.html", "source.limit=null",
            "analysis.bleed.threshold=0.6", "render.mode=ms21", "split.forced_test=null", "labels.corrections=~",
        ]);
        Assert.Equal(-23, d.Render.TargetLufs);
        Assert.Equal(3, d.Source.Songs);
        Assert.False(d.Report);
        Assert.Equal(["http://127.0.0.1/x.html"], d.Source.Urls);
        Assert.Null(d.Source.Limit);
        Assert.Equal(0.6, d.AnalysisOptions.Bleed.Threshold);
        Assert.Equal("ms21", d.Render.Mode);
        Assert.Contains("\"target_lufs\": -23", d.EffectiveJson, StringComparison.Ordinal);

        var wrongType = Assert.Throws<ConfigException>(() => PipelineDefinition.Load("demo", ["render.target_lufs=loud"]));
        Assert.Contains("--set render.target_lufs=loud", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("number", wrongType.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ConfigException>(() => PipelineDefinition.Load("demo", ["render.loudness=-23"]));
        Assert.Contains("unknown key 'render.loudness'", unknown.Message, StringComparison.Ordinal);
        var badEnum = Assert.Throws<ConfigException>(() => PipelineDefinition.Load("demo", ["render.mode=loud"]));
        Assert.Contains("\"consistent\"", badEnum.Message, StringComparison.Ordinal);
        var outOfRange = Assert.Throws<ConfigException>(() => PipelineDefinition.Load("demo", ["render.sample_rate=100"]));
        Assert.Contains("render.sample_rate", outOfRange.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() => PipelineDefinition.Load("demo", ["no-equals-sign"]));
    }
}
