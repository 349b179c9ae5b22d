using DatasetForge.Common;
using DatasetForge.Synth;

namespace DatasetForge.Ingest.Import;

/// <summary>
/// A library <c>forge synth</c> wrote (<c>synth.json</c> + <c>library.csv</c> + <c>archives/</c>): one song per row,
/// with the artist, title, genres and song id the library lists, and its archive verified by the listed SHA-256.
/// </summary>
public sealed class SynthLibraryImporter : IDatasetImporter
{
    public string Format => "synth";

    public bool Detect(string root) => File.Exists(Path.Combine(root, "synth.json")) && File.Exists(Path.Combine(root, "library.csv"));

    public ImportScan Scan(string root)
    {
        var songs = new List<SongSource>();
        var problems = new List<QuarantineRecord>();
        foreach (var row in CsvTable.Read<LibraryRow>(Path.Combine(root, "library.csv")))
        {
            var archive = Path.Combine(root, row.ArchiveFile);
            if (!File.Exists(archive))
            {
                problems.Add(new QuarantineRecord(archive, "import", $"library.csv lists '{row.ArchiveFile}' for {row.SongId}, but the file is not there"));
                continue;
            }

            songs.Add(new SongSource
            {
                Origin = "synthetic:" + row.ArchiveFile,
                Source = "synthetic",
                Artist = row.Artist,
                Title = row.Title,
                BroadGenre = row.BroadGenre,
                SubGenre = row.SubGenre,
                SongId = row.SongId,
                Archives = [archive],
                ArchiveHashes = [row.ArchiveSha256],
            });
        }

        return new ImportScan(songs, problems);
    }
}
