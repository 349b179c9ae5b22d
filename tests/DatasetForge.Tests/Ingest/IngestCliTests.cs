using DatasetForge.Cli;
using DatasetForge.Common;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Synthetic;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Ingest;

public sealed class IngestCliTests
{
    private static Task<int> Forge(params string[] args) => ForgeCli.BuildRoot().Parse(args).InvokeAsync();

    [Fact]
    public async Task Scrape_from_saved_html_writes_the_catalog()
    {
        using var temp = new TempDir();
        var code = await Forge("scrape", "--html", SharedData.Path("fixtures", "ms21", "mtk", "index.html"), "--out", temp.Path, "--page-url", "https://www.cambridge-mt.com/ms3/mtk/");
        Assert.Equal(0, code);
        var projects = CsvTable.Read<ProjectRecord>(new CatalogLayout(temp.Path).ProjectsCsv);
        Assert.Equal(250, projects.Count);
        Assert.All(projects, p => Assert.Equal("https://www.cambridge-mt.com/ms3/mtk/", p.PageUrl));
    }

    [Fact]
    public async Task Scrape_of_a_page_without_projects_fails_with_exit_code_1()
    {
        using var temp = new TempDir();
        File.WriteAllText(temp.File("empty.html"), "<html><body>nothing</body></html>");
        Assert.Equal(1, await Forge("scrape", "--html", temp.File("empty.html"), "--out", temp.File("out")));
        Assert.False(File.Exists(new CatalogLayout(temp.File("out")).ProjectsCsv));
    }

    [Fact]
    public async Task Ingest_a_folder_then_again_and_exit_codes_say_whether_anything_was_quarantined()
    {
        using var temp = new TempDir();
        var lib = temp.File("lib");
        SyntheticLibrary.Write(lib, new SyntheticLibraryOptions { Songs = 2, TracksPerSong = 2, Seconds = 0.2 });
        Assert.Equal(0, await Forge("ingest", lib, "--out", temp.File("out"), "--format", "folder", "--concurrency", "2"));
        Assert.Equal(2, CsvTable.Read<SongRecord>(new CatalogLayout(temp.File("out")).SongsCsv).Count);
        Assert.Equal(0, await Forge("ingest", lib, "--out", temp.File("out")));

        File.WriteAllText(Path.Combine(lib, "Bad_Archive_Full.zip"), "not a zip");
        Assert.Equal(1, await Forge("ingest", lib, "--out", temp.File("out")));
        Assert.Contains(CsvTable.Read<QuarantineRecord>(new CatalogLayout(temp.File("out")).QuarantineCsv), q => q.Item == "Bad_Archive_Full.zip");
    }

    [Fact]
    public async Task Ingest_refuses_a_source_that_does_not_match_the_named_format()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(temp.File("empty"));
        Assert.Equal(2, await Forge("ingest", temp.File("empty"), "--out", temp.File("out"), "--format", "musdb"));
        Assert.Equal(2, await Forge("ingest", temp.File("empty")));
        Assert.Equal(2, await Forge("fetch", temp.File("empty")));
    }
}
