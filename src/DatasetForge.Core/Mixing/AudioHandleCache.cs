using DatasetForge.Audio;

namespace DatasetForge.Mixing;

/// <summary>
/// A least-recently-used set of open <see cref="AudioReader"/>s shared by the mix workers (positional reads are
/// thread-safe, so one handle serves several workers at once). A reader evicted while leased is closed when its
/// last lease ends. Thread-safe.
/// </summary>
public sealed class AudioHandleCache : IDisposable
{
    private readonly object gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> byPath = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> order = new();
    private bool disposed;

    public AudioHandleCache(int capacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

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

            var entry = new Entry(path, AudioFile.OpenRead(path)) { Leases = 1 };
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
                    last.Value.Reader.Dispose();
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
                    entry.Reader.Dispose();
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
                entry.Reader.Dispose();
            }
        }
    }

    private sealed class Entry(string path, AudioReader reader)
    {
        public string Path { get; } = path;

        public AudioReader Reader { get; } = reader;

        public int Leases { get; set; }

        public bool Evicted { get; set; }
    }

    /// <summary>A reader on loan from the cache.</summary>
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

        public void Dispose() => owner?.Release(entry);
    }
}
