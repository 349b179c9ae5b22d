using System.Text;
using System.Text.RegularExpressions;

namespace DatasetForge.Ingest.Import;

/// <summary>Artist and title from folder and archive names, when no metadata says better.</summary>
public static partial class Naming
{
    /// <summary>"Artist - Title" (MUSDB18, MS21 song ids) into its parts; no separator: no artist.</summary>
    public static (string Artist, string Title) FromDashed(string name)
    {
        var at = name.IndexOf(" - ", StringComparison.Ordinal);
        return at > 0 ? (name[..at].Trim(), name[(at + 3)..].Trim()) : (string.Empty, name.Trim());
    }

    /// <summary>
    /// Library archive names, "ArtistName_SongTitle_Full.zip" (also _Edit, _Part2, _Stems...), into
    /// ("Artist Name", "Song Title"); CamelCase is split into words.
    /// </summary>
    public static (string Artist, string Title) FromArchiveName(string fileName)
    {
        var stem = ArchiveStem(fileName);
        var at = stem.IndexOf('_');
        return at > 0 ? (SplitWords(stem[..at]), SplitWords(stem[(at + 1)..])) : (string.Empty, SplitWords(stem));
    }

    /// <summary>The name without extension and without the kind/part suffixes: parts of one project share it.</summary>
    public static string ArchiveStem(string fileName)
    {
        var name = Path.GetFileName(fileName);
        foreach (var ext in new[] { ".tar.gz", ".zip", ".rar", ".7z", ".tar", ".tgz" })
        {
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^ext.Length];
                break;
            }
        }

        string previous;
        do
        {
            previous = name;
            name = SuffixPattern().Replace(name, string.Empty);
        }
        while (name != previous && name.Length > 0);
        return name.Length > 0 ? name : previous;
    }

    /// <summary>"CorineCorine" -> "Corine Corine", "MR1106" stays, underscores become spaces.</summary>
    public static string SplitWords(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '_' or '-')
            {
                sb.Append(' ');
                continue;
            }

            if (i > 0 && char.IsUpper(c) && (char.IsLower(text[i - 1]) || (i + 1 < text.Length && char.IsLower(text[i + 1]) && char.IsUpper(text[i - 1]))))
            {
                sb.Append(' ');
            }

            sb.Append(c);
        }

        return string.Join(' ', sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [GeneratedRegex(@"[_ -](?:Full|Edit|Edited|Multitracks?|Stems|Tracks|Part ?\d+|Pt ?\d+|\d+of\d+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SuffixPattern();
}
