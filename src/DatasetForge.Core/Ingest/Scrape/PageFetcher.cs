using System.Net;
using DatasetForge.Common;
using Polly;
using Polly.Retry;

namespace DatasetForge.Ingest.Scrape;

/// <summary>How politely index pages are fetched.</summary>
public sealed record PageFetcherOptions
{
    public string UserAgent { get; init; } = "DatasetForge/1.0 (multitrack dataset curation)";

    /// <summary>At least this long between the starts of two requests (rate limit).</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(2);

    public int Retries { get; init; } = 4;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First retry delay; doubles each retry, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Fetched pages are kept here and reused (null: no cache).</summary>
    public string? CacheDir { get; init; }

    /// <summary>Ignore cached pages (fetch again, then update the cache).</summary>
    public bool Refresh { get; init; }

    /// <summary>Seed of the retry jitter.</summary>
    public int Seed { get; init; } = 1;

    public static PageFetcherOptions From(SourceHttp http, string? cacheDir) => new()
    {
        UserAgent = http.UserAgent ?? new PageFetcherOptions().UserAgent,
        MinInterval = TimeSpan.FromSeconds(http.MinIntervalS ?? 2),
        Retries = http.Retries ?? 4,
        Timeout = TimeSpan.FromSeconds(http.TimeoutS ?? 60),
        CacheDir = cacheDir,
    };
}

/// <summary>A fetched page: its HTML, and whether it came from the cache.</summary>
public sealed record FetchedPage(string Url, string Html, bool FromCache);

/// <summary>
/// Fetches index pages politely: a custom User-Agent, at most one request per <see cref="PageFetcherOptions.MinInterval"/>,
/// retries with exponential backoff and jitter on 5xx/429/timeouts/resets (Polly), and a cache of fetched pages
/// (a re-run does not touch the site). Other HTTP errors fail at once with the status.
/// </summary>
public sealed class PageFetcher : IDisposable
{
    private readonly PageFetcherOptions options;
    private readonly HttpClient client;
    private readonly ResiliencePipeline pipeline;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Random jitter;
    private DateTime lastRequest = DateTime.MinValue;
    private int requests;

    public PageFetcher(PageFetcherOptions options, HttpMessageHandler? handler = null)
    {
        this.options = options;
        jitter = new Random(options.Seed);
        client = new HttpClient(handler ?? new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All }, disposeHandler: true)
        {
            Timeout = options.Timeout,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.Retries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = TimeSpan.FromMinutes(2),
                Randomizer = () =>
                {
                    lock (jitter)
                    {
                        return jitter.NextDouble();
                    }
                },
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>(e => e.StatusCode is null || IsTransient(e.StatusCode.Value))
                    .Handle<TaskCanceledException>()
                    .Handle<IOException>(),
            })
            .Build();
        if (options.Retries == 0)
        {
            pipeline = ResiliencePipeline.Empty;
        }
    }

    /// <summary>Requests sent to the network so far (retries included, cache hits not).</summary>
    public int RequestsMade => Volatile.Read(ref requests);

    public async Task<FetchedPage> GetAsync(string url, CancellationToken cancellationToken = default)
    {
        var cachePath = options.CacheDir is null ? null : Path.Combine(options.CacheDir, ContentHash.OfText(url)[..24] + ".html");
        if (cachePath is not null && !options.Refresh && File.Exists(cachePath))
        {
            return new FetchedPage(url, await File.ReadAllTextAsync(cachePath, cancellationToken).ConfigureAwait(false), FromCache: true);
        }

        string html;
        try
        {
            html = await pipeline.ExecuteAsync(async ct => await FetchOnceAsync(url, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ScrapeException($"{url}: {(e.StatusCode is { } code ? $"HTTP {(int)code} {code}" : e.Message)}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ScrapeException($"{url}: no answer within {options.Timeout.TotalSeconds:0} s", e);
        }
        catch (IOException e)
        {
            throw new ScrapeException($"{url}: {e.Message}", e);
        }

        if (cachePath is not null)
        {
            Directory.CreateDirectory(options.CacheDir!);
            AtomicFile.WriteAllText(cachePath, html);
        }

        return new FetchedPage(url, html, FromCache: false);
    }

    private async Task<string> FetchOnceAsync(string url, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wait = lastRequest + options.MinInterval - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            lastRequest = DateTime.UtcNow;
            Interlocked.Increment(ref requests);
            using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            }

            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static bool IsTransient(HttpStatusCode code) =>
        (int)code >= 500 || code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    public void Dispose()
    {
        client.Dispose();
        gate.Dispose();
    }
}
