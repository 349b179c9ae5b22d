using DatasetForge.Common;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Common;

public sealed class CsvTableTests
{
    public sealed record Row(string SongId, string File, double PeakDbfs, int? Channels);

    [Fact]
    public void Rows_round_trip_with_snake_case_headers()
    {
        using var temp = new TempDir();
        var path = temp.File("tracks.csv");
        Row[] rows = [new("Artist - Song", "01_Kick, \"In\".wav", -3.5, 2), new("ÄÖ - ü", "x.wav", 0, null)];
        CsvTable.Write(path, rows);
        Assert.StartsWith("song_id,file,peak_dbfs,channels", File.ReadAllText(path));
        Assert.Equal(rows, CsvTable.Read<Row>(path));
    }

    [Theory]
    [InlineData("SongId", "song_id")]
    [InlineData("PeakDbfs", "peak_dbfs")]
    [InlineData("UsdrDb", "usdr_db")]
    [InlineData("SISdr", "si_sdr")]
    [InlineData("Level1Stem", "level1_stem")]
    public void Snake_case(string name, string expected) => Assert.Equal(expected, CsvTable.ToSnakeCase(name));
}
