using DatasetForge.Audio;
using DatasetForge.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DatasetForge.Ingest.Import;

/// <summary>
/// MedleyDB (1.0/2.0): one folder per song, <c>&lt;Song&gt;/&lt;Song&gt;_RAW/*.wav</c> (kind raw),
/// <c>&lt;Song&gt;_STEMS/*.wav</c> (kind stem), <c>&lt;Song&gt;_MIX.wav</c> (kind mix) and
/// <c>&lt;Song&gt;_METADATA.yaml</c>, which gives artist, title, genre and every stem's and raw track's instrument
/// (the label column). The root may be the folder of songs or one holding it as <c>Audio/</c>.
/// </summary>
public sealed class MedleyDbImporter : IDatasetImporter
{
    public string Format => "medleydb";

    public bool Detect(string root) => SongFolders(root).Any();

    public ImportScan Scan(string root)
    {
        var songs = new List<SongSource>();
        var problems = new List<QuarantineRecord>();
        foreach (var dir in SongFolders(root))
        {
            var name = Path.GetFileName(dir);
            var meta = Path.Combine(dir, name + "_METADATA.yaml");
            var labels = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string artist = string.Empty, title = string.Empty, genre = string.Empty;
            if (File.Exists(meta))
            {
                try
                {
                    ReadMetadata(meta, labels, out artist, out title, out genre);
                }
                catch (Exception e) when (e is YamlException or InvalidDataException)
                {
                    problems.Add(new QuarantineRecord(meta, "import", $"unreadable MedleyDB metadata: {e.Message}; names taken from the folder"));
                }
            }
            else
            {
                problems.Add(new QuarantineRecord(meta, "import", "MedleyDB song has no _METADATA.yaml; no instrument labels"));
            }

            if (artist.Length == 0 && title.Length == 0)
            {
                var at = name.IndexOf('_');
                (artist, title) = at > 0 ? (Naming.SplitWords(name[..at]), Naming.SplitWords(name[(at + 1)..])) : (string.Empty, name);
            }

            var tracks = new List<SourceTrack>();
            AddFolder(tracks, Path.Combine(dir, name + "_RAW"), "raw", labels);
            AddFolder(tracks, Path.Combine(dir, name + "_STEMS"), "stem", labels);
            var mix = Path.Combine(dir, name + "_MIX.wav");
            if (File.Exists(mix))
            {
                tracks.Add(new SourceTrack(mix, "mix", "mix"));
            }

            var known = tracks.Select(t => t.Path).ToHashSet(StringComparer.Ordinal);
            songs.Add(new SongSource
            {
                Origin = $"medleydb:{name}",
                Source = "medleydb",
                Artist = artist,
                Title = title,
                BroadGenre = genre,
                Tracks = tracks,
                AsideFiles = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => !known.Contains(f)).Order(StringComparer.Ordinal).ToList(),
                Folder = dir,
            });
        }

        return new ImportScan(songs, problems);
    }

    private static IEnumerable<string> SongFolders(string root)
    {
        foreach (var candidate in new[] { root, Path.Combine(root, "Audio") })
        {
            if (!Directory.Exists(candidate))
            {
                continue;
            }

            var found = Directory.EnumerateDirectories(candidate)
                .Where(d => Directory.Exists(Path.Combine(d, Path.GetFileName(d) + "_RAW")) || File.Exists(Path.Combine(d, Path.GetFileName(d) + "_METADATA.yaml")))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (found.Count > 0)
            {
                return found;
            }
        }

        return [];
    }

    private static void AddFolder(List<SourceTrack> tracks, string folder, string kind, Dictionary<string, string> labels)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(folder).Where(f => AudioFile.ReadableExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal))
        {
            tracks.Add(new SourceTrack(file, kind, labels.GetValueOrDefault(Path.GetFileName(file), string.Empty)));
        }
    }

    private static void ReadMetadata(string path, Dictionary<string, string> labels, out string artist, out string title, out string genre)
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

        artist = Scalar(root, "artist");
        title = Scalar(root, "title");
        genre = Scalar(root, "genre");
        if (Child(root, "stems") is YamlMappingNode stems)
        {
            foreach (var (_, stemNode) in stems.Children)
            {
                if (stemNode is not YamlMappingNode stem)
                {
                    continue;
                }

                AddLabel(labels, stem);
                if (Child(stem, "raw") is YamlMappingNode raws)
                {
                    foreach (var (_, rawNode) in raws.Children)
                    {
                        if (rawNode is YamlMappingNode raw)
                        {
                            AddLabel(labels, raw);
                        }
                    }
                }
            }
        }
    }

    private static void AddLabel(Dictionary<string, string> labels, YamlMappingNode node)
    {
        var file = Scalar(node, "filename");
        var instrument = Scalar(node, "instrument");
        if (file.Length > 0)
        {
            labels[file] = instrument;
        }
    }

    internal static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    internal static string Scalar(YamlMappingNode node, string key) =>
        Child(node, key) switch
        {
            YamlScalarNode s => s.Value ?? string.Empty,
            YamlSequenceNode seq => string.Join(", ", seq.Children.OfType<YamlScalarNode>().Select(s => s.Value)),
            _ => string.Empty,
        };
}
