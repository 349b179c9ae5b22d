using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using DatasetForge.Common;
using SharpCompress.Archives;
using SharpCompress.Common;
using SharpCompress.Readers;

namespace DatasetForge.Ingest.Extract;

/// <summary>Limits that make a hostile or broken archive harmless.</summary>
public sealed record ExtractOptions
{
    /// <summary>Largest total uncompressed size of one archive (declared, and as actually inflated).</summary>
    public long MaxTotalBytes { get; init; } = 64L << 30;

    /// <summary>Largest ratio of total uncompressed size to archive size (audio compresses 1-3:1; a zip bomb 1000:1).</summary>
    public double MaxRatio { get; init; } = 200;

    public int MaxEntries { get; init; } = 50_000;

    public string Fingerprint => $"extract:{MaxTotalBytes}:{MaxRatio}:{MaxEntries}";
}

/// <summary>One file written out of an archive. <see cref="RelativePath"/> is under the audio or aside folder.</summary>
public sealed record ExtractedEntry(string EntryName, string RelativePath, EntryAction Role, string AsideKind, long Bytes);

/// <summary>
/// What one archive gave: files written, entries refused (zip-slip; quarantined by the caller), junk skipped,
/// and which reader did it (System.IO.Compression, or SharpCompress for what the former cannot read).
/// </summary>
public sealed record ExtractResult(
    string Archive,
    string Reader,
    IReadOnlyList<ExtractedEntry> Files,
    IReadOnlyList<QuarantineRecord> Refused,
    int JunkSkipped,
    long UncompressedBytes,
    long ArchiveBytes);

/// <summary>An archive refused as a whole (corrupt, truncated, a zip bomb, encrypted, unreadable), with the reason.</summary>
public sealed class ArchiveRejectedException(string archive, string reason, Exception? inner = null)
    : Exception($"{archive}: {reason}", inner)
{
    public string Archive { get; } = archive;

    public string Reason { get; } = reason;
}

/// <summary>
/// Extracts a multitrack archive safely. Zip files are read with System.IO.Compression (every entry's CRC-32 is
/// checked); anything it cannot read (other compression methods, rar, 7z, tar) goes to SharpCompress. Entries with
/// absolute paths, '..' segments or links are refused (zip-slip) and the rest continues; OS junk is skipped; audio
/// goes to <c>audioDir</c>, every other file to <c>asideDir</c>. A zip bomb (declared or actual size or ratio
/// beyond <see cref="ExtractOptions"/>) or a corrupt/truncated archive is an <see cref="ArchiveRejectedException"/>,
/// and nothing it wrote is left behind. Callers extract into a temp folder and rename it when all is done.
/// </summary>
public static class ArchiveExtractor
{
    public const string Stage = "extract";

    private static readonly string[] SharpCompressOnly = [".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"];

