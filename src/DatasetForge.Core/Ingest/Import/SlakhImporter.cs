using DatasetForge.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DatasetForge.Ingest.Import;

/// <summary>
/// Slakh2100: one folder per track (<c>Track00001/</c>), under <c>train/</c>, <c>validation/</c>, <c>test/</c>,
/// <c>omitted/</c> or directly under the root, with <c>metadata.yaml</c>, <c>stems/S00.wav</c>... (kind stem, labelled
/// "inst_class: midi_program_name" from the metadata) and <c>mix.wav</c> (kind mix). Slakh ships FLAC; FLAC files
/// are listed as tracks and flagged unreadable (convert them to WAV first), never silently dropped.
/// </summary>
public sealed class SlakhImporter : IDatasetImporter
{
    public static readonly IReadOnlyList<string> Splits = ["train", "validation", "test", "omitted"];
    private static readonly string[] AudioExtensions = [".wav", ".flac", ".aif", ".aiff"];

    public string Format => "slakh";

    public bool Detect(string root) => TrackFolders(root).Any();

    public ImportScan Scan(string root)
    {
        var songs = new List<SongSource>();
        var problems = new List<QuarantineRecord>();
        foreach (var (dir, split) in TrackFolders(root))
        {
            var name = Path.GetFileName(dir);
            var labels = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var audioDir = "stems";
            try
            {
                ReadMetadata(Path.Combine(dir, "metadata.yaml"), labels, ref audioDir);
            }
            catch (Exception e) when (e is YamlException or InvalidDataException or IOException)
            {
                problems.Add(new QuarantineRecord(Path.Combine(dir, "metadata.yaml"), "import", $"unreadable Slakh metadata: {e.Message}; no instrument labels"));
            }

            var tracks = new List<SourceTrack>();
            var stemsDir = Path.Combine(dir, audioDir);
            if (Directory.Exists(stemsDir))
            {
                foreach (var file in Directory.EnumerateFiles(stemsDir).Where(IsAudio).Order(StringComparer.Ordinal))
                {
                    tracks.Add(new SourceTrack(file, "stem", labels.GetValueOrDefault(Path.GetFileNameWithoutExtension(file), string.Empty)));
                }
            }

            foreach (var mix in Directory.EnumerateFiles(dir, "mix.*").Where(IsAudio).Order(StringComparer.Ordinal))
            {
                tracks.Add(new SourceTrack(mix, "mix", "mix"));
            }

            songs.Add(new SongSource
            {
                Origin = $"slakh2100:{(split.Length > 0 ? split + "/" : string.Empty)}{name}",
                Source = "slakh2100",
                Artist = "Slakh2100",
                Title = name,
                Split = split,
                Tracks = tracks,
                AsideFiles = [Path.Combine(dir, "metadata.yaml")],
                Folder = dir,
            });
        }

        return new ImportScan(songs, problems);
    }

    private static bool IsAudio(string path) => AudioExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<(string Dir, string Split)> TrackFolders(string root)
    {
        if (!Directory.Exists(root))
        {
            yield break;
        }

        static bool IsTrack(string d) => File.Exists(Path.Combine(d, "metadata.yaml")) && Directory.Exists(Path.Combine(d, "stems"));
        foreach (var d in Directory.EnumerateDirectories(root).Where(IsTrack).Order(StringComparer.Ordinal))
        {
            yield return (d, string.Empty);
        }

        foreach (var split in Splits)
        {
            var splitDir = Path.Combine(root, split);
            if (!Directory.Exists(splitDir))
            {
                continue;
            }

            foreach (var d in Directory.EnumerateDirectories(splitDir).Where(IsTrack).Order(StringComparer.Ordinal))
            {
                yield return (d, split);
            }
        }
    }

    private static void ReadMetadata(string path, Dictionary<string, string> labels, ref string audioDir)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidDataException("not a mapping");
        }

        var dir = MedleyDbImporter.Scalar(root, "audio_dir");
        if (dir.Length > 0)
        {
            audioDir = dir;
        }

        if (MedleyDbImporter.Child(root, "stems") is not YamlMappingNode stems)
        {
            return;
        }

        foreach (var (key, node) in stems.Children)
        {
            if (key is YamlScalarNode { Value: { } stemName } && node is YamlMappingNode stem)
            {
                var inst = MedleyDbImporter.Scalar(stem, "inst_class");
                var program = MedleyDbImporter.Scalar(stem, "midi_program_name");
                labels[stemName] = program.Length > 0 && inst.Length > 0 ? $"{inst}: {program}" : inst + program;
            }
        }
    }
}
