using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using Polly;
using Polly.Retry;

namespace DatasetForge.Ingest.Download;

/// <summary>How downloads behave. The defaults suit a real network; tests shorten the timeouts and delays.</summary>
public sealed record DownloadOptions
{
    /// <summary>Files downloaded at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Retries after the first attempt (each resumes where the last stopped).</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>First retry delay; it doubles each retry (exponential), with jitter, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest wait for the response headers.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait for the next bytes of the body; a stalled transfer is dropped and resumed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public string UserAgent { get; init; } = "DatasetForge/1.0 (multitrack dataset curation)";

    /// <summary>Seed of the retry jitter (every random choice flows from a seed).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Check that a finished .zip has its end-of-central-directory record (catches bodies cut short under a wrong Content-Length).</summary>
    public bool CheckZipStructure { get; init; } = true;

    /// <summary>Re-hash complete files on a re-run instead of trusting their recorded size.</summary>
    public bool RehashExisting { get; init; }
}

/// <summary>One file to fetch. <see cref="ExpectedSha256"/>/<see cref="ExpectedBytes"/>, when known, are checked.</summary>
public sealed record DownloadRequest(string Url, string TargetPath, string? Item = null, long? ExpectedBytes = null, string? ExpectedSha256 = null);

public enum DownloadStatus
{
    /// <summary>Fetched (or finished) now, and verified.</summary>
    Complete,

    /// <summary>Complete from an earlier run; nothing was fetched.</summary>
    Skipped,

    /// <summary>Not complete; <see cref="DownloadResult.Reason"/> says why. Its .part file stays for a later resume.</summary>
    Failed,
}

/// <summary>What happened to one download. <see cref="Attempts"/> counts requests (1 when no retry was needed).</summary>
public sealed record DownloadResult(
    DownloadRequest Request,
    DownloadStatus Status,
    long Bytes,
    string? Sha256,
    int Attempts,
    string? Reason,
    long BytesTransferred,
    IReadOnlyList<string> RetryReasons)
{
    public int Retries => Math.Max(0, Attempts - 1);
}

/// <summary>The sidecar <c>&lt;file&gt;.download.json</c> written beside a complete download.</summary>
public sealed record DownloadSidecar(string Url, long Bytes, string Sha256, DateTime CompletedUtc, int Attempts);

/// <summary>
/// Downloads files over HTTP, resumably and safely. Each file is written to <c>&lt;target&gt;.part</c>; an interrupted
/// transfer resumes with an HTTP Range request (a server that ignores Range is detected and the file restarts from
/// zero). Failures that may pass (5xx, 408, 429, timeouts, stalls, resets, bodies cut short, a wrong Content-Length)
/// are retried with exponential backoff and jitter (Polly); others (404, 403, ...) fail at once. A finished file is
/// size-checked against Content-Length / Content-Range, optionally checked as a zip, SHA-256 hashed, recorded in a
/// <c>.download.json</c> sidecar, and only then renamed to its final name. Complete files are skipped on a re-run.
/// </summary>
public sealed class Downloader : IDisposable
{
    public const string PartSuffix = ".part";
    public const string SidecarSuffix = ".download.json";

    private readonly DownloadOptions options;
    private readonly HttpClient client;
    private readonly Random jitter;

