using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using DatasetForge.Ingest.Download;
using DatasetForge.Ingest.Serve;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench fetch`: the fault-injection run. A local server (127.0.0.1) serves zip archives while injecting a
/// seeded mix of faults (5xx, dropped connections, bodies cut short, stalls, a Content-Length too large or too small,
/// Range ignored, servers without Range support, one file broken for good, one missing). Reports how many files
/// ended complete and SHA-256-verified against the served bytes, how many were reported failed (with reasons), the
/// retries used, and a re-run (everything skipped, no request). Reference: curl with retries and resume
/// (`--retry --retry-all-errors -C -`) on the same fault plan.
/// </summary>
public sealed class FetchBench : IBenchCommand
{
    public Command Create()
    {
        var files = new Option<int>("--files") { DefaultValueFactory = _ => 24, Description = "archives served" };
        var sizeMb = new Option<double>("--size-mb") { DefaultValueFactory = _ => 4, Description = "mean archive size in MB" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 4 };
        var work = new Option<string?>("--work") { Description = "scratch folder (default: a temp folder, deleted afterwards)" };
        var command = new Command("fetch", "Fault-injection download run: files complete and verified, failures with reasons, retries used; vs curl.") { files, sizeMb, seed, concurrency, work };
        command.SetAction(async parse =>
        {
            var dir = BenchSupport.Scratch(parse.GetValue(work), "fetch");
            try
            {
                var n = Math.Max(4, parse.GetValue(files));
                var seedValue = parse.GetValue(seed);
                var bodies = MakeArchives(n, parse.GetValue(sizeMb), seedValue);
                var options = new DownloadOptions
                {
                    Concurrency = Math.Max(1, parse.GetValue(concurrency)),
                    MaxRetries = 6,
                    BaseDelay = TimeSpan.FromMilliseconds(50),
                    MaxDelay = TimeSpan.FromSeconds(1),
                    StallTimeout = TimeSpan.FromSeconds(1),
                    HeaderTimeout = TimeSpan.FromSeconds(5),
                    Seed = seedValue,
                };

                // forge
                var (plan, injected) = Plan(bodies, seedValue);
                await using (var server = LibraryServer.Start(plan))
                {
                    var requests = Map(server, bodies, Path.Combine(dir, "forge"));
                    using var downloader = new Downloader(options);
                    var clock = Stopwatch.StartNew();
                    var results = await downloader.DownloadAllAsync(requests).ConfigureAwait(false);
                    var seconds = clock.Elapsed.TotalSeconds;
                    var verified = results.Count(r => r.Status == DownloadStatus.Complete && Verified(r.Request.TargetPath, bodies));
                    var wrong = results.Count(r => r.Status == DownloadStatus.Complete && !Verified(r.Request.TargetPath, bodies));
                    var failed = results.Where(r => r.Status == DownloadStatus.Failed).ToList();
                    var payload = bodies.Values.Sum(b => (long)b.Length);
                    Console.WriteLine($"fault plan (seed {seedValue}): {requests.Count} files, {payload / 1e6:0.0} MB; faults queued: {string.Join(", ", injected.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} x{kv.Value}"))}");
                    Console.WriteLine();
                    Console.WriteLine("| client | complete and SHA-256 verified | complete but wrong | reported failed | retries | requests | seconds |");
                    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
                    Console.WriteLine($"| forge fetch (Downloader) | {verified} | {wrong} | {failed.Count} | {results.Sum(r => r.Retries)} | {server.Requests.Count} | {seconds:0.00} |");
                    var forgeFailures = failed.Select(f => $"  forge failed {Path.GetFileName(f.Request.TargetPath)}: {f.Reason}").ToList();

                    // Re-run: complete files are skipped, nothing is requested.
                    var before = server.Requests.Count;
                    var rerun = await downloader.DownloadAllAsync(requests).ConfigureAwait(false);
                    var rerunRequests = server.Requests.Count - before;

                    // Reference: curl on the same plan.
                    if (BenchSupport.HasTool("curl"))
                    {
                        var (plan2, _) = Plan(bodies, seedValue);
                        await using var server2 = LibraryServer.Start(plan2);
                        var curlRequests = Map(server2, bodies, Path.Combine(dir, "curl"));
                        var curlClock = Stopwatch.StartNew();
                        var codes = new int[curlRequests.Count];
                        await Parallel.ForEachAsync(Enumerable.Range(0, curlRequests.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, (i, _) =>
                        {
                            var r = curlRequests[i];
                            codes[i] = BenchSupport.RunTool("curl", "-s", "-S", "-f", "--retry", "6", "--retry-all-errors", "--retry-delay", "0", "--speed-limit", "1", "--speed-time", "1",
                                "-C", "-", "-o", r.TargetPath, r.Url).Code;
                            return ValueTask.CompletedTask;
                        }).ConfigureAwait(false);
                        var curlSeconds = curlClock.Elapsed.TotalSeconds;
                        var curlVerified = curlRequests.Count(r => File.Exists(r.TargetPath) && Verified(r.TargetPath, bodies));
                        var curlFailed = codes.Count(c => c != 0);
                        var curlWrong = curlRequests.Where((r, i) => codes[i] == 0 && !Verified(r.TargetPath, bodies)).Count();
                        Console.WriteLine($"| reference: curl --retry 6 --retry-all-errors -C - | {curlVerified} | {curlWrong} | {curlFailed} | n/a | {server2.Requests.Count} | {curlSeconds:0.00} |");
                    }

                    Console.WriteLine();
                    foreach (var line in forgeFailures)
                    {
                        Console.WriteLine(line);
                    }

                    Console.WriteLine($"re-run: {rerun.Count(r => r.Status == DownloadStatus.Skipped)} skipped as complete, {rerunRequests} request(s) (the failed ones, tried again)");
                    return wrong == 0 ? 0 : 1;
                }
            }
            finally
            {
                if (parse.GetValue(work) is null)
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        });
        return command;
    }

    /// <summary>Zip archives (one stored random entry each) of varied size; names song_00.zip...</summary>
    private static Dictionary<string, byte[]> MakeArchives(int count, double meanMb, int seed)
    {
        var random = new Random(seed);
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var size = (int)(meanMb * 1e6 * (0.5 + random.NextDouble()));
            var data = new byte[size];
            random.NextBytes(data);
            using var memory = new MemoryStream();
            using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var entry = zip.CreateEntry($"Song{i:00}/01_Track.wav", CompressionLevel.NoCompression).Open();
                entry.Write(data);
            }

            result[$"song_{i:00}.zip"] = memory.ToArray();
        }

        return result;
    }

    /// <summary>The seeded fault plan: most files get 0-3 transient faults; two never honour Range; one is broken for good.</summary>
    private static (FaultPlan Plan, Dictionary<string, int> Injected) Plan(Dictionary<string, byte[]> bodies, int seed)
    {
        var random = new Random(seed * 31 + 7);
        var plan = new FaultPlan();
        var injected = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = bodies.Keys.Order(StringComparer.Ordinal).ToList();
        void Count(string kind) => injected[kind] = injected.GetValueOrDefault(kind) + 1;
        for (var i = 0; i < names.Count; i++)
        {
            var path = "/" + names[i];
            var length = bodies[names[i]].Length;
            if (i == names.Count - 1)
            {
                plan.Always(path, Fault.Http(500));
                Count("always 500 (broken for good)");
                continue;
            }

            if (i % 8 == 3)
            {
                plan.WithoutRange(path);
                Count("no Range support");
            }

            var faults = new List<Fault>();
            for (var k = random.Next(0, 4); k > 0; k--)
            {
                var at = random.Next(1, length - 1);
                var fault = random.Next(8) switch
                {
                    0 => Fault.Http(500),
                    1 => Fault.Http(503),
                    2 => Fault.Drop(),
                    3 => Fault.CutShort(at),
                    4 => Fault.Stall(at, TimeSpan.FromSeconds(10)),
                    5 => Fault.WrongLength(+random.Next(1, 10_000)),
                    6 => Fault.WrongLength(-random.Next(100, 10_000)),
                    _ => Fault.IgnoreRange(),
                };
                faults.Add(fault);
                Count(fault.Kind switch
                {
                    FaultKind.Status => $"http {fault.Status}",
                    FaultKind.WrongContentLength => fault.LengthDelta > 0 ? "content-length too large" : "content-length too small",
                    FaultKind.CutShort => "cut short",
                    FaultKind.Stall => "stall",
                    FaultKind.IgnoreRange => "range ignored once",
                    _ => "connection dropped",
                });
            }

            plan.Then(path, [.. faults]);
        }

        return (plan, injected);
    }

    private static List<DownloadRequest> Map(LibraryServer server, Dictionary<string, byte[]> bodies, string dir)
    {
        Directory.CreateDirectory(dir);
        var requests = bodies.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new DownloadRequest(server.Map(kv.Key, ServedResource.FromBytes(kv.Value, "application/zip")), Path.Combine(dir, kv.Key), kv.Key))
            .ToList();
        requests.Add(new DownloadRequest(server.UrlOf("not_there.zip"), Path.Combine(dir, "not_there.zip"), "not_there.zip"));
        return requests;
    }

    private static bool Verified(string path, Dictionary<string, byte[]> bodies) =>
        File.Exists(path) && bodies.TryGetValue(Path.GetFileName(path), out var body)
        && Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) == Convert.ToHexStringLower(SHA256.HashData(body));
}
