using DatasetForge.Audio;

namespace DatasetForge.Ingest.Extract;

/// <summary>What happens to an archive entry.</summary>
public enum EntryAction
{
    /// <summary>A folder entry: nothing to write.</summary>
    Directory,

    /// <summary>OS litter (__MACOSX/, .DS_Store, Thumbs.db, ._AppleDouble, desktop.ini): skipped silently.</summary>
    Junk,

    /// <summary>Unsafe (absolute path, '..' segment, link): refused, with <see cref="EntryDecision.Reason"/>.</summary>
    Refuse,

    /// <summary>An audio file we read: a track.</summary>
    Audio,

    /// <summary>Anything else (readme, preview MP3, session, image): extracted and listed aside.</summary>
    Aside,
}

public sealed record EntryDecision(EntryAction Action, string RelativePath, string Reason = "", string AsideKind = "");

/// <summary>
/// Decides, from an entry's name alone, whether it is safe, junk, audio or aside. Names use '/' or '\'; the
/// relative path returned uses '/' and never escapes the destination (zip-slip).
/// </summary>
public static class EntryPolicy
{
    private static readonly HashSet<string> JunkNames = new(StringComparer.OrdinalIgnoreCase) { ".DS_Store", "Thumbs.db", "desktop.ini", "ehthumbs.db", ".localized" };

    private static readonly HashSet<string> JunkFolders = new(StringComparer.OrdinalIgnoreCase) { "__MACOSX", ".Spotlight-V100", ".Trashes", ".fseventsd" };

    private static readonly HashSet<string> OtherAudio = new(StringComparer.OrdinalIgnoreCase)
    {
        ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wma", ".caf", ".sd2", ".mp2", ".ape", ".wv",
    };

    private static readonly HashSet<string> Documents = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".pdf", ".rtf", ".doc", ".docx", ".md", ".htm", ".html", ".odt", ".csv", ".xls", ".xlsx", ".nfo",
    };

    private static readonly HashSet<string> Sessions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".ptx", ".ptf", ".pts", ".cpr", ".logicx", ".als", ".rpp", ".flp", ".song", ".aup", ".aup3", ".sesx", ".npr", ".band", ".reason", ".mid", ".midi",
    };

    private static readonly HashSet<string> Images = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp" };

    public static EntryDecision Decide(string entryName, bool isDirectory, bool isLink)
    {
        var name = entryName.Replace('\\', '/');
        if (name.Contains('\0'))
        {
            return new EntryDecision(EntryAction.Refuse, name, "entry name contains a NUL character");
        }

        if (isLink)
        {
            return new EntryDecision(EntryAction.Refuse, name, "entry is a symbolic or hard link (zip-slip)");
        }

        if (name.StartsWith('/') || (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':'))
        {
            return new EntryDecision(EntryAction.Refuse, name, "entry has an absolute path (zip-slip)");
        }

        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        if (segments.Any(s => s == ".."))
        {
            return new EntryDecision(EntryAction.Refuse, name, "entry path has a '..' segment (zip-slip)");
        }

        if (segments.Count == 0)
        {
            return new EntryDecision(EntryAction.Directory, string.Empty);
        }

        var relative = string.Join('/', segments);
        if (segments.Take(segments.Count - 1).Any(JunkFolders.Contains) || JunkFolders.Contains(segments[0]))
        {
            return new EntryDecision(EntryAction.Junk, relative);
        }

        if (isDirectory || name.EndsWith('/'))
        {
            return new EntryDecision(EntryAction.Directory, relative);
        }

        var file = segments[^1];
        if (JunkNames.Contains(file) || file.StartsWith("._", StringComparison.Ordinal))
        {
            return new EntryDecision(EntryAction.Junk, relative);
        }

        var ext = Path.GetExtension(file);
        if (AudioFile.ReadableExtensions.Contains(ext))
        {
            return new EntryDecision(EntryAction.Audio, relative);
        }

        return new EntryDecision(EntryAction.Aside, relative, AsideKind: AsideKindOf(file));
    }

    /// <summary>document, audio_other (MP3 previews, FLAC...), session (DAW sessions, MIDI), image or other.</summary>
    public static string AsideKindOf(string fileName)
    {
        var ext = Path.GetExtension(fileName);
        if (OtherAudio.Contains(ext))
        {
            return "audio_other";
        }

        if (Documents.Contains(ext))
        {
            return "document";
        }

        if (Sessions.Contains(ext))
        {
            return "session";
        }

        return Images.Contains(ext) ? "image" : "other";
    }

    /// <summary>True for OS litter files and folders (also used when importing folders in place).</summary>
    public static bool IsJunk(string relativePath)
    {
        var segments = relativePath.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Any(JunkFolders.Contains) || (segments.Length > 0 && (JunkNames.Contains(segments[^1]) || segments[^1].StartsWith("._", StringComparison.Ordinal)));
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, or null if it would land outside.</summary>
    public static string? SafeCombine(string root, string relative)
    {
        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, relative));
        var prefix = fullRoot.EndsWith(Path.DirectorySeparatorChar) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full : null;
    }
}
