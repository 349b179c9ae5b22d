using System.Text;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Scrape;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Ingest;

public sealed class ScraperTests
{
    /// <summary>The six columns of the fixture's expected.csv.</summary>
    public sealed record ExpectedRow(string BroadGenre, string SubGenre, string Title, string Artist, string ArchiveUrl, string PreviewUrl);

    private static string FixtureHtml => SharedData.Path("fixtures", "ms21", "mtk", "index.html");

    private static string FixtureExpected => SharedData.Path("fixtures", "ms21", "mtk", "expected.csv");

    [Fact]
    public void Fixture_page_reproduces_expected_csv_byte_for_byte()
    {
        var result = LibraryScraper.ScrapeFiles(SourceDefinition.Load(), [FixtureHtml]);
        using var temp = new TempDir();
        var path = temp.File("six.csv");
        CsvTable.Write(path, result.Projects.Select(p => new ExpectedRow(p.BroadGenre, p.SubGenre, p.Title, p.Artist, p.ArchiveUrl, p.PreviewUrl)));
        var expected = File.ReadAllText(FixtureExpected);
        var actual = File.ReadAllText(path);
        if (expected != actual)
        {
            var e = expected.Split("\r\n");
            var a = actual.Split("\r\n");
            var first = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], -1);
            Assert.Fail($"differs at line {first + 1}:\n expected: {(first >= 0 ? e[first] : "(length)")}\n actual:   {(first >= 0 ? a[first] : "(length)")}");
        }

        Assert.Equal(250, result.Projects.Count);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Fixture_projects_get_unique_ms21_style_song_ids_and_listed_track_counts()
    {
        var result = LibraryScraper.ScrapeFiles(SourceDefinition.Load(), [FixtureHtml], pageUrl: "https://www.cambridge-mt.com/ms3/mtk/");
        Assert.Equal(result.Projects.Count, result.Projects.Select(p => p.SongId).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var corine = result.Projects.Single(p => p.Title == "Corine Corine");
        Assert.Equal("The Abletones Big Band - Corine Corine", corine.SongId);
        Assert.Equal(26, corine.ListedTracks);
        Assert.Equal("full", corine.ArchiveKind);
        Assert.Equal("https://www.cambridge-mt.com/ms3/mtk/", corine.PageUrl);
        Assert.Contains(result.Projects, p => p.SongId == "c:fx - Mathematician");
        Assert.Equal("excerpt", result.Projects.Single(p => p.Title == "Upper Hand").PreviewKind);

        // MS21's own song ids for the same projects are what we produce.
        var ms21 = File.ReadAllLines(SharedData.Path("fixtures", "ms21", "songs.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        var matched = result.Projects.Count(p => ms21.Contains(p.SongId));
        Assert.True(matched >= 200, $"only {matched} of {result.Projects.Count} ids match MS21's song ids");
    }

    [Fact]
    public void Writer_output_reads_back_identically_including_badges_parts_edited_and_excerpts()
    {
        ProjectRecord P(string genre, string sub, string artist, string title, string url, string kind = "full", string others = "", string otherKinds = "", string preview = "", string previewKind = "full", int? tracks = 12, long? size = null) =>
            new(genre, sub, title, artist, url, preview, "https://lib.example/mtk/", others, kind, otherKinds, preview.Length > 0 ? previewKind : string.Empty, tracks, size, string.Empty);
        ProjectRecord[] projects =
        [
            P("Rock / Punk / Metal", "Hard Rock", "AC/DC Tribute & Co", "It's \"Loud\" <Live>", "https://lib.example/a/ACDC_Loud_Full.zip", preview: "https://lib.example/p/Loud.mp3", size: 1_288_490_189),
            P("Rock / Punk / Metal", "Hard Rock", "AC/DC Tribute & Co", "Second Song", "https://lib.example/a/ACDC_Second_Full.zip", others: "https://lib.example/a/ACDC_Second_Edit.zip", otherKinds: "edited", preview: "https://lib.example/p/Second.mp3", previewKind: "excerpt"),
            P("Rock / Punk / Metal", "Doom", "Ludø", "Gökyüzü", "https://lib.example/a/Ludo_Part1.zip", others: "https://lib.example/a/Ludo_Part2.zip https://lib.example/a/Ludo_Edit.zip", otherKinds: "full edited", tracks: null),
            P("Pop / Singer-Songwriter", "Power Pop", "c:fx", "Mathematician", "https://lib.example/a/cfx.zip", kind: "edited", preview: "https://lib.example/p/cfx.mp3"),
        ];
        var html = IndexPageWriter.Write(projects, new IndexPageOptions { Badge = p => p.Artist == "Ludø" ? "New!" : null });
        var page = new IndexScraper(SourceDefinition.Load()).ParsePage(html, "https://lib.example/mtk/");
        Assert.Equal(projects.Length, page.Projects.Count);
        for (var i = 0; i < projects.Length; i++)
        {
            var expected = projects[i];
            var actual = page.Projects[i];
            Assert.Equal(expected with { ListedSizeBytes = null }, actual with { ListedSizeBytes = null });
            if (expected.ListedSizeBytes is { } size)
            {
                Assert.InRange(actual.ListedSizeBytes!.Value, size * 0.99, size * 1.01);
            }
        }

        // Parts of the chosen kind are fetched together; the edited alternative is not.
        Assert.Equal(["https://lib.example/a/Ludo_Part1.zip", "https://lib.example/a/Ludo_Part2.zip"], page.Projects[2].ArchivesToFetch);
        Assert.Contains("m-mtk-track__badge", html);
        // Warnings only for the missing preview of Ludø.
        Assert.Equal(["preview_url"], page.Warnings.Select(w => w.Field));
        Assert.Contains("Ludø > 'Gökyüzü'", page.Warnings[0].Entry);
    }

    [Fact]
    public void Full_archive_is_preferred_over_an_edited_one_listed_first()
    {
        const string html = """
            <main class='c-mtk'><div class='c-mtk__genre'><h3>Pop</h3>
            <div class='c-mtk__artist'><div class='m-container__title-bar'><h4>Band</h4><span class='m-container__title-bar-item'>Pop</span></div>
            <div class='m-mtk-track'><div class='m-mtk-track__main'><span class='m-mtk-track__name'><span class='badge'>NEW</span> 'Song'</span>
            <ul><li class='m-mtk-download'><div><div>Edited Multitrack</div><a href='Band_Song_Edit.zip'>8 Tracks</a></div></li>
            <li class='m-mtk-download'><div><div>Full Multitrack</div><a href='Band_Song_Full.zip'>20 Tracks (1.5 GB)</a></div></li></ul>
            <p><span class='l-nowrap'>Excerpt Preview: <a href='/p/Song_Excerpt.mp3'>MP3</a></span> <span class='l-nowrap'>Full Preview: <a href='/p/Song_Full.mp3'>MP3</a></span></p>
            </div></div></div></div></main>
            """;
        var page = new IndexScraper(SourceDefinition.Load()).ParsePage(html, "https://lib.example/mtk/index.html");
        var p = Assert.Single(page.Projects);
        Assert.Equal("Song", p.Title);
        Assert.Equal("https://lib.example/mtk/Band_Song_Full.zip", p.ArchiveUrl);
        Assert.Equal("https://lib.example/mtk/Band_Song_Edit.zip", p.OtherArchiveUrls);
        Assert.Equal("edited", p.OtherArchiveKinds);
        Assert.Equal("https://lib.example/p/Song_Full.mp3", p.PreviewUrl);
        Assert.Equal(20, p.ListedTracks);
        Assert.Equal((long)(1.5 * 1024 * 1024 * 1024), p.ListedSizeBytes);
        Assert.Equal(["https://lib.example/mtk/Band_Song_Full.zip"], p.ArchivesToFetch);
    }

    [Fact]
    public void Missing_fields_are_warnings_that_name_the_entry()
    {
        const string html = """
            <div class='c-mtk__genre'><h3>Rock</h3>
            <div class='c-mtk__artist'><h4>No Sub Genre Band</h4>
            <div class='m-mtk-track__main'><span class='m-mtk-track__name'>'No Links'</span></div>
            <div class='m-mtk-track__main'><span class='m-mtk-track__name'></span><ul><li class='m-mtk-download'><div><div>Full Multitrack</div><a href='x.zip'>3 Tracks</a></div></li></ul></div>
            <div class='m-mtk-track__main'><span class='m-mtk-track__name'>'Fine'</span><ul><li class='m-mtk-download'><div><div>Full Multitrack</div><a href='y.zip'>3 Tracks</a></div></li></ul><span class='l-nowrap'>Full Preview: <a href='y.mp3'>MP3</a></span></div>
            </div></div>
            """;
        var page = new IndexScraper(SourceDefinition.Load()).ParsePage(html, "https://lib.example/");
        Assert.Equal(["No Links", "Fine"], page.Projects.Select(p => p.Title));
        var messages = page.Warnings.Select(w => w.ToString()).ToList();
        Assert.Contains(messages, m => m.StartsWith("Rock > No Sub Genre Band > 'No Links'", StringComparison.Ordinal) && m.Contains("no multitrack archive link"));
        Assert.Contains(messages, m => m.StartsWith("Rock > No Sub Genre Band > 'No Links'", StringComparison.Ordinal) && m.Contains("no preview link"));
        Assert.Contains(messages, m => m.StartsWith("Rock > No Sub Genre Band > project #2", StringComparison.Ordinal) && m.Contains("entry skipped"));
        Assert.Contains(page.Warnings, w => w.Field == "sub_genre" && w.Entry.EndsWith("'Fine'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_page_without_projects_is_an_error_naming_the_page_and_the_selector()
    {
        var scraper = new IndexScraper(SourceDefinition.Load());
        var e = Assert.Throws<ScrapeException>(() => scraper.ParsePage("<html><body><p>Under maintenance</p></body></html>", "https://lib.example/mtk/"));
        Assert.Contains("https://lib.example/mtk/", e.Message);
        Assert.Contains("zero projects", e.Message);
        Assert.Contains("div.c-mtk__genre", e.Message);
    }

    [Fact]
    public void Selectors_are_configuration_a_changed_layout_is_a_yaml_edit()
    {
        var yaml = EmbeddedAssets.ReadText(SourceDefinition.DefaultPath)
            .Replace("div.m-mtk-track__main", "article.project", StringComparison.Ordinal)
            .Replace("span.m-mtk-track__name", "h5.name", StringComparison.Ordinal);
        var definition = SourceDefinition.Parse(yaml, "changed.yaml");
        var html = IndexPageWriter.Write([new ProjectRecord("G", "S", "T", "A", "https://x/a.zip", "", "", "", "full", "", "", 3, null, "")])
            .Replace("<div class='m-mtk-track__main'>", "<article class='project'>", StringComparison.Ordinal)
            .Replace("</div></div>\n", "</article></div>\n", StringComparison.Ordinal)
            .Replace("<span class='m-mtk-track__name'>", "<h5 class='name'>", StringComparison.Ordinal)
            .Replace("'T'</span>", "'T'</h5>", StringComparison.Ordinal);
        var page = new IndexScraper(definition).ParsePage(html, "https://x/");
        Assert.Equal("T", Assert.Single(page.Projects).Title);
        Assert.Throws<ScrapeException>(() => new IndexScraper(SourceDefinition.Load()).ParsePage(html, "https://x/"));
    }

    [Fact]
    public void Source_definition_errors_name_the_file_and_key()
    {
        var yaml = EmbeddedAssets.ReadText(SourceDefinition.DefaultPath).Replace("  genre_name: h3", "  genre_title: h3", StringComparison.Ordinal);
        var e = Assert.Throws<ConfigException>(() => SourceDefinition.Parse(yaml, "broken.yaml"));
        Assert.Contains("broken.yaml", e.Message);
        Assert.Contains("genre_title", e.Message);
        var badRegex = EmbeddedAssets.ReadText(SourceDefinition.DefaultPath).Replace("(\\\\d+)\\\\s*tracks?", "(\\\\d+", StringComparison.Ordinal);
        var e2 = Assert.Throws<ConfigException>(() => SourceDefinition.Parse(badRegex, "regex.yaml"));
        Assert.Contains("rules.track_count", e2.Message);
    }

    [Fact]
    public void Scraped_catalog_is_written_with_the_contract_columns()
    {
        using var temp = new TempDir();
        var layout = new CatalogLayout(temp.Path);
        var result = LibraryScraper.ScrapeFiles(SourceDefinition.Load(), [FixtureHtml]);
        LibraryScraper.Write(layout, result);
        var header = File.ReadLines(layout.ProjectsCsv).First();
        Assert.StartsWith("broad_genre,sub_genre,title,artist,archive_url,preview_url,page_url,other_archive_urls,", header);
        Assert.Equal(result.Projects, CsvTable.Read<ProjectRecord>(layout.ProjectsCsv));
        Assert.True(File.Exists(layout.ScrapeWarningsCsv));
        Assert.Equal(Encoding.UTF8.GetBytes("entry,field,message\r\n"), File.ReadAllBytes(layout.ScrapeWarningsCsv));
    }
}
