using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Audio;
using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench mix`: mixtures per second of the `bsrnn` recipe (4 stems, 3 s chunks of salient segments, 44.1 kHz
/// stereo, batch 8) from our mix stream and from a PyTorch DataLoader doing the same recipe
/// (benchmarks/peers/mix_dataloader.py: soundfile range reads, numpy mixing, collated batches), with 1 and 2
/// workers, side by side in one run. Each contender runs as its own process under `taskset` on as many cores as
/// workers (1 worker: one core for everything, consumer included), and is timed in steady state: from its first
/// batch (start-up, JIT and worker spawning excluded) over a fixed number of batches. Wall-clock mixtures per second
/// and mixtures per CPU-second (process and workers) are both reported; rounds alternate the contenders and the
/// best round counts, since the machine is shared.
/// </summary>
public sealed class MixBench : IBenchCommand
{
    private const int BatchSize = 8;

    public Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print one JSON array (one object per worker count)" };
        var rounds = new Option<int>("--rounds") { Description = "timed rounds per contender (after a warm-up round)", DefaultValueFactory = _ => 3 };
        var batches = new Option<int>("--batches") { Description = "timed batches per run of our stream", DefaultValueFactory = _ => 60 };
        var peerBatches = new Option<int>("--peer-batches") { Description = "timed batches per run of the PyTorch peer", DefaultValueFactory = _ => 20 };
        var songs = new Option<int>("--songs") { Description = "songs in the generated dataset", DefaultValueFactory = _ => 12 };
        var seconds = new Option<double>("--seconds") { Description = "song length", DefaultValueFactory = _ => 30 };
        var encoding = new Option<string>("--encoding") { Description = "stem encoding: float32, pcm16 or pcm24", DefaultValueFactory = _ => "float32" };
        var noPeer = new Option<bool>("--no-peer") { Description = "only our stream" };
        var child = new Option<string?>("--child") { Description = "(internal) run one timed measurement of our stream on DATASET and print JSON", Hidden = true };
        var workers = new Option<int>("--workers") { Description = "(with --child) stream workers", DefaultValueFactory = _ => 1, Hidden = true };
        var command = new Command("mix", "Mix stream throughput, bsrnn recipe (4 stems, 3 s, 44.1 kHz stereo, batch 8), 1 and 2 workers, vs a PyTorch DataLoader.")
        {
            json, rounds, batches, peerBatches, songs, seconds, encoding, noPeer, child, workers,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(child) is { } dataset)
            {
                Console.WriteLine(MeasureOurs(dataset, parse.GetValue(workers), parse.GetValue(batches)).ToJsonString());
                return 0;
            }

            return Run(parse.GetValue(json), parse.GetValue(rounds), parse.GetValue(batches), parse.GetValue(peerBatches), parse.GetValue(songs),
                parse.GetValue(seconds), parse.GetValue(encoding)!, parse.GetValue(noPeer));
        });
        return command;
    }

    private static int Run(bool json, int rounds, int batches, int peerBatches, int songs, double seconds, string encodingName, bool noPeer)
    {
        var encoding = encodingName switch
        {
            "float32" => SampleEncoding.Float32,
            "pcm16" => SampleEncoding.Pcm16,
            "pcm24" => SampleEncoding.Pcm24,
            _ => throw new ArgumentException($"--encoding {encodingName}: expected float32, pcm16 or pcm24"),
        };
        var dataset = EnsureDataset(songs, seconds, encoding);
        var errors = new List<string>();
        var peer = noPeer ? null : PeerScript(errors);
        var cores = Environment.ProcessorCount;
        var workerCounts = new[] { 1, 2 }.Where(w => w <= cores).ToArray();
        var ours = workerCounts.ToDictionary(w => w, _ => new List<JsonObject>());
        var peers = workerCounts.ToDictionary(w => w, _ => new List<JsonObject>());
        for (var round = -1; round < rounds; round++)
        {
            foreach (var w in workerCounts)
            {
                var cpuList = string.Join(',', Enumerable.Range(cores - w, w));
                var self = Environment.ProcessPath!;
                List<string> ourArgs = self.EndsWith("dotnet", StringComparison.Ordinal) ? [self, typeof(MixBench).Assembly.Location] : [self];
                var result = RunJson("taskset", ["-c", cpuList, .. ourArgs, "mix", "--child", dataset, "--workers", w.ToString(CultureInfo.InvariantCulture),
                    "--batches", batches.ToString(CultureInfo.InvariantCulture)], errors);
                if (round >= 0 && result is not null)
                {
                    ours[w].Add(result);
                }

                if (peer is not null)
                {
                    var peerResult = RunJson("taskset", ["-c", cpuList, "/usr/bin/python3", peer, "--dataset", dataset, "--workers", w.ToString(CultureInfo.InvariantCulture),
                        "--batch", BatchSize.ToString(CultureInfo.InvariantCulture), "--batches", peerBatches.ToString(CultureInfo.InvariantCulture)], errors);
                    if (round >= 0 && peerResult is not null)
                    {
                        peers[w].Add(peerResult);
                    }
                }
            }
        }

        var rows = new List<JsonObject>();
        foreach (var w in workerCounts)
        {
            var o = Best(ours[w]);
            var p = Best(peers[w]);
            var row = new JsonObject
            {
                ["benchmark"] = "mix",
                ["recipe"] = "bsrnn",
                ["workers"] = w,
                ["cores"] = w,
                ["batch"] = BatchSize,
                ["stems"] = 4,
                ["chunk_seconds"] = 3.0,
                ["sample_rate"] = 44100,
                ["channels"] = 2,
                ["encoding"] = encodingName,
                ["mixes_per_s"] = Round(o?.Wall),
                ["mixes_per_cpu_s"] = Round(o?.Cpu),
                ["mixes_per_s_median"] = Round(Median(ours[w].Select(r => (double)r["mixes_per_s"]!))),
                ["peer"] = p is null ? null : peers[w][0]["peer"]!.GetValue<string>(),
                ["peer_mixes_per_s"] = Round(p?.Wall),
                ["peer_mixes_per_cpu_s"] = Round(p?.Cpu),
                ["ratio"] = o is null || p is null ? null : Math.Round(o.Value.Wall / p.Value.Wall, 2),
                ["ratio_cpu"] = o is null || p is null ? null : Math.Round(o.Value.Cpu / p.Value.Cpu, 2),
                ["rounds"] = rounds,
            };
            rows.Add(row);
        }

        if (json)
        {
            BenchSupport.PrintJson(new JsonArray([.. rows]));
        }
        else
        {
            BenchSupport.Print($"mix stream, bsrnn recipe: 4 stems x 3 s, 44.1 kHz stereo {encodingName}, batch {BatchSize} ({songs} songs x {seconds:0} s; best of {rounds} rounds)",
                ["workers (= cores)", "ours mixes/s", "ours mixes/CPU-s", "PyTorch DataLoader mixes/s", "peer mixes/CPU-s", "ratio (wall)", "ratio (CPU)"],
                rows.Select(r => (IReadOnlyList<string>)[Str(r["workers"]), Str(r["mixes_per_s"]), Str(r["mixes_per_cpu_s"]), Str(r["peer_mixes_per_s"]),
                    Str(r["peer_mixes_per_cpu_s"]), Str(r["ratio"]), Str(r["ratio_cpu"])]));
            if (rows.FirstOrDefault()?["peer"] is { } name)
            {
                Console.WriteLine($"peer: {name} (benchmarks/peers/mix_dataloader.py)");
            }
        }

        foreach (var e in errors.Distinct())
        {
            Console.Error.WriteLine($"error: {e}");
        }

        return errors.Count == 0 ? 0 : 1;
    }

    /// <summary>One steady-state measurement of our stream (runs in the child process, under taskset).</summary>
    private static JsonObject MeasureOurs(string dataset, int workers, int batches)
    {
        var planner = new MixPlanner(MixDataset.Load(dataset), MixRecipe.Load("bsrnn"), seed: 0);
        using var stream = new MixStream(planner, new MixStreamOptions { BatchSize = BatchSize, Workers = workers, Batches = batches + 1 });
        var mixtures = 0;
        double wall0 = 0, cpu0 = 0;
        var clock = Stopwatch.StartNew();
        var enumerator = stream.ReadAllAsync().GetAsyncEnumerator();
        try
        {
            var first = true;
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                using var batch = enumerator.Current;
                if (first)
                {
                    first = false;
                    wall0 = clock.Elapsed.TotalSeconds;
                    cpu0 = ProcessCpu.Seconds();
                    continue;
                }

                mixtures += batch.BatchSize;
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        var wall = clock.Elapsed.TotalSeconds - wall0;
        var cpu = ProcessCpu.Seconds() - cpu0;
        return new JsonObject
        {
            ["workers"] = workers,
            ["mixtures"] = mixtures,
            ["wall_s"] = wall,
            ["cpu_s"] = cpu,
            ["mixes_per_s"] = mixtures / wall,
            ["opens"] = stream.Handles.Opens,
        };
    }

    private static string EnsureDataset(int songs, double seconds, SampleEncoding encoding)
    {
        var dir = Path.Combine(BenchSupport.DataFolder(), $"mix-dataset-{songs}x{seconds:0}s-{encoding.ToString().ToLowerInvariant()}");
        var done = Path.Combine(dir, ".complete");
        if (File.Exists(done))
        {
            return dir;
        }

        Console.Error.WriteLine($"bench mix: generating {songs} songs x {seconds:0} s (44.1 kHz stereo, {encoding}) in {dir}...");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        new DatasetBuilder(dir) { SampleRate = 44100, Channels = 2, Seconds = seconds, Encoding = encoding, Levels = [2] }.Songs(songs, ["train"]).Build();
        File.WriteAllText(done, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        return dir;
    }

    /// <summary>The peer script, after making sure Debian's python3-torch, python3-soundfile and python3-psutil are installed (scripts/ensure-bench-deps.sh).</summary>
    private static string? PeerScript(List<string> errors)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "peers");
        var script = Path.Combine(folder, "mix_dataloader.py");
        var check = BenchSupport.Run("/usr/bin/python3", ["-c", "import torch, soundfile, psutil"]);
        if (check.ExitCode != 0)
        {
            Console.Error.WriteLine("bench mix: installing the PyTorch peer's packages (scripts/ensure-bench-deps.sh)...");
            var install = BenchSupport.Run("bash", [Path.Combine(BenchSupport.RepoRoot(), "scripts", "ensure-bench-deps.sh")]);
            if (install.ExitCode != 0)
            {
                errors.Add($"PyTorch peer unavailable: {install.Stderr.Trim()}");
                return null;
            }
        }

        return script;
    }

    private static JsonObject? RunJson(string program, IEnumerable<string> arguments, List<string> errors)
    {
        try
        {
            var (code, stdout, stderr) = BenchSupport.Run(program, arguments);
            var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (code != 0 || line is null)
            {
                errors.Add($"{string.Join(' ', arguments.Take(4))}...: exit {code}: {stderr.Trim().Split('\n').LastOrDefault()}");
                return null;
            }

            return JsonNode.Parse(line)!.AsObject();
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            errors.Add(e.Message);
            return null;
        }
    }

    private static (double Wall, double Cpu)? Best(List<JsonObject> runs)
    {
        if (runs.Count == 0)
        {
            return null;
        }

        var wall = runs.Max(r => (double)r["mixes_per_s"]!);
        var cpu = runs.Max(r => (double)r["mixtures"]! / Math.Max((double)r["cpu_s"]!, 1e-9));
        return (wall, cpu);
    }

    private static double? Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length == 0 ? null : s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    private static double? Round(double? x) => x is { } v && double.IsFinite(v) ? Math.Round(v, 1) : null;

    private static string Str(JsonNode? node) => node?.ToJsonString() ?? "-";
}
