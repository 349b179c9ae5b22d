using DatasetForge.Common;

namespace DatasetForge.Pipeline;

/// <summary>
/// Removes what interrupted writers leave behind under a pipeline's output folder: temp files and folders named
/// <c>.&lt;name&gt;.&lt;guid&gt;.tmp</c> (<see cref="AtomicFile"/>, ingest's extraction folders, checkpoint folders),
/// the render stage's <c>.render-tmp/</c> and forge synth's <c>.staging/</c>. Partial downloads (<c>*.part</c>) are
/// kept: the downloader resumes them. Run at the start of every run (after a SIGKILL) and after a cancelled one.
/// </summary>
public static class TempSweeper
{
    public static int Sweep(string root)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(dir).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var name = Path.GetFileName(entry);
                var isDir = Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint);
                var temp = AtomicFile.IsTempFile(entry) || (name.StartsWith('.') && name.EndsWith(".tmp.d", StringComparison.Ordinal))
                    || (isDir && name is ".render-tmp" or ".staging");
                if (temp)
                {
                    try
                    {
                        if (isDir)
                        {
                            Directory.Delete(entry, recursive: true);
                        }
                        else
                        {
                            File.Delete(entry);
                        }

                        removed++;
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                    }
                }
                else if (isDir)
                {
                    pending.Push(entry);
                }
            }
        }

        return removed;
    }
}
