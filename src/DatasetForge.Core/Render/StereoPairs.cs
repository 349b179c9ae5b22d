using System.Text.RegularExpressions;

namespace DatasetForge.Render;

/// <summary>Where a mono track goes in a stereo render.</summary>
public enum TrackPlacement
{
    /// <summary>Both channels at full level (a centred source).</summary>
    Centre,

    /// <summary>Left channel only: the left half of a pair recorded as two mono files.</summary>
    Left,

    /// <summary>Right channel only.</summary>
    Right,
}

/// <summary>
/// Finds stereo pairs recorded as two mono files ("OH L"/"OH R", "Piano_Left"/"Piano_Right", "KeysL"/"KeysR"): two
/// names of one song that differ only in a left/right marker. Only complete pairs count, so a lone "Bass L" or a
/// word that merely ends in "l" stays centred. Pure: names in, placements out.
/// </summary>
public static partial class StereoPairs
{
    public static IReadOnlyDictionary<string, TrackPlacement> Find(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var candidates = new Dictionary<string, List<(string File, TrackPlacement Side)>>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files.Distinct(StringComparer.Ordinal))
        {
            // Track numbers differ within a pair ("07_OH L", "08_OH R"), so they are not part of the name compared.
            var name = TrackNumber().Replace(Path.GetFileNameWithoutExtension(file), string.Empty);
            foreach (Match m in SideMarker().Matches(name))
            {
                var side = m.Value.StartsWith('l') || m.Value.StartsWith('L') ? TrackPlacement.Left : TrackPlacement.Right;
                var family = m.Value.Length > 1 ? "word" : "letter";
                var key = $"{name[..m.Index]}\u0001{family}\u0001{name[(m.Index + m.Length)..]}";
                if (!candidates.TryGetValue(key, out var list))
                {
                    candidates[key] = list = [];
                }

                list.Add((file, side));
            }
        }

        var result = new Dictionary<string, TrackPlacement>(StringComparer.Ordinal);
        foreach (var group in candidates.Values)
        {
            var lefts = group.Where(g => g.Side == TrackPlacement.Left).Select(g => g.File).Distinct().ToList();
            var rights = group.Where(g => g.Side == TrackPlacement.Right).Select(g => g.File).Distinct().ToList();
            if (lefts.Count == 1 && rights.Count == 1 && !result.ContainsKey(lefts[0]) && !result.ContainsKey(rights[0]))
            {
                result[lefts[0]] = TrackPlacement.Left;
                result[rights[0]] = TrackPlacement.Right;
            }
        }

        return result;
    }

    // A side marker is "L"/"R" (any case) or "Left"/"Right" standing alone between separators or at the ends, or an
    // upper-case L/R glued to the end of a lower-case word ("OverheadL").
    [GeneratedRegex(@"(?<![A-Za-z])(?:left|right|l|r)(?![A-Za-z])|(?<=[a-z])(?:Left|Right|L|R)(?![a-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SideMarker();

    [GeneratedRegex(@"^\d+[\s_\-.]*", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TrackNumber();
}
