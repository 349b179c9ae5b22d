using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Splits;

namespace DatasetForge.Render.Export;

/// <summary>What <see cref="MusdbExporter.Export"/> wrote.</summary>
public sealed record MusdbExportSummary(int Train, int Test, int Files, IReadOnlyDictionary<string, string> Mapping, IReadOnlyList<QuarantineRecord> Problems);

/// <summary>
/// Writes a rendered dataset as a MUSDB18-HQ tree: `train/` and `test/`, one folder per song named by its song id
/// ("Artist - Title", as MUSDB names them), holding `mixture.wav vocals.wav bass.wav drums.wav other.wav` (stereo
/// WAV, 16-bit PCM by default as MUSDB18-HQ). The four targets are the stems of the first hierarchy level that has
/// nodes for them: `vocals`/`vocal`, `drums`/`percussion`, `bass`, `other` (ms21: level 2, vocals = vocal,
/// drums = percussion; musdb: level 2 as named). A target a song lacks is written as silence; the mixture is the
/// dataset's mixture. Splits come from splits.csv (validation goes to train, as MUSDB keeps its validation songs in
/// train); without splits.csv every song goes to train. A song folder is written under a temp name and renamed, and
/// a song that moved between train and test is removed from the other side.
/// </summary>
public static class MusdbExporter
{
    public static readonly IReadOnlyList<string> Targets = ["vocals", "bass", "drums", "other"];

    private static readonly Dictionary<string, string[]> Aliases = new(StringComparer.Ordinal)
    {
        ["vocals"] = ["vocals", "vocal"],
        ["drums"] = ["drums", "percussion"],
        ["bass"] = ["bass"],
        ["other"] = ["other"],
    };

    /// <summary>The level and node names that feed each MUSDB target in this dataset (from its stems).</summary>
    public static (int Level, IReadOnlyDictionary<string, string> Nodes) Mapping(IReadOnlyList<SongMetadata> songs)
    {
        var byLevel = songs.SelectMany(s => s.AllStems).GroupBy(s => s.Level).OrderBy(g => g.Key);
        foreach (var level in byLevel)
        {
            var nodes = level.Select(s => s.Node).ToHashSet(StringComparer.Ordinal);
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var target in Targets)
            {
                if (Aliases[target].FirstOrDefault(nodes.Contains) is { } node)
                {
                    map[target] = node;
                }
            }

            if (map.Count == Targets.Count || (map.Count >= 3 && map.ContainsKey("vocals") && map.ContainsKey("other")))
            {
                return (level.Key, map);
            }
        }

        throw new InvalidDataException("no hierarchy level of this dataset has MUSDB's stems (vocals/vocal, drums/percussion, bass, other): render it with --hierarchy ms21 or musdb");
    }

    public static MusdbExportSummary Export(string datasetDir, string outDir, SampleEncoding encoding = SampleEncoding.Pcm16, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var songs = DatasetManifests.ReadAll(datasetDir);
        if (songs.Songs.Count == 0)
        {
            throw new InvalidDataException($"{datasetDir}: no rendered songs (no <Song>/<Song>_METADATA.yaml)");
        }

        var (level, nodes) = Mapping(songs.Songs);
        var splits = SplitStage.ReadSplits(datasetDir);
        var problems = new List<QuarantineRecord>(songs.Problems);
        int train = 0, test = 0, files = 0;
        for (var i = 0; i < songs.Songs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var song = songs.Songs[i];
            var subset = splits.GetValueOrDefault(song.SongId) == "test" ? "test" : "train";
            var folder = Path.Combine(outDir, subset, song.Folder);
            var other = Path.Combine(outDir, subset == "test" ? "train" : "test", song.Folder);
            var temp = Path.Combine(outDir, subset, $".{song.Folder}.{Guid.NewGuid():N}.tmp");
            try
            {
                Directory.CreateDirectory(temp);
                var songDir = Path.Combine(datasetDir, song.Folder);
                Convert(Path.Combine(songDir, song.MixFilename), Path.Combine(temp, "mixture.wav"), encoding, song);
                foreach (var target in Targets)
                {
                    var stem = nodes.TryGetValue(target, out var node) ? song.AllStems.FirstOrDefault(s => s.Level == level && s.Node == node) : null;
                    var path = Path.Combine(temp, $"{target}.wav");
                    if (stem is null)
                    {
                        WriteSilence(path, song, encoding);
                    }
                    else
                    {
                        Convert(Path.Combine(songDir, song.StemDir, stem.Filename), path, encoding, song);
                    }
                }

                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                Directory.Move(temp, folder);
                if (Directory.Exists(other))
                {
                    Directory.Delete(other, recursive: true);
                }

                files += 5;
                _ = subset == "test" ? test++ : train++;
            }
            catch (Exception e) when (e is IOException or AudioFormatException or UnauthorizedAccessException)
            {
                problems.Add(new QuarantineRecord(song.SongId, "export", e.Message));
                if (Directory.Exists(temp))
                {
                    Directory.Delete(temp, recursive: true);
                }
            }

            progress?.Report(new StageProgress("export", song.SongId, i + 1, songs.Songs.Count));
        }

        return new MusdbExportSummary(train, test, files, nodes, problems);
    }

    private static void Convert(string source, string target, SampleEncoding encoding, SongMetadata song)
    {
        using var reader = AudioFile.OpenRead(source);
        if (reader.Info.Frames != song.Frames)
        {
            throw new AudioFormatException(source, $"has {reader.Info.Frames} frames, the metadata says {song.Frames}");
        }

        using var writer = WavWriter.Create(target, reader.Info.SampleRate, reader.Info.Channels, encoding);
        const int chunk = 1 << 16;
        var buffer = new float[reader.Info.Channels][];
        for (var c = 0; c < buffer.Length; c++)
        {
            buffer[c] = new float[chunk];
        }

        for (long start = 0; start < reader.Info.Frames; start += chunk)
        {
            var n = reader.Read(start, buffer, 0, (int)Math.Min(chunk, reader.Info.Frames - start));
            writer.Write(buffer, 0, n);
        }

        writer.Commit();
    }

    private static void WriteSilence(string path, SongMetadata song, SampleEncoding encoding)
    {
        using var writer = WavWriter.Create(path, song.SampleRate, song.Channels, encoding);
        const int chunk = 1 << 16;
        var zeros = Enumerable.Range(0, song.Channels).Select(_ => new float[chunk]).ToArray();
        for (long start = 0; start < song.Frames; start += chunk)
        {
            writer.Write(zeros, 0, (int)Math.Min(chunk, song.Frames - start));
        }

        writer.Commit();
    }
}
