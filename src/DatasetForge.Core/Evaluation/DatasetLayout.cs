using DatasetForge.Audio;

namespace DatasetForge.Evaluation;

/// <summary>A song of an evaluation split: its reference stems by target name, and its mixture if it has one.</summary>
public sealed record DatasetSong(string Name, string Folder, IReadOnlyDictionary<string, string> References, string? Mixture);

/// <summary>
/// Where a dataset keeps its songs and where estimates of them are expected. Pluggable: the MUSDB18-HQ layout and
/// the render stage's MedleyDB-like layout (<c>Song/Song_STEMS/...</c>) are built in.
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

    public string EstimateFolder(string estimatesRoot, string split, DatasetSong song) => DatasetLayouts.SplitOrFlatEstimateFolder(estimatesRoot, split, song);
}

/// <summary>The built-in layouts, and choosing one by name or by recognizing a dataset root.</summary>
public static class DatasetLayouts
{
    /// <summary>museval's estimate layout: <c>est/&lt;split&gt;/&lt;song&gt;/</c> when that folder exists, else <c>est/&lt;song&gt;/</c>.</summary>
    public static string SplitOrFlatEstimateFolder(string estimatesRoot, string split, DatasetSong song)
    {
        var withSplit = Path.Combine(estimatesRoot, split, song.Name);
        return Directory.Exists(withSplit) ? withSplit : Path.Combine(estimatesRoot, song.Name);
    }

    public static IReadOnlyList<IDatasetLayout> BuiltIn { get; } = [new MusdbLayout(), new RenderedDatasetLayout()];

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

/// <summary>
/// The dataset `forge render` writes (docs/CONTRACTS.md section 3): songs from `splits.csv` (`valid` reads as
/// `validation`), references are the stems of one hierarchy <paramref name="level"/> from `manifests/stems.csv`
/// (default 2: for `ms21` the four MUSDB-like stems vocal, percussion, bass, other), the mixture is the song's
/// `_MIX.wav`. Estimates: <c>estimates/&lt;split&gt;/&lt;song&gt;/&lt;node&gt;.wav</c> or <c>estimates/&lt;song&gt;/&lt;node&gt;.wav</c>,
/// as <c>forge separate</c> writes them.
/// </summary>
public sealed class RenderedDatasetLayout(int level = 2) : IDatasetLayout
{
    public string Name => "forge";

    public int Level => level;

    public bool Recognizes(string root) =>
        File.Exists(Path.Combine(root, Render.DatasetManifests.StemsFile)) && File.Exists(Path.Combine(root, Render.DatasetManifests.SongsFile));

    public IReadOnlyList<DatasetSong> Songs(string root, string split)
    {
        var splitsPath = Path.Combine(root, Splits.SplitStage.SplitsFile);
        if (!File.Exists(splitsPath))
        {
            throw new EvaluationInputException($"{splitsPath}: not found; run `forge split` on the dataset first");
        }

        var wanted = split == "valid" ? "validation" : split;
        var inSplit = Common.CsvTable.Read<Splits.SplitRow>(splitsPath).Where(r => r.Split == wanted).Select(r => r.SongId).ToHashSet(StringComparer.Ordinal);
        var songs = Common.CsvTable.Read<Render.DatasetSongRow>(Path.Combine(root, Render.DatasetManifests.SongsFile))
            .Where(s => inSplit.Contains(s.SongId))
            .ToDictionary(s => s.SongId, StringComparer.Ordinal);
        var stems = Common.CsvTable.Read<Render.DatasetStemRow>(Path.Combine(root, Render.DatasetManifests.StemsFile));
        var levels = stems.Select(s => s.Level).Distinct().Order().ToList();
        if (!levels.Contains(level))
        {
            throw new EvaluationInputException($"{root}: the dataset has no stems at level {level} (levels: {string.Join(", ", levels)}); choose one with --level");
        }

        var result = new List<DatasetSong>();
        foreach (var group in stems.Where(s => s.Level == level && songs.ContainsKey(s.SongId)).GroupBy(s => s.SongId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var references = group.ToDictionary(s => s.Node, s => Path.Combine(root, s.Path), StringComparer.Ordinal);
            var song = songs[group.Key];
            result.Add(new DatasetSong(song.SongId, Path.Combine(root, song.Folder), references, Path.Combine(root, song.MixPath)));
        }

        return result;
    }

    public string EstimateFolder(string estimatesRoot, string split, DatasetSong song) => DatasetLayouts.SplitOrFlatEstimateFolder(estimatesRoot, split, song);
}
