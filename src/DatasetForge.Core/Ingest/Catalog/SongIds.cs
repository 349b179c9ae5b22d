using System.Text;

namespace DatasetForge.Ingest.Catalog;

/// <summary>
/// Song ids in the MS21 style, "Artist - Title", made safe as a folder name and unique. Characters that break a
/// path on Linux or macOS ('/', '\', control characters) become '_', whitespace is collapsed, leading dots are
/// dropped, and the id is cut to 150 characters and 200 UTF-8 bytes. Other characters are kept as MS21 has them (its ids include
/// "c:fx - Mathematician"); DatasetForge targets POSIX file systems. Duplicates get " (2)", " (3)", ...
/// </summary>
public static class SongIds
{
    public const int MaxLength = 150;

    /// <summary>Most UTF-8 bytes in an id.</summary>
    public const int MaxBytes = 200;

    public static string Make(string artist, string title)
    {
        var a = Part(artist);
        var t = Part(title);
        var id = (a.Length, t.Length) switch
        {
            (0, 0) => "Unknown",
            (0, _) => t,
            (_, 0) => a,
            _ => $"{a} - {t}",
        };
        return Safe(id);
    }

    /// <summary>Makes any string usable as a single path segment (see the class summary for the rules).</summary>
    public static string Safe(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c is '/' or '\\' || char.IsControl(c) ? '_' : c);
        }

        var id = Clean(sb.ToString()).TrimStart('.').Trim();
        if (id.Length > MaxLength)
        {
            id = id[..MaxLength].TrimEnd();
        }

        // File names are limited in bytes (255 on most file systems); leave room for temp-file decorations.
        while (Encoding.UTF8.GetByteCount(id) > MaxBytes)
        {
            id = id[..^(char.IsLowSurrogate(id[^1]) ? 2 : 1)].TrimEnd();
        }

        return id.Length == 0 ? "Unknown" : id;
    }

    /// <summary>True when <paramref name="id"/> is already what <see cref="Safe"/> would make of it.</summary>
    public static bool IsSafe(string id) => id.Length > 0 && Safe(id) == id;

    /// <summary>A name part; one made only of dots is no name at all.</summary>
    private static string Part(string text)
    {
        var clean = Clean(text);
        return clean.Trim('.', ' ').Length == 0 ? string.Empty : clean;
    }

    private static string Clean(string text) =>
        string.Join(' ', (text ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>
/// Hands out unique song ids. Each song has an origin (a stable identity: its archive URL, its dataset folder);
/// the same origin always gets the same id, and an id already held by another origin gets a " (n)" suffix.
/// Seed it with the ids already in a catalog so that importing a second dataset never renames the first.
/// </summary>
public sealed class SongIdAllocator
{
    private readonly Dictionary<string, string> byOrigin = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> byId = new(StringComparer.OrdinalIgnoreCase);

    public void Reserve(string songId, string origin)
    {
        byOrigin.TryAdd(origin, songId);
        byId.TryAdd(songId, origin);
    }

    public string Allocate(string artist, string title, string origin) => AllocateId(SongIds.Make(artist, title), origin);

    public string AllocateId(string preferredId, string origin)
    {
        if (byOrigin.TryGetValue(origin, out var known))
        {
            return known;
        }

        var baseId = SongIds.Safe(preferredId);
        var id = baseId;
        for (var n = 2; byId.TryGetValue(id, out var holder) && holder != origin; n++)
        {
            id = $"{baseId} ({n})";
        }

        byId[id] = origin;
        byOrigin[origin] = id;
        return id;
    }
}