    public static ExtractResult Extract(
        string archivePath, string audioDir, string asideDir, ExtractOptions options, CancellationToken cancellationToken = default, IProgress<StageProgress>? progress = null)
    {
        var name = Path.GetFileName(archivePath);
        long archiveBytes;
        try
        {
            archiveBytes = new FileInfo(archivePath).Length;
        }
        catch (IOException e)
        {
            throw new ArchiveRejectedException(name, $"cannot read: {e.Message}", e);
        }

        if (!File.Exists(archivePath))
        {
            throw new ArchiveRejectedException(name, "file not found");
        }

        var sink = new Sink(audioDir, asideDir, options, archiveBytes, name, progress);
        var ext = Path.GetExtension(archivePath);
        if (!SharpCompressOnly.Contains(ext, StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                return WithZipFile(archivePath, name, sink, cancellationToken);
            }
            catch (ArchiveRejectedException)
            {
                sink.Rollback();
                throw;
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
            {
                // System.IO.Compression cannot read it (another compression method, zip64 variant, not a zip, or corrupt):
                // give SharpCompress a go, and report the first reader's complaint if it fails too.
                sink.Rollback();
                sink = new Sink(audioDir, asideDir, options, archiveBytes, name, progress);
                try
                {
                    return WithSharpCompress(archivePath, name, sink, cancellationToken);
                }
                catch (ArchiveRejectedException)
                {
                    sink.Rollback();
                    throw;
                }
                catch (Exception e2) when (e2 is not OperationCanceledException)
                {
                    sink.Rollback();
                    throw new ArchiveRejectedException(name, $"corrupt or truncated archive: {e.Message} (SharpCompress: {e2.Message})", e);
                }
            }
            catch
            {
                sink.Rollback();
                throw;
            }
        }

        try
        {
            return WithSharpCompress(archivePath, name, sink, cancellationToken);
        }
        catch (ArchiveRejectedException)
        {
            sink.Rollback();
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            sink.Rollback();
            throw new ArchiveRejectedException(name, $"corrupt or unreadable archive: {e.Message}", e);
        }
        catch
        {
            sink.Rollback();
            throw;
        }
    }

    private static ExtractResult WithZipFile(string archivePath, string name, Sink sink, CancellationToken cancellationToken)
    {
        using var zip = ZipFile.OpenRead(archivePath);
        var entries = zip.Entries;
        sink.CheckDeclared(entries.Count, entries.Sum(e => e.Length));
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mode = (entry.ExternalAttributes >> 16) & 0xF000;
            var isLink = mode == 0xA000;
            var decision = EntryPolicy.Decide(entry.FullName, entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'), isLink);
            var target = sink.Admit(entry.FullName, decision);
            if (target is null)
            {
                continue;
            }

            using var source = entry.Open();
            var crc = sink.Write(entry.FullName, source, target, entry.Length, cancellationToken);
            if (crc != entry.Crc32)
            {
                throw new ArchiveRejectedException(name, $"entry '{entry.FullName}' is corrupt (CRC-32 {crc:x8}, expected {entry.Crc32:x8})");
            }

            sink.Done(entry.FullName, decision, target, entry.LastWriteTime.UtcDateTime);
        }

        return sink.Result("System.IO.Compression");
    }

    private static ExtractResult WithSharpCompress(string archivePath, string name, Sink sink, CancellationToken cancellationToken)
    {
        IArchive? archive;
        try
        {
            archive = ArchiveFactory.OpenArchive(archivePath, new ReaderOptions());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not a random-access archive (a compressed tar, for one): read it as a stream.
            archive = null;
        }

        if (archive is null)
        {
            using var stream = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var streamReader = ReaderFactory.OpenReader(stream, new ReaderOptions());
            var count = 0;
            while (streamReader.MoveToNextEntry())
            {
                if (++count > sink.MaxEntries)
                {
                    sink.CheckDeclared(count, 0);
                }

                ExtractEntry(name, sink, streamReader.Entry, streamReader.OpenEntryStream, checkCrc: false, cancellationToken);
            }

            return sink.Result($"SharpCompress ({streamReader.Type})");
        }

        using (archive)
        {
            var entries = archive.Entries.ToList();
            sink.CheckDeclared(entries.Count(e => !e.IsDirectory), entries.Where(e => !e.IsDirectory).Sum(e => Math.Max(0, e.Size)));
            var isZip = archive.Type == ArchiveType.Zip;
            if (archive.IsSolid || archive.Type == ArchiveType.SevenZip)
            {
                using var reader = archive.ExtractAllEntries();
                while (reader.MoveToNextEntry())
                {
                    ExtractEntry(name, sink, reader.Entry, reader.OpenEntryStream, isZip, cancellationToken);
                }
            }
            else
            {
                foreach (var entry in entries)
                {
                    ExtractEntry(name, sink, entry, entry.OpenEntryStream, isZip, cancellationToken);
                }
            }

            return sink.Result($"SharpCompress ({archive.Type})");
        }
    }

    private static void ExtractEntry(string name, Sink sink, IEntry entry, Func<Stream> open, bool checkCrc, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (entry.IsEncrypted)
        {
            throw new ArchiveRejectedException(name, "archive is encrypted (password-protected)");
        }

        var key = entry.Key ?? string.Empty;
        var decision = EntryPolicy.Decide(key, entry.IsDirectory, !string.IsNullOrEmpty(entry.LinkTarget));
        var target = sink.Admit(key, decision);
        if (target is null)
        {
            return;
        }

        using var source = open();
        var crc = sink.Write(key, source, target, entry.Size > 0 ? entry.Size : null, cancellationToken);
        if (checkCrc && entry.Crc != 0 && crc != (uint)entry.Crc)
        {
            throw new ArchiveRejectedException(name, $"entry '{key}' is corrupt (CRC-32 {crc:x8}, expected {(uint)entry.Crc:x8})");
        }

        sink.Done(key, decision, target, entry.LastModifiedTime?.ToUniversalTime());
    }

    /// <summary>Writes entries, enforcing the limits, and remembers what it wrote so a rejection can undo it.</summary>
    private sealed class Sink(string audioDir, string asideDir, ExtractOptions options, long archiveBytes, string name, IProgress<StageProgress>? progress)
    {
        private readonly List<ExtractedEntry> files = [];
        private readonly List<QuarantineRecord> refused = [];
        private readonly List<string> written = [];
        private int junk;
        private long total;

        public int MaxEntries => options.MaxEntries;

        public void CheckDeclared(int count, long declared)
        {
            if (count > options.MaxEntries)
            {
                throw new ArchiveRejectedException(name, $"zip bomb: {count} entries (limit {options.MaxEntries})");
            }

            if (declared > options.MaxTotalBytes)
            {
                throw new ArchiveRejectedException(name, $"zip bomb: declares {declared} uncompressed bytes (limit {options.MaxTotalBytes})");
            }

            var ratio = declared / (double)Math.Max(1, archiveBytes);
            if (ratio > options.MaxRatio)
            {
                throw new ArchiveRejectedException(name, $"zip bomb: compression ratio {ratio:0}:1 (limit {options.MaxRatio:0}:1)");
            }
        }

        /// <summary>The file to write for this entry, or null when it is skipped or refused.</summary>
        public string? Admit(string entryName, EntryDecision decision)
        {
            switch (decision.Action)
            {
                case EntryAction.Directory:
                    return null;
                case EntryAction.Junk:
                    junk++;
                    return null;
                case EntryAction.Refuse:
                    refused.Add(new QuarantineRecord($"{name}!{entryName}", Stage, decision.Reason));
                    return null;
            }

            var root = decision.Action == EntryAction.Audio ? audioDir : asideDir;
            var target = EntryPolicy.SafeCombine(root, decision.RelativePath);
            if (target is null)
            {
                refused.Add(new QuarantineRecord($"{name}!{entryName}", Stage, "entry path resolves outside the destination (zip-slip)"));
                return null;
            }

            if (File.Exists(target) || Directory.Exists(target))
            {
                refused.Add(new QuarantineRecord($"{name}!{entryName}", Stage, "a file of this path already came from another archive of the song"));
                return null;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            return target;
        }

        public uint Write(string entryName, Stream source, string target, long? declared, CancellationToken cancellationToken)
        {
            var crc = new Crc32();
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
            long bytes = 0;
            written.Add(target);
            try
            {
                using var output = new FileStream(target, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    BufferSize = 0,
                    PreallocationSize = declared is { } size && size <= options.MaxTotalBytes ? size : 0,
                });
                int n;
                while ((n = ReadSome(source, buffer, entryName)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    bytes += n;
                    total += n;
                    if (declared is { } d && bytes > d)
                    {
                        throw new ArchiveRejectedException(name, $"zip bomb: entry '{entryName}' inflates beyond its declared {d} bytes");
                    }

                    if (total > options.MaxTotalBytes)
                    {
                        throw new ArchiveRejectedException(name, $"zip bomb: inflates beyond {options.MaxTotalBytes} bytes");
                    }

                    if (total / (double)Math.Max(1, archiveBytes) > options.MaxRatio)
                    {
                        throw new ArchiveRejectedException(name, $"zip bomb: inflates beyond a ratio of {options.MaxRatio:0}:1");
                    }

                    crc.Append(buffer.AsSpan(0, n));
                    output.Write(buffer, 0, n);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (declared is { } expected && bytes < expected)
            {
                throw new ArchiveRejectedException(name, $"entry '{entryName}' is truncated ({bytes} of {expected} bytes)");
            }

            progress?.Report(new StageProgress(Stage, name, files.Count + 1, 0, entryName, bytes));
            return crc.GetCurrentHashAsUInt32();
        }

        /// <summary>
        /// Records a written entry and gives the file the entry's modification time (as unzip does), so extracting the
        /// same archive twice gives the same files, times included: later stages reuse content hashes by size and time.
        /// </summary>
        public void Done(string entryName, EntryDecision decision, string target, DateTime? modifiedUtc)
        {
            if (modifiedUtc is { } time && time.Year >= 1980)
            {
                try
                {
                    File.SetLastWriteTimeUtc(target, time);
                }
                catch (Exception e) when (e is ArgumentOutOfRangeException or IOException or UnauthorizedAccessException)
                {
                    // keep the extraction time
                }
            }

            files.Add(new ExtractedEntry(entryName, decision.RelativePath, decision.Action, decision.AsideKind, new FileInfo(target).Length));
        }

        public ExtractResult Result(string reader) => new(name, reader, files, refused, junk, total, archiveBytes);

        public void Rollback()
        {
            foreach (var path in written)
            {
                try
                {
                    File.Delete(path);
                }
                catch (IOException)
                {
                }
            }

            written.Clear();
        }

        private int ReadSome(Stream source, byte[] buffer, string entryName)
        {
            try
            {
                return source.Read(buffer, 0, buffer.Length);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException && e is not ArchiveRejectedException)
            {
                throw new ArchiveRejectedException(name, $"entry '{entryName}' cannot be decompressed: {e.Message}", e);
            }
        }
    }
}
