using System.Security.Cryptography;
using DatasetForge.Ingest.Download;
using DatasetForge.Ingest.Serve;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Ingest;

public sealed class DownloaderTests
{
    private static readonly DownloadOptions Fast = new()
    {
        Concurrency = 4,
        MaxRetries = 5,
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromMilliseconds(40),
        HeaderTimeout = TimeSpan.FromSeconds(5),
        StallTimeout = TimeSpan.FromSeconds(1.5), // well under the injected stalls (3-5 s), well over a loaded CI machine's pauses
        UserAgent = "DatasetForgeTest/1.0",
        CheckZipStructure = false,
    };

    private static byte[] Payload(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<(DownloadResult Result, byte[] Body, LibraryServer Server)> Run(TempDir temp, Action<FaultPlan, string> plan, DownloadOptions? options = null, int size = 300_000, string name = "file.bin")
    {
        var body = Payload(size, name.GetHashCode(StringComparison.Ordinal));
        var faults = new FaultPlan();
        plan(faults, "/" + name);
        var server = LibraryServer.Start(faults);
        var url = server.Map(name, ServedResource.FromBytes(body));
        using var downloader = new Downloader(options ?? Fast);
        var result = await downloader.DownloadAsync(new DownloadRequest(url, temp.File(name)));
        return (result, body, server);
    }

    private static void AssertComplete(DownloadResult result, byte[] body, string path)
    {
        Assert.True(result.Status == DownloadStatus.Complete, $"{result.Status}: {result.Reason}");
        Assert.Equal(body, File.ReadAllBytes(path));
        Assert.Equal(Sha(body), result.Sha256);
        Assert.False(File.Exists(Downloader.PartPath(path)));
        var sidecar = Downloader.ReadSidecar(path);
        Assert.NotNull(sidecar);
        Assert.Equal(Sha(body), sidecar.Sha256);
    }

    [Fact]
    public async Task Clean_download_is_verified_and_sends_our_user_agent()
    {
        using var temp = new TempDir();
        var (result, body, server) = await Run(temp, (_, _) => { });
        await using var _ = server;
        AssertComplete(result, body, temp.File("file.bin"));
        Assert.Equal(1, result.Attempts);
        Assert.Equal("DatasetForgeTest/1.0", Assert.Single(server.Requests).UserAgent);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_until_the_file_arrives()
    {
        using var temp = new TempDir();
        var (result, body, server) = await Run(temp, (f, p) => f.Then(p, Fault.Http(500), Fault.Http(503), Fault.Drop()));
        await using var _ = server;
        AssertComplete(result, body, temp.File("file.bin"));
        // The dropped connection may be retried once inside HttpClient itself (a connection closed before any
        // response); either way the server saw every fault and the file arrived.
        Assert.Equal(4, server.Requests.Count);
        Assert.InRange(result.Attempts, 3, 4);
        Assert.Equal(result.Attempts - 1, result.RetryReasons.Count);
        Assert.Contains("HTTP 500", result.RetryReasons[0]);
        Assert.Contains("HTTP 503", result.RetryReasons[1]);
    }

    [Fact]
    public async Task A_body_cut_short_resumes_with_a_range_request_from_where_it_stopped()
    {
        using var temp = new TempDir();
        var (result, body, server) = await Run(temp, (f, p) => f.Then(p, Fault.CutShort(100_000), Fault.CutShort(50_000)));
        await using var _ = server;
        AssertComplete(result, body, temp.File("file.bin"));
        var requests = server.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Null(requests[0].RangeFrom);
        Assert.Equal(100_000, requests[1].RangeFrom);
        Assert.Equal(150_000, requests[2].RangeFrom);
        Assert.Equal(206, requests[2].Status);
        Assert.Equal(body.Length, requests.Sum(r => r.BytesSent));
    }

    [Fact]
    public async Task A_stalled_transfer_times_out_and_resumes()
    {
        using var temp = new TempDir();
        var (result, body, server) = await Run(temp, (f, p) => f.Then(p, Fault.Stall(64_000, TimeSpan.FromSeconds(5))));
        await using var _ = server;
        AssertComplete(result, body, temp.File("file.bin"));
        Assert.Contains(result.RetryReasons, r => r.Contains("stalled", StringComparison.Ordinal));
        Assert.Equal(64_000, server.Requests.Last().RangeFrom);
    }

    [Fact]
    public async Task A_server_without_range_support_restarts_the_file_from_zero()
    {
        using var temp = new TempDir();
        var (result, body, server) = await Run(temp, (f, p) => f.WithoutRange(p).Then(p, Fault.CutShort(120_000)));
        await using var _ = server;
        AssertComplete(result, body, temp.File("file.bin"));
        var second = server.Requests[1];
        Assert.Equal(120_000, second.RangeFrom);
        Assert.Equal(200, second.Status);
        Assert.Equal(body.Length, second.BytesSent);
    }

    [Fact]
    public async Task A_content_length_larger_than_the_body_is_detected_and_resumed()
    {
        using var temp = new TempDir();
        var (result, body, server) = await Run(temp, (f, p) => f.Then(p, Fault.WrongLength(+5000)));
        await using var _ = server;
        AssertComplete(result, body, temp.File("file.bin"));
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task A_content_length_smaller_than_the_file_is_caught_by_the_zip_check_and_refetched()
    {
        using var temp = new TempDir();
        // A real zip: the short body lacks its end record, which the structural check notices.
        var zipPath = temp.File("src.zip");
        DatasetForge.Ingest.Synthetic.SyntheticLibrary.WriteArchive(zipPath, "Top", new() { TracksPerSong = 2, Seconds = 1, Extras = false }, 3);
        var body = File.ReadAllBytes(zipPath);
        var faults = new FaultPlan().Then("/song.zip", Fault.WrongLength(-2000));
        await using var server = LibraryServer.Start(faults);
        var url = server.Map("song.zip", ServedResource.FromBytes(body));
        using var downloader = new Downloader(Fast with { CheckZipStructure = true });
        var target = temp.File("song.zip");
        var result = await downloader.DownloadAsync(new DownloadRequest(url, target));
        AssertComplete(result, body, target);
        Assert.Contains(result.RetryReasons, r => r.Contains("not a complete zip", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_short_body_is_caught_by_an_expected_hash()
    {
        using var temp = new TempDir();
        var body = Payload(80_000, 9);
        var faults = new FaultPlan().Then("/a.bin", Fault.WrongLength(-1000), Fault.WrongLength(-1000));
        await using var server = LibraryServer.Start(faults);
        var url = server.Map("a.bin", ServedResource.FromBytes(body));
        using var downloader = new Downloader(Fast);
        var result = await downloader.DownloadAsync(new DownloadRequest(url, temp.File("a.bin"), ExpectedSha256: Sha(body)));
        AssertComplete(result, body, temp.File("a.bin"));
        Assert.Equal(3, result.Attempts);
        Assert.All(result.RetryReasons, r => Assert.Contains("SHA-256", r));
    }

    [Fact]
    public async Task Permanent_errors_fail_at_once_with_the_reason()
    {
        using var temp = new TempDir();
        await using var server = LibraryServer.Start();
        using var downloader = new Downloader(Fast);
        var result = await downloader.DownloadAsync(new DownloadRequest(server.UrlOf("missing.zip"), temp.File("missing.zip")));
        Assert.Equal(DownloadStatus.Failed, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Contains("HTTP 404", result.Reason);
        Assert.False(File.Exists(temp.File("missing.zip")));
    }

    [Fact]
    public async Task A_file_that_never_arrives_fails_after_the_retries_and_keeps_its_part_for_later()
    {
        using var temp = new TempDir();
        var (result, body, server) = await Run(temp, (f, p) => f.Always(p, Fault.CutShort(10_000)), Fast with { MaxRetries = 3 });
        await using var _ = server;
        Assert.Equal(DownloadStatus.Failed, result.Status);
        Assert.Equal(4, result.Attempts);
        Assert.Contains("gave up after 4 attempts", result.Reason);
        Assert.False(File.Exists(temp.File("file.bin")));
        Assert.Equal(40_000, new FileInfo(Downloader.PartPath(temp.File("file.bin"))).Length);

        // A later run (the server is fixed now) resumes the part rather than starting over.
        var fixedServer = LibraryServer.Start();
        await using var __ = fixedServer;
        var url = fixedServer.Map("file.bin", ServedResource.FromBytes(body));
        using var downloader = new Downloader(Fast);
        var again = await downloader.DownloadAsync(new DownloadRequest(url, temp.File("file.bin")));
        AssertComplete(again, body, temp.File("file.bin"));
        Assert.Equal(40_000, Assert.Single(fixedServer.Requests).RangeFrom);
    }

    [Fact]
    public async Task Complete_files_are_skipped_on_a_rerun_without_touching_the_network()
    {
        using var temp = new TempDir();
        var (result, body, server) = await Run(temp, (_, _) => { });
        await using var _ = server;
        AssertComplete(result, body, temp.File("file.bin"));
        using var downloader = new Downloader(Fast with { RehashExisting = true });
        var again = await downloader.DownloadAsync(new DownloadRequest(server.UrlOf("file.bin"), temp.File("file.bin")));
        Assert.Equal(DownloadStatus.Skipped, again.Status);
        Assert.Equal(Sha(body), again.Sha256);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_part_that_is_already_whole_is_finished_from_a_416_answer()
    {
        using var temp = new TempDir();
        var body = Payload(20_000, 4);
        await File.WriteAllBytesAsync(Downloader.PartPath(temp.File("w.bin")), body);
        await using var server = LibraryServer.Start();
        var url = server.Map("w.bin", ServedResource.FromBytes(body));
        using var downloader = new Downloader(Fast);
        var result = await downloader.DownloadAsync(new DownloadRequest(url, temp.File("w.bin")));
        AssertComplete(result, body, temp.File("w.bin"));
        Assert.Equal(416, Assert.Single(server.Requests).Status);
    }

    [Fact]
    public async Task Many_files_with_mixed_faults_all_end_complete_within_the_concurrency_limit()
    {
        using var temp = new TempDir();
        var faults = new FaultPlan { BytesPerSecond = 4_000_000 };
        await using var server = LibraryServer.Start(faults);
        var bodies = new Dictionary<string, byte[]>();
        var requests = new List<DownloadRequest>();
        Fault[][] kinds =
        [
            [], [Fault.Http(500)], [Fault.CutShort(30_000)], [Fault.Stall(20_000, TimeSpan.FromSeconds(3))], [Fault.WrongLength(+100)],
            [Fault.Drop(), Fault.Http(502)], [Fault.IgnoreRange()], [Fault.CutShort(1), Fault.CutShort(2)],
        ];
        for (var i = 0; i < 16; i++)
        {
            var name = $"f{i:00}.bin";
            bodies[name] = Payload(60_000 + (i * 1000), i);
            faults.Then("/" + name, kinds[i % kinds.Length]);
            requests.Add(new DownloadRequest(server.Map(name, ServedResource.FromBytes(bodies[name])), temp.File(name), name));
        }

        var counting = new CountingHandler { InnerHandler = new SocketsHttpHandler() };
        using var downloader = new Downloader(Fast with { Concurrency = 3 }, counting);
        var results = await downloader.DownloadAllAsync(requests);
        foreach (var r in results)
        {
            AssertComplete(r, bodies[r.Request.Item!], r.Request.TargetPath);
        }

        Assert.True(counting.MaxInFlight <= 3, $"{counting.MaxInFlight} requests in flight at once");
        Assert.True(counting.MaxInFlight >= 2, "downloads did not overlap at all");
        Assert.True(results.Sum(r => r.Retries) >= 12);
    }

    /// <summary>Counts requests in flight on the client side: from sending until the response is disposed.</summary>
    private sealed class CountingHandler : DelegatingHandler
    {
        private int inFlight;
        private int maxInFlight;

        public int MaxInFlight => Volatile.Read(ref maxInFlight);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (this)
            {
                maxInFlight = Math.Max(maxInFlight, now);
            }

            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                response.Content = new TrackedContent(response.Content, () => Interlocked.Decrement(ref inFlight));
                return response;
            }
            catch
            {
                Interlocked.Decrement(ref inFlight);
                throw;
            }
        }
    }

    private sealed class TrackedContent : HttpContent
    {
        private readonly HttpContent inner;
        private Action? onDispose;

        public TrackedContent(HttpContent inner, Action onDispose)
        {
            this.inner = inner;
            this.onDispose = onDispose;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => inner.CopyToAsync(stream);

        protected override Task<Stream> CreateContentReadStreamAsync() => inner.ReadAsStreamAsync();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                Interlocked.Exchange(ref onDispose, null)?.Invoke();
            }

            base.Dispose(disposing);
        }
    }
}
