using DatasetForge.Common;

namespace DatasetForge.Labels;

/// <summary>
/// The curator's corrections, keyed so that they survive a re-ingest of the same song: song ids and file names
/// compare without case, accents (NFC = NFD) or audio extension ("01_Kick.aif" = "01_kick.wav"), and when a song was
/// renumbered a correction still finds its track by the name without the track number, as long as that is
/// unambiguous in the song. Corrections are never dropped; those whose track is absent are kept as orphans.
/// </summary>
public sealed class CorrectionStore
{
    private readonly List<Correction> items = [];
    private readonly Dictionary<(string Song, string File), int> exact = [];
    private readonly Dictionary<string, List<int>> bySong = new(StringComparer.Ordinal);

    public IReadOnlyList<Correction> All => items;

    public int Count => items.Count;

    public static CorrectionStore Load(string path)
    {
        var store = new CorrectionStore();
        if (File.Exists(path))
        {
            foreach (var c in LabelFiles.ReadCorrections(path))
            {
                store.Put(c);
            }
        }

        return store;
    }

    public static string SongKey(string songId) => TextFold.Key(songId);

    /// <summary>Folded file name without folders and without an audio extension (a dot plus 2-4 letters or digits at the end).</summary>
    public static string FileKey(string file)
    {
        var name = TextFold.Key(FileNameTokenizer.BaseName(file));
        var dot = name.LastIndexOf('.');
        return dot > 0 && name.Length - dot - 1 is >= 2 and <= 4 && name[(dot + 1)..].All(char.IsAsciiLetterOrDigit) ? name[..dot] : name;
    }

    /// <summary><see cref="FileKey"/> without a leading track number ("01_", "1-", "12 ").</summary>
    public static string LooseFileKey(string file)
    {
        var key = FileKey(file);
        var i = 0;
        while (i < key.Length && char.IsAsciiDigit(key[i]))
        {
            i++;
        }

        if (i == 0 || i == key.Length)
        {
            return key;
        }

        while (i < key.Length && key[i] is '_' or '-' or ' ' or '.')
        {
            i++;
        }

        return key[i..];
    }

    /// <summary>The correction for exactly this song and file (up to case, accents and extension), or null.</summary>
    public Correction? FindExact(string songId, string file) =>
        exact.TryGetValue((SongKey(songId), FileKey(file)), out var i) ? items[i] : null;

    /// <summary>
    /// Matches the corrections of one song to its current files: first exactly, then by the name without track
    /// number when that name is unique among both the song's files and its corrections. Returns file index -> correction.
    /// </summary>
    public Dictionary<int, Correction> MatchSong(string songId, IReadOnlyList<string> files)
    {
        var matches = new Dictionary<int, Correction>();
        var used = new HashSet<int>();
        for (var f = 0; f < files.Count; f++)
        {
            if (exact.TryGetValue((SongKey(songId), FileKey(files[f])), out var i))
            {
                matches[f] = items[i];
                used.Add(i);
            }
        }

        var songKey = SongKey(songId);
        var remaining = bySong.TryGetValue(songKey, out var indices)
            ? indices.Where(i => !used.Contains(i)).Select(i => (c: items[i], i)).ToList()
            : [];
        if (remaining.Count == 0)
        {
            return matches;
        }

        var fileLoose = files.Select((name, f) => (Loose: LooseFileKey(name), f)).Where(x => !matches.ContainsKey(x.f)).GroupBy(x => x.Loose).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single().f);
        foreach (var group in remaining.GroupBy(x => LooseFileKey(x.c.File)).Where(g => g.Count() == 1))
        {
            if (fileLoose.TryGetValue(group.Key, out var f) && files.Count(n => LooseFileKey(n) == group.Key) == 1)
            {
                matches[f] = group.Single().c;
            }
        }

        return matches;
    }

    /// <summary>Adds or updates a correction; returns false when the same label was already recorded (its time is kept).</summary>
    public bool Set(string songId, string file, string label, string correctedAt, string ruleLabel, string origin)
    {
        var key = (SongKey(songId), FileKey(file));
        if (exact.TryGetValue(key, out var i))
        {
            if (items[i].Label == label)
            {
                return false;
            }

            items[i] = new Correction(songId, file, label, correctedAt, ruleLabel, origin);
            return true;
        }

        Put(new Correction(songId, file, label, correctedAt, ruleLabel, origin));
        return true;
    }

    /// <summary>Fills in what the rules said for a correction recorded without it.</summary>
    public void SetRuleLabel(Correction correction, string ruleLabel)
    {
        var i = items.IndexOf(correction);
        if (i >= 0)
        {
            items[i] = correction with { RuleLabel = ruleLabel };
        }
    }

    private void Put(Correction c)
    {
        var key = (SongKey(c.SongId), FileKey(c.File));
        if (exact.TryGetValue(key, out var i))
        {
            items[i] = c; // a later row for the same track wins
            return;
        }

        exact[key] = items.Count;
        if (!bySong.TryGetValue(key.Item1, out var list))
        {
            bySong[key.Item1] = list = [];
        }

        list.Add(items.Count);
        items.Add(c);
    }
}
