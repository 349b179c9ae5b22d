using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DatasetForge.Hierarchy;
using DatasetForge.Ingest;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Labels;
using DatasetForge.Loudness;
using DatasetForge.Render;
using DatasetForge.Synth;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench render`: on a synthetic library (forge synth -> ingest -> label), the render throughput in multiples
/// of real time (song seconds per wall second) on 1 and 2 cores (child processes pinned with taskset, songs in
/// parallel = cores), with CPU time; then the loudness accuracy of the rendered stems re-measured from the files
/// with <see cref="LoudnessMeter.MeasureFile"/> (the code `forge loudness` runs): largest |delta| of loudness stems
/// from the target and of peak stems from the peak target, each after the song's recorded common gain.
/// There is no reference tool that renders hierarchical normalized stems, so no peer runs here.
/// </summary>
public sealed class RenderBench : IBenchCommand
{
    public Command Create()
    {
        var songs = new Option<int>("--songs") { DefaultValueFactory = _ => 6, Description = "songs in the synthetic library (forge synth)" };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 25, Description = "song length" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 2, Description = "runs per configuration (the best is reported)" };
        var work = new Option<string?>("--work") { Description = "scratch folder (default: a temp folder, deleted afterwards)" };
        var command = new Command("render", "Render throughput (x real time, 1 and 2 cores) and loudness accuracy of the rendered stems on a synthetic library.") { songs, seconds, seed, repeats, work };
        command.SetAction(parse =>
        {
            var dir = BenchSupport.Scratch(parse.GetValue(work), "render");
            try
            {
                var labels = Prepare(dir, parse.GetValue(songs), parse.GetValue(seconds), parse.GetValue(seed));
                var runs = Math.Max(1, parse.GetValue(repeats));
                var rows = new List<(int Cores, double Wall, double Cpu, double Audio)>();
                foreach (var cores in Enumerable.Range(1, Math.Min(2, Environment.ProcessorCount)))
                {
                    var cpus = BenchSupport.CpuList(cores);
                    var (code, output) = BenchSupport.RunSelfPinned(cpus, "render-worker", "--labels", labels, "--catalog", dir, "--out", Path.Combine(dir, $"ds{cores}"),
                        "--cores", cores.ToString(CultureInfo.InvariantCulture), "--repeats", runs.ToString(CultureInfo.InvariantCulture));
                    if (code != 0)
                    {
                        Console.Error.WriteLine(output);
                        return 1;
                    }

                    var best = output.Split('\n').Where(l => l.StartsWith("run ", StringComparison.Ordinal)).Select(Parse).MinBy(r => r.Wall);
                    rows.Add((cores, best.Wall, best.Cpu, best.Audio));
                }

                Console.WriteLine();
                Console.WriteLine($"| cores | songs | song minutes | wall s | CPU s | x real time (wall) | x real time per core (wall / cores) | x real time per CPU second |");
                Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
                foreach (var r in rows)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {r.Cores} | {parse.GetValue(songs)} | {r.Audio / 60:0.00} | {r.Wall:0.00} | {r.Cpu:0.00} | {r.Audio / r.Wall:0.0} | {r.Audio / r.Wall / r.Cores:0.0} | {r.Audio / r.Cpu:0.0} |"));
                }

                Accuracy(Path.Combine(dir, "ds1"));
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

    private static (double Wall, double Cpu, double Audio) Parse(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => f.Split('=')).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
        return (fields["wall"], fields["cpu"], fields["audio"]);
    }

    /// <summary>forge synth -> ingest -> label, as the demo does; returns the labels folder.</summary>
    private static string Prepare(string dir, int songs, double seconds, int seed)
    {
        var lib = Path.Combine(dir, "lib");
        var labels = Path.Combine(dir, "labels");
        if (File.Exists(Path.Combine(labels, LabelStage.LongFile)))
        {
            Console.WriteLine($"reusing the library in {dir}");
            return labels;
        }

        Console.WriteLine($"synthesizing {songs} songs of {seconds} s (seed {seed}), ingesting and labelling ...");
        SynthLibrary.GenerateAsync(lib, new SynthOptions(songs, seed, seconds)).GetAwaiter().GetResult();
        var engine = new IngestEngine(new CatalogLayout(dir), new IngestOptions { Concurrency = Environment.ProcessorCount });
        engine.IngestSourceAsync(Path.Combine(lib, "archives"), "folder").GetAwaiter().GetResult();
        var hierarchy = HierarchyDefinition.Load("ms21");
        LabelStage.Run(new LabelStageOptions(dir, labels), new TrackLabeler(LabelRuleSet.Load("ms21"), hierarchy), hierarchy);
        return labels;
    }

    /// <summary>Re-measures every rendered stem from its file and prints the largest deviations from the targets.</summary>
    private static void Accuracy(string datasetDir)
    {
        var songs = DatasetManifests.ReadAll(datasetDir).Songs;
        double worstLoudness = 0, worstPeak = 0;
        int loudness = 0, peak = 0, skipped = 0;
        string worstLoudnessStem = string.Empty, worstPeakStem = string.Empty;
        foreach (var song in songs)
        {
            foreach (var stem in song.AllStems.Where(s => s.Normalization != "none"))
            {
                if (stem.Status != "ok")
                {
                    skipped++;
                    continue;
                }

                var measured = LoudnessMeter.MeasureFile(Path.Combine(datasetDir, song.Folder, song.StemDir, stem.Filename), measureTruePeak: false);
                if (stem.Normalization == "loudness")
                {
                    loudness++;
                    var delta = Math.Abs(measured.IntegratedLufs - (song.Parameters.TargetLufs + song.MixGainDb));
                    if (delta >= worstLoudness)
                    {
                        (worstLoudness, worstLoudnessStem) = (delta, $"{song.SongId} L{stem.Level} {stem.Node}");
                    }
                }
                else
                {
                    peak++;
                    var delta = Math.Abs(measured.SamplePeakDbfs - (song.Parameters.PeakDbfs + song.MixGainDb));
                    if (delta >= worstPeak)
                    {
                        (worstPeak, worstPeakStem) = (delta, $"{song.SongId} L{stem.Level} {stem.Node}");
                    }
                }
            }
        }

        var gains = songs.Where(s => s.MixGainDb < 0).Select(s => s.MixGainDb).ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loudness accuracy ({songs.Count} songs, re-measured from the files; targets {songs.FirstOrDefault()?.Parameters.TargetLufs} LUFS / {songs.FirstOrDefault()?.Parameters.PeakDbfs} dBFS + each song's mix_gain_db):"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  loudness stems: {loudness}, largest |delta| {worstLoudness:0.0000} LU ({worstLoudnessStem})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  peak stems:     {peak}, largest |delta| {worstPeak:0.0000} dB ({worstPeakStem})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  silent / too short (not normalized): {skipped}; songs with a common gain: {gains.Count} (down to {(gains.Count > 0 ? gains.Min() : 0):0.00} dB)"));
    }
}

/// <summary>`forge bench render-worker`: one pinned configuration of `forge bench render` (run by it, in a child process).</summary>
public sealed class RenderBenchWorker : IBenchCommand
{
    public Command Create()
    {
        var labels = new Option<string>("--labels") { Required = true };
        var catalog = new Option<string>("--catalog") { Required = true };
        var output = new Option<string>("--out") { Required = true };
        var cores = new Option<int>("--cores") { DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 1 };
        var command = new Command("render-worker", "(internal) one pinned run of `forge bench render`") { labels, catalog, output, cores, repeats };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var stage = new RenderStageOptions(parse.GetValue(labels)!, parse.GetValue(catalog), HierarchyDefinition.Load("ms21"), new RenderOptions { Force = true }, parse.GetValue(output)!, parse.GetValue(cores));
            RenderStage.RunAsync(stage).GetAwaiter().GetResult(); // warm-up: JIT and file cache
            for (var i = 0; i < Math.Max(1, parse.GetValue(repeats)); i++)
            {
                using var self = Process.GetCurrentProcess();
                var cpu = self.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var summary = RenderStage.RunAsync(stage).GetAwaiter().GetResult();
                var wall = clock.Elapsed.TotalSeconds;
                self.Refresh();
                var used = (self.TotalProcessorTime - cpu).TotalSeconds;
                if (summary.Failed > 0 || summary.Rendered != summary.Songs)
                {
                    Console.Error.WriteLine($"{summary.Failed} song(s) failed");
                    return 1;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run wall={wall:0.0000} cpu={used:0.0000} audio={summary.AudioSeconds:0.000}"));
            }

            return 0;
        });
        return command;
    }
}
