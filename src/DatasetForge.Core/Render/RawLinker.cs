using System.Runtime.InteropServices;
using DatasetForge.Common;

namespace DatasetForge.Render;

/// <summary>
/// Puts a raw track into a song's `_RAW/` folder: a hard link (no extra space, same bytes) when the file system
/// allows one, else a copy; either way under a temp name first, then renamed over the target, so a reader never sees
/// a half-written file.
/// </summary>
internal static partial class RawLinker
{
    public static void LinkOrCopy(string source, string target, bool hardLink)
    {
        var temp = AtomicFile.TempPathFor(target);
        try
        {
            if (!(hardLink && TryHardLink(source, temp)))
            {
                File.Copy(source, temp, overwrite: false);
            }

            AtomicFile.Commit(temp, target);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    private static bool TryHardLink(string source, string target)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        try
        {
            return Link(source, target) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string oldPath, string newPath);
}
