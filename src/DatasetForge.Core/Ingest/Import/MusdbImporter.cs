using DatasetForge.Common;

namespace DatasetForge.Ingest.Import;

/// <summary>
/// MUSDB18-HQ: <c>train/</c> and <c>test/</c>, one "Artist - Title" folder per song with <c>mixture.wav</c> (kind
/// mix) and <c>drums.wav</c>, <c>bass.wav</c>, <c>other.wav</c>, <c>vocals.wav</c> (kind stem, labelled by name).
/// The split is kept in songs.csv. A song missing one of the five files is still ingested and the gap quarantined.
/// </summary>
public sealed class MusdbImporter : IDatasetImporter
{
    public static readonly IReadOnlyList<string> Splits = ["train", "test"];
    public static readonly IReadOnlyList<string> Stems = ["drums", "bass", "other", "vocals"];

    public string Format => "musdb";

    public bool Detect(string root) =>
        Splits.Any(s => Directory.Exists(Path.Combine(root, s))
            && Directory.EnumerateDirectories(Path.Combine(root, s)).Any(d => File.Exists(Path.Combine(d, "mixture.wav"))));

    public ImportScan Scan(string root)
    {
        root = Path.GetFullPath(root);
        var songs = new List<SongSource>();
        var problems = new List<QuarantineRecord>();
        foreach (var split in Splits)
        {
            var splitDir = Path.Combine(root, split);
            if (!Directory.Exists(splitDir))
            {
                continue;
            }

            foreach (var dir in Directory.EnumerateDirectories(splitDir).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(dir);
                if (name.StartsWith('.'))
                {
                    continue;
                }

                var tracks = new List<SourceTrack>();
                foreach (var part in new[] { "mixture" }.Concat(Stems))
                {
                    var file = Path.Combine(dir, part + ".wav");
                    if (File.Exists(file))
                    {
                        tracks.Add(new SourceTrack(file, part == "mixture" ? "mix" : "stem", part));
                    }
                    else
                    {
                        problems.Add(new QuarantineRecord($"{split}/{name}/{part}.wav", "import", "MUSDB18-HQ song folder lacks this file"));
                    }
                }

                var known = tracks.Select(t => t.Path).ToHashSet(StringComparer.Ordinal);
                var (artist, title) = Naming.FromDashed(name);
                songs.Add(new SongSource
                {
                    Origin = $"musdb18hq:{split}/{name}",
                    Source = "musdb18hq",
                    Artist = artist,
                    Title = title,
                    Split = split,
                    Tracks = tracks,
                    AsideFiles = Directory.EnumerateFiles(dir).Where(f => !known.Contains(f)).Order(StringComparer.Ordinal).ToList(),
                    Folder = dir,
                });
            }
        }

        return new ImportScan(songs, problems);
    }
}
