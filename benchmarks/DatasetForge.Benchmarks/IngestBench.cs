using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DatasetForge.Ingest;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Import;
using DatasetForge.Ingest.Synthetic;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench ingest`: ingest throughput (archive MB/s extracted and probed, tracks/s) on a generated library, on 1
/// and 2 cores (a child process pinned with taskset, songs in parallel = cores), side by side with the reference
/// Info-ZIP `unzip` + `sox FILE -n stats` doing the same extract-and-measure work on one core.
/// </summary>
public sealed class IngestBench : IBenchCommand
{
    public Command Create()
    {
        var songs = new Option<int>("--songs") { DefaultValueFactory = _ => 16, Description = "songs in the synthetic library" };
        var tracks = new Option<int>("--tracks") { DefaultValueFactory = _ => 8, Description = "tracks per song" };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 20, Description = "length of each track" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 3, Description = "runs per configuration (the best is reported)" };
        var work = new Option<string?>("--work") { Description = "scratch folder (default: a temp folder, deleted afterwards)" };
        var command = new Command("ingest", "Ingest throughput on a synthetic library, 1 vs 2 cores, against unzip + sox.") { songs, tracks, seconds, seed, repeats, work };
        command.SetAction(parse =>
        {
            var dir = BenchSupport.Scratch(parse.GetValue(work), "ingest");
            var library = Path.Combine(dir, "library");
            var runs = Math.Max(1, parse.GetValue(repeats));
            try
            {
                var options = new SyntheticLibraryOptions { Songs = parse.GetValue(songs), TracksPerSong = parse.GetValue(tracks), Seconds = parse.GetValue(seconds), Seed = parse.GetValue(seed) };
                Console.WriteLine($"generating {options.Songs} songs x {options.TracksPerSong} tracks x {options.Seconds} s (24-bit, 44.1 kHz, seed {options.Seed}) ...");
                var projects = SyntheticLibrary.Write(library, options);
                var archiveBytes = projects.Sum(p => new FileInfo(p.ArchivePath).Length);
                var trackCount = projects.Sum(p => p.TrackFiles.Count);
                Console.WriteLine($"library: {projects.Count} archives, {archiveBytes / 1e6:0.0} MB, {trackCount} tracks; {runs} run(s) each, best reported; pinned with taskset: {BenchSupport.HasTool("taskset")}");
                var rows = new List<(string Name, double Seconds)>();
                foreach (var cores in Enumerable.Range(1, Math.Min(2, Environment.ProcessorCount)))
                {
                    var cpus = BenchSupport.CpuList(cores);
                    var (code, output) = BenchSupport.RunSelfPinned(cpus, "ingest-worker", "--library", library, "--out", Path.Combine(dir, "out"), "--cores", cores.ToString(CultureInfo.InvariantCulture), "--repeats", runs.ToString(CultureInfo.InvariantCulture));
                    if (code != 0)
                    {
                        Console.Error.WriteLine(output);
                        return 1;
                    }

                    var best = output.Split('\n').Where(l => l.StartsWith("seconds=", StringComparison.Ordinal)).Min(l => double.Parse(l[8..], CultureInfo.InvariantCulture));
                    rows.Add(($"forge ingest, {cores} core{(cores > 1 ? "s" : string.Empty)} (cpus {cpus})", best));
                }

                if (BenchSupport.HasTool("unzip") && BenchSupport.HasTool("sox"))
                {
                    var best = Enumerable.Range(0, runs).Min(_ => RunReference(dir, projects, BenchSupport.CpuList(1)));
                    rows.Add(("reference: unzip + sox -n stats, 1 core", best));
                }
                else
                {
                    Console.WriteLine("reference skipped: unzip or sox not on PATH");
                }

                Console.WriteLine();
                Console.WriteLine("| run | seconds | archive MB/s | tracks/s | speed vs forge 1 core |");
                Console.WriteLine("|---|---:|---:|---:|---:|");
                var baseline = rows[0].Seconds;
                foreach (var (name, s) in rows)
                {
                    Console.WriteLine($"| {name} | {s:0.00} | {archiveBytes / 1e6 / s:0.0} | {trackCount / s:0.0} | {baseline / s:0.00}x |");
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

    /// <summary>The same work with the standard tools: unzip each archive, then `sox FILE -n stats` (peak, DC, levels) on each WAV.</summary>
    private static double RunReference(string dir, IReadOnlyList<SyntheticProject> projects, string cpus)
    {
        var outDir = Path.Combine(dir, "out-reference");
        if (Directory.Exists(outDir))
        {
            Directory.Delete(outDir, recursive: true);
        }

        Directory.CreateDirectory(outDir);
        var clock = Stopwatch.StartNew();
        foreach (var p in projects)
        {
            var target = Path.Combine(outDir, Path.GetFileNameWithoutExtension(p.ArchivePath));
            var (code, output) = BenchSupport.RunPinned(cpus, "unzip", "-q", "-o", p.ArchivePath, "-d", target);
            if (code != 0)
            {
                throw new InvalidOperationException($"unzip failed: {output}");
            }

            foreach (var wav in Directory.EnumerateFiles(target, "*.wav", SearchOption.AllDirectories).Where(f => !f.Contains("__MACOSX", StringComparison.Ordinal)))
            {
                var (sc, so) = BenchSupport.RunPinned(cpus, "sox", wav, "-n", "stats");
                if (sc != 0)
                {
                    throw new InvalidOperationException($"sox failed on {wav}: {so}");
                }
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(outDir, recursive: true);
        return seconds;
    }
}

/// <summary>`forge bench ingest-worker`: one pinned configuration of `forge bench ingest` (run by it, in a child process).</summary>
public sealed class IngestBenchWorker : IBenchCommand
{
    public Command Create()
    {
        var library = new Option<string>("--library") { Required = true };
        var output = new Option<string>("--out") { Required = true };
        var cores = new Option<int>("--cores") { DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 1 };
        var command = new Command("ingest-worker", "(internal) one pinned run of `forge bench ingest`") { library, output, cores, repeats };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var sources = new FolderImporter().Scan(parse.GetValue(library)!).Songs;
            var outDir = parse.GetValue(output)!;
            var n = parse.GetValue(cores);
            Run(outDir, sources.Take(2).ToList(), n); // warm-up: JIT and file cache
            for (var i = 0; i < Math.Max(1, parse.GetValue(repeats)); i++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds={Run(outDir, sources, n):0.0000}"));
            }

            return 0;
        });
        return command;
    }

    private static double Run(string outDir, IReadOnlyList<SongSource> sources, int cores)
    {
        if (Directory.Exists(outDir))
        {
            Directory.Delete(outDir, recursive: true);
        }

        var engine = new IngestEngine(new CatalogLayout(outDir), new IngestOptions { Concurrency = cores, Force = true });
        var clock = Stopwatch.StartNew();
        var summary = engine.IngestAsync(sources).GetAwaiter().GetResult();
        var seconds = clock.Elapsed.TotalSeconds;
        if (summary.Catalog.Quarantined > 0 || summary.Catalog.SongsByStatus.GetValueOrDefault("ok") != sources.Count)
        {
            throw new InvalidOperationException($"benchmark library did not ingest cleanly: {summary.Catalog.Quarantined} quarantined");
        }

        Directory.Delete(outDir, recursive: true);
        return seconds;
    }
}
