using System.IO.MemoryMappedFiles;
using DatasetForge.Audio;

namespace DatasetForge.Mixing;

/// <summary>
/// A least-recently-used set of open <see cref="AudioReader"/>s shared by the mix workers (positional reads are
/// thread-safe, so one handle serves several workers at once). With <see cref="MemoryMap"/> each file's sample data
/// is also mapped read-only, so a chunk is read straight from the page cache without a copy (only the pages a
/// chunk touches are ever read). A reader evicted while leased is closed when its last lease ends. Thread-safe.
/// Mapped files must not be truncated in place while mapped; every writer in this project replaces files by rename,
/// which leaves a mapped file intact.
/// </summary>
public sealed class AudioHandleCache : IDisposable
{
    private readonly object gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> byPath = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> order = new();
    private bool disposed;

    public AudioHandleCache(int capacity = 256, bool memoryMap = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        MemoryMap = memoryMap;
    }

    public int Capacity { get; }

    public bool MemoryMap { get; }

    /// <summary>Files opened so far (misses).</summary>
    public long Opens { get; private set; }

    /// <summary>Leases served by an already open reader.</summary>
    public long Hits { get; private set; }

    public int OpenCount
    {
        get
        {
            lock (gate)
            {
                return byPath.Count;
            }
        }
    }

    /// <summary>Leases the reader of <paramref name="path"/>, opening it when needed. Dispose the lease when done.</summary>
    public Lease Rent(string path)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (byPath.TryGetValue(path, out var node))
            {
                order.Remove(node);
                order.AddFirst(node);
                node.Value.Leases++;
                Hits++;
                return new Lease(this, node.Value);
            }

            var reader = AudioFile.OpenRead(path);
            Mapping? mapping = null;
            try
            {
                mapping = MemoryMap ? Mapping.TryCreate(path, reader) : null;
            }
            catch (IOException)
            {
                mapping = null; // positional reads still work
            }

            var entry = new Entry(path, reader, mapping) { Leases = 1 };
            byPath[path] = order.AddFirst(entry);
            Opens++;
            while (byPath.Count > Capacity)
            {
                var last = order.Last!;
                order.RemoveLast();
                byPath.Remove(last.Value.Path);
                last.Value.Evicted = true;
                if (last.Value.Leases == 0)
                {
                    last.Value.Close();
                }
            }

            return new Lease(this, entry);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (var entry in order)
            {
                entry.Evicted = true;
                if (entry.Leases == 0)
                {
                    entry.Close();
                }
            }

            order.Clear();
            byPath.Clear();
        }
    }

    private void Release(Entry entry)
    {
        lock (gate)
        {
            entry.Leases--;
            if (entry.Leases == 0 && entry.Evicted)
            {
                entry.Close();
            }
        }
    }

    private sealed class Entry(string path, AudioReader reader, Mapping? mapping)
    {
        public string Path { get; } = path;

        public AudioReader Reader { get; } = reader;

        public Mapping? Mapping { get; } = mapping;

        public int Leases { get; set; }

        public bool Evicted { get; set; }

        public void Close()
        {
            Mapping?.Dispose();
            Reader.Dispose();
        }
    }

    /// <summary>A read-only mapping of a file's sample data.</summary>
    internal sealed unsafe class Mapping : IDisposable
    {
        private readonly MemoryMappedFile file;
        private readonly MemoryMappedViewAccessor view;
        private readonly byte* data;

        private Mapping(MemoryMappedFile file, MemoryMappedViewAccessor view, long dataOffset, long dataBytes)
        {
            this.file = file;
            this.view = view;
            DataBytes = dataBytes;
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            data = pointer + view.PointerOffset + dataOffset;
        }

        public long DataBytes { get; }

        /// <summary>Maps the file when its data is all there (a short file is left to positional reads and their errors).</summary>
        public static Mapping? TryCreate(string path, AudioReader reader)
        {
            var dataBytes = reader.Info.Frames * reader.BlockAlign;
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
            if (dataBytes == 0 || stream.Length < reader.DataOffset + dataBytes)
            {
                stream.Dispose();
                return null;
            }

            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, reader.DataOffset + dataBytes, MemoryMappedFileAccess.Read);
            return new Mapping(file, view, reader.DataOffset, dataBytes);
        }

        /// <summary>Bytes [offset, offset+count) of the sample data.</summary>
        public ReadOnlySpan<byte> Bytes(long offset, int count)
        {
            if (offset < 0 || count < 0 || offset + count > DataBytes)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + count} outside the {DataBytes} data bytes");
            }

            return new ReadOnlySpan<byte>(data + offset, count);
        }

        public void Dispose()
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            file.Dispose();
        }
    }

    /// <summary>A reader on loan from the cache (and its mapping, when the cache maps files).</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly AudioHandleCache owner;
        private readonly Entry entry;

        internal Lease(AudioHandleCache owner, object entry)
        {
            this.owner = owner;
            this.entry = (Entry)entry;
        }

        public AudioReader Reader => entry.Reader;

        /// <summary>True when the file's sample data is mapped (see <see cref="MappedData"/>).</summary>
        public bool IsMapped => entry.Mapping is not null;

        /// <summary>The stored bytes of frames [startFrame, startFrame+frames), read in place; valid while the lease is held.</summary>
        public ReadOnlySpan<byte> MappedData(long startFrame, int frames) =>
            (entry.Mapping ?? throw new InvalidOperationException($"{entry.Path} is not mapped")).Bytes(startFrame * entry.Reader.BlockAlign, frames * entry.Reader.BlockAlign);

        public void Dispose() => owner?.Release(entry);
    }
}
