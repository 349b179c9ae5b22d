using System.Text;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Import;

namespace DatasetForge.Tests.Ingest;

public sealed class SongIdTests
{
    [Theory]
    [InlineData("Actions", "Devil's Words", "Actions - Devil's Words")]
    [InlineData("c:fx", "Mathematician", "c:fx - Mathematician")]
    [InlineData("AC/DC", "Back\\Slash", "AC_DC - Back_Slash")]
    [InlineData("  Spaced   Out ", "Ti\ttle\n", "Spaced Out - Ti tle")]
    [InlineData("", "Only Title", "Only Title")]
    [InlineData("...", "..", "Unknown")]
    [InlineData("..Hidden", "Song", "Hidden - Song")]
    public void Ids_are_ms21_style_and_safe_as_folder_names(string artist, string title, string expected)
    {
        var id = SongIds.Make(artist, title);
        Assert.Equal(expected, id);
        Assert.True(SongIds.IsSafe(id));
        Assert.DoesNotContain('/', id);
    }

    [Fact]
    public void Long_ids_are_cut_to_the_byte_limit_without_splitting_characters()
    {
        var id = SongIds.Make(new string('ü', 120), string.Concat(Enumerable.Repeat("\U0001F600", 60)));
        Assert.True(Encoding.UTF8.GetByteCount(id) <= SongIds.MaxBytes);
        Assert.False(char.IsHighSurrogate(id[^1]));
    }

    [Fact]
    public void Allocation_is_unique_stable_per_origin_and_respects_reserved_ids()
    {
        var allocator = new SongIdAllocator();
        allocator.Reserve("Band - Song", "musdb:train/Band - Song");
        Assert.Equal("Band - Song (2)", allocator.Allocate("Band", "Song", "folder:/x"));
        Assert.Equal("BAND - song (3)", allocator.Allocate("BAND", "song", "folder:/y")); // same id but for case
        Assert.Equal("Band - Song (2)", allocator.Allocate("Band", "Song", "folder:/x"));
        Assert.Equal("Band - Song", allocator.Allocate("Band", "Song", "musdb:train/Band - Song"));
    }

    [Theory]
    [InlineData("AbletonesBigBand_CorineCorine_Full.zip", "Abletones Big Band", "Corine Corine")]
    [InlineData("Ludo_Sandstorm_Full_Part2.zip", "Ludo", "Sandstorm")]
    [InlineData("SOSDemo_Mystery.zip", "SOS Demo", "Mystery")]
    [InlineData("Single.tar.gz", "", "Single")]
    public void Archive_names_give_artist_and_title(string file, string artist, string title) =>
        Assert.Equal((artist, title), Naming.FromArchiveName(file));

    [Fact]
    public void Parts_of_one_project_share_a_stem()
    {
        Assert.Equal(Naming.ArchiveStem("Band_Song_Full_Part1.zip"), Naming.ArchiveStem("Band_Song_Full_Part2.zip"));
        Assert.NotEqual(Naming.ArchiveStem("Band_Song_Full.zip"), Naming.ArchiveStem("Band_Other_Full.zip"));
    }
}
