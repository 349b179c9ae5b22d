using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DatasetForge.Pipeline;
using DatasetForge.Synth;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench pipeline`: end-to-end throughput of `forge run` on a synthetic library (forge synth, generated once,
/// then ingested from its folder of archives: extract, probe, label, render, analyze, gather, split, stats, report),
/// on 1 and 2 cores (child processes pinned with taskset, every stage's parallelism = cores). Reports songs per
/// minute and multiples of real time (seconds of rendered mixtures per second), wall and CPU, and a per-stage
/// breakdown (busy wall time summed over songs, and thread CPU time). Each configuration runs once to warm up (JIT,
/// page cache), then from scratch `--repeats` times; the best wall time is reported. No reference tool runs the
/// same pipeline, so no peer runs here.
/// </summary>
public sealed class PipelineBench : IBenchCommand
{
    public Command Create()
    {
        var songs = new Option<int>("--songs") { DefaultValueFactory = _ => 8, Description = "songs in the synthetic library (one archive of them is broken on purpose)" };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 20, Description = "song length" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 2, Description = "timed runs per configuration (the best is reported)" };
        var work = new Option<string?>("--work") { Description = "scratch folder (default: a temp folder, deleted afterwards)" };
        var json = new Option<bool>("--json") { Description = "print the measurements as JSON too" };
        var command = new Command("pipeline", "End-to-end pipeline throughput (songs/min, x real time, per-stage breakdown) on a synthetic library, 1 and 2 cores.")
        {
            songs, seconds, seed, repeats, work, json,
        };
        command.SetAction(parse =>
        {
            var dir = BenchSupport.Scratch(parse.GetValue(work), "pipeline");
            try
            {
                var lib = Path.Combine(dir, "lib");
                if (!File.Exists(Path.Combine(lib, "library.csv")))
                {
                    Console.WriteLine($"synthesizing {parse.GetValue(songs)} songs of {parse.GetValue(seconds)} s (seed {parse.GetValue(seed)}) ...");
                    SynthLibrary.GenerateAsync(lib, new SynthOptions(parse.GetValue(songs), parse.GetValue(seed), parse.GetValue(seconds))).GetAwaiter().GetResult();
                }

                var runs = new List<WorkerRun>();
                foreach (var cores in Enumerable.Range(1, Math.Min(2, Environment.ProcessorCount)))
                {
                    var (code, output) = BenchSupport.RunSelfPinned(BenchSupport.CpuList(cores), "pipeline-worker", "--archives", Path.Combine(lib, "archives"),
                        "--out", Path.Combine(dir, $"out{cores}"), "--cores", cores.ToString(CultureInfo.InvariantCulture),
                        "--repeats", Math.Max(1, parse.GetValue(repeats)).ToString(CultureInfo.InvariantCulture));
                    if (code != 0)
                    {
                        Console.Error.WriteLine(output);
                        return 1;
                    }

                    var best = output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonSerializer.Deserialize<WorkerRun>(l)!).MinBy(r => r.Wall)!;
                    runs.Add(best);
                }

                Print(runs);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(runs, new JsonSerializerOptions { WriteIndented = true }));
                }

                return 0;
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

    private static void Print(List<WorkerRun> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("| cores | songs in dataset | song minutes | wall s | CPU s | songs/min | x real time (wall) | x real time per CPU second | peak RSS MB |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            Console.WriteLine(string.Create(inv,
                $"| {r.Cores} | {r.Songs} of {r.SourceSongs} | {r.SongSeconds / 60:0.00} | {r.Wall:0.00} | {r.Cpu:0.00} | {r.Songs / r.Wall * 60:0.0} | {r.SongSeconds / r.Wall:0.0} | {r.SongSeconds / r.Cpu:0.0} | {r.PeakRssMb:0} |"));
        }

        if (runs.Count == 2)
        {
            Console.WriteLine(string.Create(inv, $"2 cores vs 1: {runs[0].Wall / runs[1].Wall:0.00}x faster (wall)"));
        }

        foreach (var r in runs)
        {
            Console.WriteLine();
            Console.WriteLine($"per stage, {r.Cores} core(s) (busy = wall time summed over songs; stages overlap, so busy time adds up to more than the run):");
            Console.WriteLine("| stage | songs done | busy s | CPU s | share of stage CPU |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            var total = r.Stages.Sum(s => s.Cpu);
            foreach (var s in r.Stages)
            {
                Console.WriteLine(string.Create(inv, $"| {s.Stage} | {s.Done} | {s.Busy:0.00} | {s.Cpu:0.00} | {100 * s.Cpu / Math.Max(total, 1e-9):0.0}% |"));
            }

            Console.WriteLine(string.Create(inv, $"| (process: GC, runtime, threads, I/O waits not charged to a stage) | | | {r.Cpu - total:0.00} | |"));
        }
    }

    /// <summary>One timed run as the worker prints it (a JSON line).</summary>
    public sealed record WorkerRun(int Cores, int SourceSongs, int Songs, double SongSeconds, double Wall, double Cpu, IReadOnlyList<StageRun> Stages, double PeakRssMb);

    public sealed record StageRun(string Stage, int Done, double Busy, double Cpu);
}

/// <summary>`forge bench pipeline-worker`: one pinned configuration of `forge bench pipeline` (run by it, in a child process).</summary>
public sealed class PipelineBenchWorker : IBenchCommand
{
    public Command Create()
    {
        var archives = new Option<string>("--archives") { Required = true };
        var output = new Option<string>("--out") { Required = true };
        var cores = new Option<int>("--cores") { DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 1 };
        var command = new Command("pipeline-worker", "(internal) one pinned run of `forge bench pipeline`") { archives, output, cores, repeats };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var n = parse.GetValue(cores).ToString(CultureInfo.InvariantCulture);
            var definition = PipelineDefinition.Parse(
                $"name: bench\nsource: {{ kind: folder, path: '{parse.GetValue(archives)}' }}\nparallelism: {{ ingest: {n}, label: 1, render: {n}, analyze: {n}, queue: 2 }}\n",
                "bench-pipeline.yaml");
            var outDir = parse.GetValue(output)!;
            for (var i = -1; i < Math.Max(1, parse.GetValue(repeats)); i++)
            {
                if (Directory.Exists(outDir))
                {
                    Directory.Delete(outDir, recursive: true);
                }

                using var self = Process.GetCurrentProcess();
                var cpu = self.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var summary = new PipelineRunner(definition, outDir).RunAsync().GetAwaiter().GetResult();
                var wall = clock.Elapsed.TotalSeconds;
                self.Refresh();
                var used = (self.TotalProcessorTime - cpu).TotalSeconds;
                if (i < 0)
                {
                    continue; // warm-up
                }

                // Peak resident memory of the whole process so far (warm-up included): with bounded queues it should not
                // grow with the library's size, which `--songs` lets one check.
                var run = new PipelineBench.WorkerRun(parse.GetValue(cores), summary.Songs, summary.SongsInDataset, summary.SongSeconds, wall, used,
                    summary.Stages.Select(s => new PipelineBench.StageRun(s.Stage, s.Done, s.BusySeconds, s.CpuSeconds)).ToList(), self.PeakWorkingSet64 / 1048576.0);
                Console.WriteLine(JsonSerializer.Serialize(run));
            }

            return 0;
        });
        return command;
    }
}
