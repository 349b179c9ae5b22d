using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DatasetForge.Ingest.Serve;

/// <summary>Something the server can send: bytes in memory or a file on disk.</summary>
public sealed class ServedResource
{
    private readonly byte[]? bytes;
    private readonly string? file;

    private ServedResource(string contentType, byte[]? bytes, string? file)
    {
        ContentType = contentType;
        this.bytes = bytes;
        this.file = file;
    }

    public string ContentType { get; }

    public long Length => bytes?.LongLength ?? new FileInfo(file!).Length;

    public static ServedResource FromBytes(byte[] bytes, string contentType = "application/octet-stream") => new(contentType, bytes, null);

    public static ServedResource FromText(string text, string contentType = "text/html; charset=utf-8") => new(contentType, Encoding.UTF8.GetBytes(text), null);

    public static ServedResource FromFile(string path, string? contentType = null) =>
        new(contentType ?? GuessType(path), null, Path.GetFullPath(path));

    public Stream OpenAt(long offset)
    {
        Stream stream = bytes is not null ? new MemoryStream(bytes, writable: false) : new FileStream(file!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        stream.Seek(offset, SeekOrigin.Begin);
        return stream;
    }

    private static string GuessType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" or ".htm" => "text/html; charset=utf-8",
        ".zip" => "application/zip",
        ".mp3" => "audio/mpeg",
        ".wav" => "audio/wav",
        ".csv" => "text/csv; charset=utf-8",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}

/// <summary>One request the server saw, for tests and reports.</summary>
public sealed record ServedRequest(string Method, string Path, long? RangeFrom, int Status, long BytesSent, string? Fault, string? UserAgent)
{
    public DateTime Started { get; init; }

    public DateTime Ended { get; init; }
}

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 that serves a synthetic multitrack library (index pages, archives, previews)
/// with Range support, and can inject faults (<see cref="FaultPlan"/>): 5xx answers, stalls, bodies cut short,
/// no Range support, a wrong Content-Length, dropped connections. Written on raw sockets so that every fault is
/// exact (a web framework would correct a wrong Content-Length). One request per connection (Connection: close).
/// Used by <c>forge demo</c>, the download tests and <c>forge bench fetch</c>.
/// </summary>
public sealed class LibraryServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly ConcurrentDictionary<string, ServedResource> resources = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ServedRequest> log = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task acceptLoop;
    private readonly FaultPlan faults;
    private int active;
    private int maxActive;

    private LibraryServer(FaultPlan? faults, int requestedPort)
    {
        this.faults = faults ?? new FaultPlan();
        listener = new TcpListener(IPAddress.Loopback, requestedPort);
        listener.Start(backlog: 256);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Starts a server on a free port of 127.0.0.1.</summary>
    public static LibraryServer Start(FaultPlan? faults = null) => new(faults, 0);

    /// <summary>
    /// Starts a server on <paramref name="port"/> of 127.0.0.1 (0: a free port). A fixed port keeps the served URLs,
    /// and so the songs' origins, the same from run to run. Throws <see cref="SocketException"/> when it is taken.
    /// </summary>
    public static LibraryServer Start(int port, FaultPlan? faults = null) => new(faults, port);

    public Uri BaseUri { get; }

    public FaultPlan Faults => faults;

    /// <summary>Every request answered so far, in order of arrival (a stalled request is logged only when it ends,
    /// possibly after the retry that followed it, so completion order would be misleading).</summary>
    public IReadOnlyList<ServedRequest> Requests => [.. log.OrderBy(r => r.Started)];

    /// <summary>Most requests being answered at once so far (a stalled one counts until it goes silent).</summary>
    public int MaxConcurrentConnections => Volatile.Read(ref maxActive);

    /// <summary>Serves <paramref name="resource"/> at <paramref name="path"/> ("/index.html"); returns its absolute URL.</summary>
    public string Map(string path, ServedResource resource)
    {
        var key = "/" + path.TrimStart('/');
        resources[key] = resource;
        return UrlOf(key);
    }

    /// <summary>The absolute URL of a served path (each segment percent-encoded).</summary>
    public string UrlOf(string path) =>
        BaseUri.AbsoluteUri + string.Join('/', path.TrimStart('/').Split('/').Select(Uri.EscapeDataString));

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        try
        {
            using (client)
            {
                client.NoDelay = true;
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }

                await RespondAsync(client, stream, request).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away; nothing to do.
        }
    }

    /// <summary>Counts a request as being answered (for <see cref="MaxConcurrentConnections"/>) until the returned scope ends.</summary>
    private Answering BeginAnswer()
    {
        var now = Interlocked.Increment(ref active);
        for (var seen = Volatile.Read(ref maxActive); now > seen; seen = Volatile.Read(ref maxActive))
        {
            if (Interlocked.CompareExchange(ref maxActive, now, seen) == seen)
            {
                break;
            }
        }

        return new Answering(this);
    }