    public Downloader(DownloadOptions options, HttpMessageHandler? handler = null)
    {
        this.options = options;
        jitter = new Random(options.Seed);
        client = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = Math.Max(1, options.Concurrency),
            ConnectTimeout = options.HeaderTimeout,
        }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
    }

    public static string PartPath(string target) => target + PartSuffix;

    public static string SidecarPath(string target) => target + SidecarSuffix;

    /// <summary>The sidecar of a complete download, or null when the file is not known to be complete.</summary>
    public static DownloadSidecar? ReadSidecar(string target)
    {
        var path = SidecarPath(target);
        if (!File.Exists(path) || !File.Exists(target))
        {
            return null;
        }

        try
        {
            var sidecar = JsonSerializer.Deserialize<DownloadSidecar>(File.ReadAllText(path), SchemaValidatedConfig.JsonOptions);
            return sidecar is not null && new FileInfo(target).Length == sidecar.Bytes ? sidecar : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Downloads many files, <see cref="DownloadOptions.Concurrency"/> at a time. Results are in request order.</summary>
    public async Task<IReadOnlyList<DownloadResult>> DownloadAllAsync(
        IReadOnlyList<DownloadRequest> requests, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new DownloadResult[requests.Count];
        var done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, requests.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                results[i] = await DownloadAsync(requests[i], null, ct).ConfigureAwait(false);
                var n = Interlocked.Increment(ref done);
                progress?.Report(new StageProgress("fetch", requests[i].Item ?? requests[i].Url, n, requests.Count,
                    results[i].Status == DownloadStatus.Failed ? $"failed: {results[i].Reason}" : results[i].Status.ToString().ToLowerInvariant(),
                    results[i].BytesTransferred));
            }).ConfigureAwait(false);
        return results;
    }

    /// <summary>Downloads one file. Never throws for network or server trouble: a failure is a result with its reason.</summary>
    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var target = Path.GetFullPath(request.TargetPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var existing = ReadSidecar(target);
        if (existing is not null && existing.Url == request.Url && Matches(existing, request)
            && (!options.RehashExisting || await ContentHash.OfFileAsync(target, cancellationToken).ConfigureAwait(false) == existing.Sha256))
        {
            return new DownloadResult(request, DownloadStatus.Skipped, existing.Bytes, existing.Sha256, 0, null, 0, []);
        }

        var state = new AttemptState();
        var pipeline = BuildPipeline(state);
        try
        {
            var sha = await pipeline.ExecuteAsync(
                async ct => await AttemptAsync(request, target, state, progress, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return new DownloadResult(request, DownloadStatus.Complete, new FileInfo(target).Length, sha, state.Attempts, null, state.BytesTransferred, state.RetryReasons);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is DownloadException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            var reason = Describe(e);
            if (state.Attempts > 1)
            {
                reason += $" (gave up after {state.Attempts} attempts)";
            }

            return new DownloadResult(request, DownloadStatus.Failed, File.Exists(PartPath(target)) ? new FileInfo(PartPath(target)).Length : 0,
                null, state.Attempts, reason, state.BytesTransferred, state.RetryReasons);
        }
    }

    private static bool Matches(DownloadSidecar sidecar, DownloadRequest request) =>
        (request.ExpectedBytes is null || request.ExpectedBytes == sidecar.Bytes)
        && (request.ExpectedSha256 is null || string.Equals(request.ExpectedSha256, sidecar.Sha256, StringComparison.OrdinalIgnoreCase));

    private ResiliencePipeline BuildPipeline(AttemptState state)
    {
        if (options.MaxRetries <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                Randomizer = () =>
                {
                    lock (jitter)
                    {
                        return jitter.NextDouble();
                    }
                },
                ShouldHandle = new PredicateBuilder()
                    .Handle<DownloadException>(e => e.Transient)
                    .Handle<HttpRequestException>()
                    .Handle<IOException>()
                    .Handle<TimeoutException>(),
                OnRetry = args =>
                {
                    lock (state)
                    {
                        state.RetryReasons.Add(args.Outcome.Exception is { } e ? Describe(e) : "retry");
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private async Task<string> AttemptAsync(DownloadRequest request, string target, AttemptState state, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        state.Attempts++;
        var part = PartPath(target);
        var offset = File.Exists(part) ? new FileInfo(part).Length : 0;

        using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        if (offset > 0)
        {
            message.Headers.Range = new RangeHeaderValue(offset, null);
        }

        HttpResponseMessage response;
        using (var headerTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            headerTimeout.CancelAfter(options.HeaderTimeout);
            try
            {
                response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, headerTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no response within {options.HeaderTimeout.TotalSeconds:0.###} s");
            }
        }

        using (response)
        {
            long? total;
            var append = false;
            switch (response.StatusCode)
            {
                case HttpStatusCode.PartialContent when offset > 0:
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From != offset)
                    {
                        File.Delete(part);
                        throw new DownloadException($"server answered the range from byte {offset} with bytes from {range?.From?.ToString(CultureInfo.InvariantCulture) ?? "?"}; restarting", transient: true);
                    }

                    total = range.Length;
                    append = true;
                    break;
                case HttpStatusCode.OK:
                    // A server without Range support sends the whole file again: start over.
                    total = response.Content.Headers.ContentLength;
                    break;
                case HttpStatusCode.RequestedRangeNotSatisfiable when offset > 0:
                    var length = response.Content.Headers.ContentRange?.Length;
                    if (length == offset)
                    {
                        return Finish(request, target, part, state);
                    }

                    File.Delete(part);
                    throw new DownloadException($"server refused resuming at byte {offset} (HTTP 416; file is {length?.ToString(CultureInfo.InvariantCulture) ?? "of unknown size"}); restarting", transient: true);
                default:
                    var code = (int)response.StatusCode;
                    var transient = code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                    throw new DownloadException($"HTTP {code} {response.ReasonPhrase}", transient);
            }

            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
            await using (var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await CopyWithStallTimeoutAsync(body, file, request, state, progress, cancellationToken).ConfigureAwait(false);
            }

            var have = new FileInfo(part).Length;
            if (total is { } expected && have != expected)
            {
                if (have > expected)
                {
                    File.Delete(part);
                    throw new DownloadException($"received {have} bytes, more than the {expected} declared; restarting", transient: true);
                }

                throw new DownloadException($"body cut short: have {have} of {expected} bytes", transient: true);
            }

            return Finish(request, target, part, state);
        }
    }

    private async Task CopyWithStallTimeoutAsync(Stream body, Stream file, DownloadRequest request, AttemptState state, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reported = Stopwatch.StartNew();
            while (true)
            {
                stall.CancelAfter(options.StallTimeout);
                int n;
                try
                {
                    n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"transfer stalled: no data for {options.StallTimeout.TotalSeconds:0.###} s");
                }

                if (n == 0)
                {
                    break;
                }

                await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref state.BytesTransferred, n);
                if (progress is not null && reported.ElapsedMilliseconds > 250)
                {
                    reported.Restart();
                    progress.Report(new StageProgress("fetch", request.Item ?? request.Url, 0, 0, "downloading", state.BytesTransferred));
                }
            }

            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Checks the complete .part, records it, renames it. Returns its SHA-256.</summary>
    private string Finish(DownloadRequest request, string target, string part, AttemptState state)
    {
        var length = new FileInfo(part).Length;
        if (request.ExpectedBytes is { } expectedBytes && length != expectedBytes)
        {
            File.Delete(part);
            throw new DownloadException($"size {length} bytes differs from the expected {expectedBytes}; restarting", transient: true);
        }

        if (options.CheckZipStructure && target.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) && ZipCheck.Problem(part) is { } problem)
        {
            File.Delete(part);
            throw new DownloadException($"not a complete zip ({problem}); restarting", transient: true);
        }

        string sha;
        using (var stream = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        {
            sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        if (request.ExpectedSha256 is { } expectedSha && !string.Equals(expectedSha, sha, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(part);
            throw new DownloadException($"SHA-256 {sha[..12]}… differs from the expected {expectedSha[..Math.Min(12, expectedSha.Length)]}…; restarting", transient: true);
        }

        // The sidecar first, then the rename: a file under its final name is always complete and recorded.
        var sidecar = new DownloadSidecar(request.Url, length, sha, DateTime.UtcNow, state.Attempts);
        AtomicFile.WriteAllText(SidecarPath(target), JsonSerializer.Serialize(sidecar, SchemaValidatedConfig.JsonOptions));
        File.Move(part, target, overwrite: true);
        return sha;
    }

    private static string Describe(Exception e) => e switch
    {
        DownloadException d => d.Message,
        HttpRequestException h when h.HttpRequestError != HttpRequestError.Unknown => $"{h.HttpRequestError}: {h.Message}",
        HttpRequestException h => h.Message,
        HttpIOException io => $"connection: {io.Message}",
        TimeoutException t => t.Message,
        IOException io => $"I/O: {io.Message}",
        _ => e.Message,
    };

    public void Dispose() => client.Dispose();

    private sealed class AttemptState
    {
        public int Attempts;
        public long BytesTransferred;
        public readonly List<string> RetryReasons = [];
    }
}

/// <summary>A download problem with its reason; <see cref="Transient"/> ones are retried.</summary>
public sealed class DownloadException(string message, bool transient) : Exception(message)
{
    public bool Transient { get; } = transient;
}
