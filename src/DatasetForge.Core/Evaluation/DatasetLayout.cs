using DatasetForge.Audio;

namespace DatasetForge.Evaluation;

/// <summary>A song of an evaluation split: its reference stems by target name, and its mixture if it has one.</summary>
public sealed record DatasetSong(string Name, string Folder, IReadOnlyDictionary<string, string> References, string? Mixture);

/// <summary>
/// Where a dataset keeps its songs and where estimates of them are expected. Pluggable: the MUSDB18-HQ layout is
/// built in; the render stage's MedleyDB-like layout (<c>Song/Song_STEMS/...</c>) plugs in by implementing this.
/// </summary>
public interface IDatasetLayout
{
    /// <summary>Name used on the command line (<c>--layout</c>).</summary>
    string Name { get; }

    /// <summary>Whether <paramref name="root"/> looks like this layout (used when no layout is named).</summary>
    bool Recognizes(string root);

    /// <summary>The songs of <paramref name="split"/>, sorted by name.</summary>
    IReadOnlyList<DatasetSong> Songs(string root, string split);

    /// <summary>The folder holding a song's estimates (one file per target) under an estimates root.</summary>
    string EstimateFolder(string estimatesRoot, string split, DatasetSong song);
}

/// <summary>
/// MUSDB18-HQ: <c>root/{train,test}/&lt;song&gt;/{mixture,vocals,bass,drums,other}.wav</c>. Every audio file other
/// than the mixture is a target. Estimates follow museval: <c>estimates/&lt;split&gt;/&lt;song&gt;/&lt;target&gt;.wav</c>,
/// or <c>estimates/&lt;song&gt;/&lt;target&gt;.wav</c> when there is no split folder.
/// </summary>
public sealed class MusdbLayout : IDatasetLayout
{
    public const string MixtureName = "mixture";

    public string Name => "musdb";

    public bool Recognizes(string root) =>
        Directory.Exists(root) && Directory.EnumerateDirectories(root).Any(split =>
            Directory.Exists(split) && Directory.EnumerateDirectories(split).Any(song => File.Exists(Path.Combine(song, MixtureName + ".wav"))));

    public IReadOnlyList<DatasetSong> Songs(string root, string split)
    {
        var folder = Path.Combine(root, split);
        if (!Directory.Exists(folder))
        {
            throw new EvaluationInputException($"{folder}: split folder not found (MUSDB layout: {root}/<split>/<song>/<target>.wav)");
        }

        var songs = new List<DatasetSong>();
        foreach (var songDir in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var references = new Dictionary<string, string>(StringComparer.Ordinal);
            string? mixture = null;
            foreach (var file in Directory.EnumerateFiles(songDir).Order(StringComparer.Ordinal))
            {
                if (!AudioFile.ReadableExtensions.Contains(Path.GetExtension(file)) || Common.AtomicFile.IsTempFile(file))
                {
                    continue;
                }

                var name = Path.GetFileNameWithoutExtension(file);
                if (name == MixtureName)
                {
                    mixture = file;
                }
                else
                {
                    references[name] = file;
                }
            }

            if (references.Count > 0)
            {
                songs.Add(new DatasetSong(Path.GetFileName(songDir), songDir, references, mixture));
            }
        }

        return songs;
    }

    public string EstimateFolder(string estimatesRoot, string split, DatasetSong song)
    {
        var withSplit = Path.Combine(estimatesRoot, split, song.Name);
        return Directory.Exists(withSplit) ? withSplit : Path.Combine(estimatesRoot, song.Name);
    }
}

/// <summary>The built-in layouts, and choosing one by name or by recognizing a dataset root.</summary>
public static class DatasetLayouts
{
    public static IReadOnlyList<IDatasetLayout> BuiltIn { get; } = [new MusdbLayout()];

    /// <param name="name">a layout name, or null to pick the first that recognizes <paramref name="root"/>.</param>
    /// <param name="extra">layouts contributed by other assemblies.</param>
    public static IDatasetLayout Resolve(string root, string? name, IEnumerable<IDatasetLayout>? extra = null)
    {
        var all = BuiltIn.Concat(extra ?? []).ToArray();
        if (name is not null)
        {
            return all.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new EvaluationInputException($"unknown dataset layout '{name}' (known: {string.Join(", ", all.Select(l => l.Name))})");
        }

        return all.FirstOrDefault(l => l.Recognizes(root))
            ?? throw new EvaluationInputException($"{root}: no known dataset layout recognizes this folder (known: {string.Join(", ", all.Select(l => l.Name))}); name one with --layout");
    }
}
