using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Analysis;

public sealed class AnalysisCommandTests(AnalysisFixture fixture) : IClassFixture<AnalysisFixture>
{
    private static (int ExitCode, string Output, string Error) Forge(params string[] args) => ForgeInProcess.Run(args);

    [Fact]
    public void Analyze_then_report_on_a_dataset()
    {
        using var temp = new TempDir();
        var dir = AnalysisDatasets.WriteDataset(temp.Path, fixture.Songs);
        var (code, output, error) = Forge("analyze", dir, "--jobs", "1");

        // The truncated raw file is named on stderr and makes the exit code 1; everything else is written.
        Assert.Equal(1, code);
        Assert.Contains("Broken.wav", error);
        Assert.Contains("songs with harmful bleed: 1", output);
        Assert.Contains("songs analysed / unchanged / failed: 2 / 0 / 0", output);
        Assert.True(File.Exists(Path.Combine(dir, "analysis", "bleed.csv")));

        var (again, againOutput, _) = Forge("analyze", dir, "--jobs", "1");
        Assert.Equal(1, again);
        Assert.Equal(2, againOutput.Split('\n').Count(l => l.StartsWith("analysis ", StringComparison.Ordinal) && l.Contains(": unchanged", StringComparison.Ordinal)));
        Assert.Contains("songs analysed / unchanged / failed: 0 / 2 / 0", againOutput);

        var (reportCode, reportOutput, reportError) = Forge("report", dir, "--out", temp.File("report"));
        Assert.True(reportCode == 0, reportError);
        Assert.Contains("index.html", reportOutput);
        Assert.True(File.Exists(temp.File("report/index.html")));
    }

    [Fact]
    public void A_bad_folder_or_config_is_a_clear_error()
    {
        using var temp = new TempDir();
        var (code, _, error) = Forge("analyze", temp.File("missing"));
        Assert.Equal(1, code);
        Assert.Contains("missing", error);

        File.WriteAllText(temp.File("bad.yaml"), "bleed:\n  fft_size: 1000\n");
        var (badCode, _, badError) = Forge("analyze", fixture.Catalog, "--config", temp.File("bad.yaml"));
        Assert.Equal(1, badCode);
        Assert.Contains("fft_size", badError);
    }
}
