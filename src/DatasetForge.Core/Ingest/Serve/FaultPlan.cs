using System.Collections.Concurrent;

namespace DatasetForge.Ingest.Serve;

public enum FaultKind
{
    /// <summary>Answer with an HTTP status (500, 503, ...) and no body.</summary>
    Status,

    /// <summary>Send <see cref="Fault.AfterBytes"/> bytes of the body under a correct Content-Length, then drop the connection.</summary>
    CutShort,

    /// <summary>Send <see cref="Fault.AfterBytes"/> bytes, then go silent for <see cref="Fault.StallFor"/> before dropping the connection.</summary>
    Stall,

    /// <summary>Declare Content-Length off by <see cref="Fault.LengthDelta"/> bytes: more than is sent (the body ends early) or less (the body is silently short).</summary>
    WrongContentLength,

    /// <summary>Ignore the Range header on this request and send the whole file with 200.</summary>
    IgnoreRange,

    /// <summary>Close the connection without answering.</summary>
    DropConnection,
}

/// <summary>One injected fault.</summary>
public sealed record Fault(FaultKind Kind, int Status = 500, long AfterBytes = 0, TimeSpan StallFor = default, long LengthDelta = 0)
{
    public static Fault Http(int status) => new(FaultKind.Status, Status: status);

    public static Fault CutShort(long afterBytes) => new(FaultKind.CutShort, AfterBytes: afterBytes);

    public static Fault Stall(long afterBytes, TimeSpan stallFor) => new(FaultKind.Stall, AfterBytes: afterBytes, StallFor: stallFor);

    public static Fault WrongLength(long delta) => new(FaultKind.WrongContentLength, LengthDelta: delta);

    public static Fault IgnoreRange() => new(FaultKind.IgnoreRange);

    public static Fault Drop() => new(FaultKind.DropConnection);

    public override string ToString() => Kind switch
    {
        FaultKind.Status => $"http {Status}",
        FaultKind.CutShort => $"cut short after {AfterBytes} bytes",
        FaultKind.Stall => $"stall after {AfterBytes} bytes for {StallFor.TotalSeconds:0.###} s",
        FaultKind.WrongContentLength => $"content-length off by {LengthDelta:+#;-#;0}",
        FaultKind.IgnoreRange => "range ignored",
        _ => "connection dropped",
    };
}

/// <summary>
/// Which faults <see cref="LibraryServer"/> injects: per path, a queue of faults applied to successive requests
/// (then it behaves), paths that never honour Range, faults on every request of a path, and an optional bandwidth cap.
/// Thread-safe.
/// </summary>
public sealed class FaultPlan
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> queued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Fault> always = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> noRange = new(StringComparer.Ordinal);

    /// <summary>Bandwidth cap per connection in bytes per second (null: unlimited).</summary>
    public double? BytesPerSecond { get; set; }

    /// <summary>The next requests of <paramref name="path"/> get these faults, one each, in order.</summary>
    public FaultPlan Then(string path, params Fault[] faults)
    {
        var queue = queued.GetOrAdd(Key(path), _ => new ConcurrentQueue<Fault>());
        foreach (var fault in faults)
        {
            queue.Enqueue(fault);
        }

        return this;
    }

    /// <summary>Every request of <paramref name="path"/> gets this fault (a permanently broken file).</summary>
    public FaultPlan Always(string path, Fault fault)
    {
        always[Key(path)] = fault;
        return this;
    }

    /// <summary>The server never honours Range for <paramref name="path"/>.</summary>
    public FaultPlan WithoutRange(string path)
    {
        noRange[Key(path)] = true;
        return this;
    }

    public bool IgnoresRange(string path) => noRange.ContainsKey(Key(path));

    /// <summary>The fault for the next request of <paramref name="path"/> (null: behave).</summary>
    public Fault? Next(string path)
    {
        var key = Key(path);
        if (queued.TryGetValue(key, out var queue) && queue.TryDequeue(out var fault))
        {
            return fault;
        }

        return always.TryGetValue(key, out var permanent) ? permanent : null;
    }

    private static string Key(string path) => "/" + path.TrimStart('/');
}
