using System.Diagnostics;
using System.Globalization;
using DatasetForge.Analysis;
using DatasetForge.Analysis.Report;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Analysis;

public sealed class ReportTests(AnalysisFixture fixture) : IClassFixture<AnalysisFixture>
{
    private string BuildReport(string name)
    {
        var outDir = Path.Combine(fixture.Temp, name);
        ReportBuilder.Build(AnalysisInput.Open(fixture.Dataset), outDir);
        return outDir;
    }

    [Fact]
    public void The_report_has_pages_plots_excerpts_and_the_data_as_csv()
    {
        var outDir = BuildReport("report-files");
        var index = File.ReadAllText(Path.Combine(outDir, "index.html"));
        Assert.Contains("data-file=\"01_LeadVox.wav\"", index);
        Assert.Contains("Bleed level of tracks with detected leakage", index);
        Assert.Contains("Salient coverage per instrument", index);
        Assert.Contains("Salient coverage per level-1 stem", index);
        Assert.Contains("<table class=\"sortable\" id=\"songs\">", index);

        // One page per song, with the bleed matrix; the song with a ':' in its id gets a safe file name.
        var page = File.ReadAllText(Path.Combine(outDir, "songs", "Alpha Band - First Light.html"));
        Assert.Contains("Which track hears which", page);
        Assert.Contains("01_LeadVox.wav hears 02_AcGtr.wav", page);
        Assert.True(File.Exists(Path.Combine(outDir, "songs", "Beta Crew - Night_ Two.html")));

        // Excerpts: at most 5 s, playable WAV, linked from the pages.
        var excerpts = Directory.GetFiles(Path.Combine(outDir, "audio"), "*.wav", SearchOption.AllDirectories);
        Assert.NotEmpty(excerpts);
        Assert.All(excerpts, e => Assert.InRange(AudioFile.ReadInfo(e).DurationSeconds, 0.05, ReportBuilder.MaxExcerptSeconds));
        Assert.Contains(excerpts, e => e.EndsWith("_bleed.wav", StringComparison.Ordinal));
        Assert.Contains("audio/Alpha%20Band%20-%20First%20Light/t00_bleed.wav", index);

        // The same data as CSV.
        var tracks = CsvTable.ReadRows(Path.Combine(outDir, "data", "tracks.csv")).Rows;
        Assert.Equal(CsvTable.ReadRows(Path.Combine(fixture.Dataset, "analysis", "bleed.csv")).Rows.Count, tracks.Count);
        Assert.True(File.Exists(Path.Combine(outDir, "data", "bleed_pairs.csv")));
    }

    [Fact]
    public void Report_of_an_unanalysed_folder_says_what_to_run()
    {
        using var temp = new TempDir();
        var dir = AnalysisDatasets.WriteCatalog(temp.Path, [fixture.Songs[0]], withLabels: true);
        var e = Assert.Throws<FileNotFoundException>(() => ReportBuilder.Build(AnalysisInput.Open(dir), temp.File("out")));
        Assert.Contains("forge analyze", e.Message);
    }

    [Fact]
    public void Headless_chromium_renders_the_rows_sorts_them_and_logs_no_error()
    {
        var outDir = BuildReport("report-browser");
        var chromium = EnsureChromium();
        var url = new Uri(Path.Combine(outDir, "index.html")).AbsoluteUri;
        var (dom, log) = Chromium(chromium, "--dump-dom", url + "#selftest");

        Assert.Contains("data-ready=\"1\"", dom);
        var rows = CsvTable.ReadRows(Path.Combine(fixture.Dataset, "analysis", "bleed.csv")).Rows;
        foreach (var row in rows)
        {
            Assert.Contains($"data-file=\"{row.Get("file")}\"", dom);
        }

        // Console: only the page's own lines, no error or uncaught exception.
        var console = log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        Assert.Contains(console, l => l.Contains("report ready:", StringComparison.Ordinal));
        Assert.All(console, l => Assert.True(l.Contains("report ready:", StringComparison.Ordinal) || l.Contains("selftest first:", StringComparison.Ordinal), l));

        // Sorting in the browser: bleed probability descending puts the leaking vocal first.
        var top = rows.OrderByDescending(r => double.Parse(r.Get("bleed_prob")!, CultureInfo.InvariantCulture)).First().Get("file");
        Assert.Contains(console, l => l.Contains($"selftest first: {top}", StringComparison.Ordinal));

        // A screenshot for people to look at.
        var shot = Path.Combine(SharedData.RepoRoot, ".build", "test-artifacts", "analysis-report.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        File.Delete(shot);
        Chromium(chromium, $"--screenshot={shot}", "--window-size=1400,1800", url);
        Assert.True(new FileInfo(shot).Length > 10_000, "screenshot missing or empty");

        var songPage = new Uri(Path.Combine(outDir, "songs", "Alpha Band - First Light.html")).AbsoluteUri;
        var (songDom, songLog) = Chromium(chromium, "--dump-dom", songPage);
        Assert.Contains("data-ready=\"1\"", songDom);
        Assert.DoesNotContain("Uncaught", songLog);
    }

    private static string EnsureChromium()
    {
        var script = Path.Combine(SharedData.RepoRoot, "scripts", "ensure-chromium.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        using var p = Process.Start(info)!;
        var path = p.StandardOutput.ReadToEnd().Trim();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && File.Exists(path), $"{script} failed ({p.ExitCode}): {error}");
        return path;
    }

    private static (string Stdout, string Stderr) Chromium(string chromium, params string[] args)
    {
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--allow-file-access-from-files",
                     "--virtual-time-budget=3000", $"--user-data-dir={Path.Combine(Path.GetTempPath(), "forge-chromium-" + Guid.NewGuid().ToString("N")[..8])}" }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish in 120 s");
        }

        return (stdout.Result, stderr.Result);
    }
}