    private sealed class Answering(LibraryServer server) : IDisposable
    {
        private int ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref ended, 1) == 0)
            {
                Interlocked.Decrement(ref server.active);
            }
        }
    }

    private sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Headers);

    private async Task<Request?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new byte[16384];
        var filled = 0;
        while (true)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled), stop.Token).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }

            filled += n;
            var text = Encoding.ASCII.GetString(buffer, 0, filled);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var lines = text[..end].Split("\r\n");
                var first = lines[0].Split(' ');
                if (first.Length < 2)
                {
                    return null;
                }

                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':');
                    if (colon > 0)
                    {
                        headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                    }
                }

                var path = Uri.UnescapeDataString(first[1].Split('?')[0]);
                return new Request(first[0], path, headers);
            }

            if (filled == buffer.Length)
            {
                return null;
            }
        }
    }

    private async Task RespondAsync(TcpClient client, NetworkStream stream, Request request)
    {
        request.Headers.TryGetValue("User-Agent", out var userAgent);
        using var answering = BeginAnswer();
        var started = DateTime.UtcNow;
        var fault = faults.Next(request.Path);
        if (!resources.TryGetValue(request.Path, out var resource))
        {
            await WriteHeadAsync(stream, 404, "Not Found", [("Content-Length", "0")]).ConfigureAwait(false);
            log.Enqueue(new ServedRequest(request.Method, request.Path, null, 404, 0, null, userAgent) { Started = started, Ended = DateTime.UtcNow });
            return;
        }

        switch (fault)
        {
            case { Kind: FaultKind.Status }:
                await WriteHeadAsync(stream, fault.Status, "Injected Fault", [("Content-Length", "0")]).ConfigureAwait(false);
                log.Enqueue(new ServedRequest(request.Method, request.Path, null, fault.Status, 0, fault.ToString(), userAgent) { Started = started, Ended = DateTime.UtcNow });
                return;
            case { Kind: FaultKind.DropConnection }:
                client.Client.LingerState = new LingerOption(true, 0);
                log.Enqueue(new ServedRequest(request.Method, request.Path, null, 0, 0, fault.ToString(), userAgent) { Started = started, Ended = DateTime.UtcNow });
                return;
        }

        var total = resource.Length;
        long from = 0;
        var partial = false;
        long? rangeFrom = null;
        var supportsRange = !faults.IgnoresRange(request.Path) && fault?.Kind != FaultKind.IgnoreRange;
        if (request.Headers.TryGetValue("Range", out var range) && TryParseRange(range, out var start))
        {
            rangeFrom = start;
            if (supportsRange)
            {
                if (start >= total)
                {
                    await WriteHeadAsync(stream, 416, "Range Not Satisfiable", [("Content-Range", $"bytes */{total}"), ("Content-Length", "0")]).ConfigureAwait(false);
                    log.Enqueue(new ServedRequest(request.Method, request.Path, rangeFrom, 416, 0, fault?.ToString(), userAgent) { Started = started, Ended = DateTime.UtcNow });
                    return;
                }

                from = start;
                partial = true;
            }
        }

        var count = total - from;
        var declared = count;
        var send = count;
        if (fault is { Kind: FaultKind.WrongContentLength })
        {
            declared = Math.Max(0, count + fault.LengthDelta);
            send = Math.Min(count, declared);
        }
        else if (fault is { Kind: FaultKind.CutShort or FaultKind.Stall })
        {
            send = Math.Min(count, fault.AfterBytes);
        }

        var headers = new List<(string, string)>
        {
            ("Content-Type", resource.ContentType),
            ("Content-Length", declared.ToString(CultureInfo.InvariantCulture)),
        };
        if (supportsRange)
        {
            headers.Add(("Accept-Ranges", "bytes"));
        }

        if (partial)
        {
            headers.Add(("Content-Range", $"bytes {from}-{total - 1}/{total}"));
        }

        await WriteHeadAsync(stream, partial ? 206 : 200, partial ? "Partial Content" : "OK", headers).ConfigureAwait(false);
        long sent = 0;
        if (request.Method != "HEAD")
        {
            await using var body = resource.OpenAt(from);
            var buffer = new byte[65536];
            while (sent < send)
            {
                var n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, send - sent)), stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                await stream.WriteAsync(buffer.AsMemory(0, n), stop.Token).ConfigureAwait(false);
                sent += n;
                if (faults.BytesPerSecond is { } rate && rate > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(n / rate), stop.Token).ConfigureAwait(false);
                }
            }

            await stream.FlushAsync(stop.Token).ConfigureAwait(false);
            if (fault is { Kind: FaultKind.Stall })
            {
                answering.Dispose(); // silent from here on: the client is waiting, not being served
                await StallAsync(client.Client, fault.StallFor).ConfigureAwait(false);
            }
        }

        log.Enqueue(new ServedRequest(request.Method, request.Path, rangeFrom, partial ? 206 : 200, sent, fault?.ToString(), userAgent) { Started = started, Ended = DateTime.UtcNow });
        if (fault is { Kind: FaultKind.CutShort or FaultKind.Stall } || (fault is { Kind: FaultKind.WrongContentLength } && send < declared))
        {
            // Abort (RST) so the client sees the body end early rather than a clean close.
            client.Client.LingerState = new LingerOption(true, 0);
        }
    }

    /// <summary>Stays silent for <paramref name="duration"/>, or until the client hangs up.</summary>
    private async Task StallAsync(Socket socket, TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        try
        {
            while (DateTime.UtcNow < until && !stop.IsCancellationRequested)
            {
                if (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0)
                {
                    return; // the client closed its end
                }

                await Task.Delay(10, stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static bool TryParseRange(string header, out long start)
    {
        start = 0;
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var spec = header[6..].Split(',')[0];
        var dash = spec.IndexOf('-');
        return dash > 0 && long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out start);
    }

    private static async Task WriteHeadAsync(NetworkStream stream, int status, string reason, IEnumerable<(string Name, string Value)> headers)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\n");
        foreach (var (name, value) in headers)
        {
            sb.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        sb.Append("Connection: close\r\n\r\n");
        var bytes = Encoding.ASCII.GetBytes(sb.ToString());
        await stream.WriteAsync(bytes).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        try
        {
            await acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
