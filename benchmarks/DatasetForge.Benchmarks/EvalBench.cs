using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Audio;
using DatasetForge.Evaluation;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench eval`: our BSS Eval v4 against museval's metrics.bss_eval on the three 6 s four-source oracle cases
/// (../shared/oracles/sdr), in the same run and on the same files, plus our time for a 3-minute stereo song of four
/// targets (the 'leaky' case tiled to the length). museval is run once per case (it takes ~35 s a case here); ours is
/// the median of several runs after a warm-up, since JIT compilation is not part of steady-state cost.
/// </summary>
internal sealed class EvalBench : IBenchCommand
{
    public Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print the result as JSON" };
        var runs = new Option<int>("--runs") { Description = "timed runs of ours per case (median reported)", DefaultValueFactory = _ => 5 };
        var noPeer = new Option<bool>("--no-peer") { Description = "skip museval (ours only; no speedup)" };
        var songSeconds = new Option<int>("--song-seconds") { Description = "length of the long-song timing (0 to skip)", DefaultValueFactory = _ => 180 };
        var peerSong = new Option<bool>("--peer-song") { Description = "also run museval on the long song (minutes)" };
        var threads = new Option<int>("--threads") { Description = "threads for ours (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var python = new Option<string>("--python") { Description = "Python with numpy, scipy, soundfile", DefaultValueFactory = _ => "/usr/bin/python3" };
        var command = new Command("eval", "BSS Eval v4 (SDR/ISR/SIR/SAR) vs museval metrics.bss_eval on the SDR oracle cases and a 3-minute song.")
        {
            json, runs, noPeer, songSeconds, peerSong, threads, python,
        };
        command.SetAction(parse => Run(
            parse.GetValue(json), parse.GetValue(runs), parse.GetValue(noPeer), parse.GetValue(songSeconds), parse.GetValue(peerSong),
            parse.GetValue(threads), parse.GetValue(python)!));
        return command;
    }

    private static int Run(bool asJson, int runs, bool noPeer, int songSeconds, bool peerSong, int threads, string python)
    {
        var shared = BenchSupport.SharedFolder();
        var oracleDir = Path.Combine(shared, "oracles", "sdr");
        var metricsPy = Path.Combine(shared, "peers", "museval", "metrics.py");
        var peerScript = Path.Combine(BenchSupport.RepoRoot(), "benchmarks", "DatasetForge.Benchmarks", "Peers", "museval_bss_eval.py");
        using var casesDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(oracleDir, "cases.json")));
        var options = new BssEvalOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        var loadBefore = LoadAverage();
        var caseResults = new JsonArray();
        double totalOurs = 0, totalPeer = 0, maxDiff = 0, totalCpu = 0, totalPeerCpu = 0;
        var log = asJson ? Console.Error : Console.Out;

        foreach (var @case in casesDoc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var id = @case.GetProperty("id").GetString()!;
            var folder = Path.Combine(oracleDir, @case.GetProperty("folder").GetString()!);
            var sources = @case.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).ToArray();
            var rate = @case.GetProperty("sample_rate").GetInt32();
            var caseOptions = options with { Window = rate, Hop = rate };
            var refs = sources.Select(s => AudioFile.ReadAll(Path.Combine(folder, $"ref_{s}.wav"))).ToArray();
            var ests = sources.Select(s => AudioFile.ReadAll(Path.Combine(folder, $"est_{s}.wav"))).ToArray();

            var (seconds, cpuSeconds, result) = TimeOurs(refs, ests, caseOptions, runs);
            totalOurs += seconds;
            totalCpu += cpuSeconds;
            var entry = new JsonObject { ["id"] = id, ["seconds"] = seconds, ["cpu_seconds"] = cpuSeconds, ["frames"] = result.Frames, ["sources"] = sources.Length };
            if (!noPeer)
            {
                log.WriteLine($"{id}: ours {seconds:F3} s; running museval (about half a minute)...");
                var peer = RunPeer(python, peerScript, metricsPy, folder, sources, rate, rate);
                var peerSeconds = peer["seconds"]!.GetValue<double>();
                var peerCpu = peer["cpu_seconds"]!.GetValue<double>();
                var diff = MaxAbsDiff(result, peer);
                totalPeer += peerSeconds;
                totalPeerCpu += peerCpu;
                entry["peer_cpu_seconds"] = peerCpu;
                maxDiff = Math.Max(maxDiff, diff);
                entry["peer_seconds"] = peerSeconds;
                entry["speedup"] = peerSeconds / seconds;
                entry["max_abs_diff_db"] = diff;
                log.WriteLine($"{id}: museval {peerSeconds:F2} s, speedup {peerSeconds / seconds:F0}x, max |diff| {diff:E2} dB");
            }

            caseResults.Add(entry);
        }

        var report = new JsonObject
        {
            ["benchmark"] = "eval",
            ["what"] = "BSS Eval v4 framewise SDR/ISR/SIR/SAR, 1 s window and hop, 512-tap filters, on the three 6 s four-source stereo oracle cases; ours vs museval metrics.bss_eval in one run",
            ["seconds"] = totalOurs,
            ["cpu_seconds"] = totalCpu,
            ["cases"] = caseResults,
            ["threads"] = threads,
            ["runs_per_case"] = runs,
            ["processors"] = Environment.ProcessorCount,
            ["load_average_before"] = loadBefore,
        };
        if (!noPeer)
        {
            report["peer"] = "museval metrics.bss_eval (../shared/peers/museval/metrics.py), NumPy/SciPy, one run per case";
            report["peer_seconds"] = totalPeer;
            report["speedup"] = totalPeer / totalOurs;
            report["peer_cpu_seconds"] = totalPeerCpu;
            report["cpu_speedup"] = totalPeerCpu / totalCpu;
            report["max_abs_diff_db"] = maxDiff;
        }

        if (songSeconds > 0)
        {
            report["song"] = TimeSong(oracleDir, songSeconds, options, runs: Math.Max(1, Math.Min(runs, 3)), peerSong, python, peerScript, metricsPy, log);
        }

        report["load_average_after"] = LoadAverage();
        if (asJson)
        {
            Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        }
        else
        {
            Console.WriteLine();
            Console.WriteLine($"{"case",-10} {"ours s",10} {"ours cpu s",11} {"museval s",10} {"museval cpu",12} {"speedup",9} {"max|diff| dB",13}");
            foreach (var c in caseResults)
            {
                var entry = c!.AsObject();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{entry["id"]!.GetValue<string>(),-10} {entry["seconds"]!.GetValue<double>(),10:F3} {entry["cpu_seconds"]!.GetValue<double>(),11:F3} {Fmt(entry, "peer_seconds", "F2"),10} {Fmt(entry, "peer_cpu_seconds", "F2"),12} {Fmt(entry, "speedup", "F0"),9} {Fmt(entry, "max_abs_diff_db", "E2"),13}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"total",-10} {totalOurs,10:F3} {totalCpu,11:F3} {Fmt(report, "peer_seconds", "F2"),10} {Fmt(report, "peer_cpu_seconds", "F2"),12} {Fmt(report, "speedup", "F0"),9} {Fmt(report, "max_abs_diff_db", "E2"),13}"));
            if (report["song"] is JsonObject song)
            {
                Console.WriteLine($"3-minute song ({song["seconds_of_audio"]} s, {song["sources"]} stereo targets): ours {song["seconds"]!.GetValue<double>():F3} s (cpu {song["cpu_seconds"]!.GetValue<double>():F3} s)"
                    + (song["peer_seconds"] is null ? string.Empty : $", museval {song["peer_seconds"]!.GetValue<double>():F1} s"));
            }

            if (report["cpu_speedup"] is JsonNode cpuSpeedup)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CPU time: ours {totalCpu:F3} s, museval {totalPeerCpu:F1} s, ratio {cpuSpeedup.GetValue<double>():F0}x"));
            }

            Console.WriteLine($"threads {threads}, load average before {loadBefore}, after {report["load_average_after"]}");
        }

        return 0;
    }

    private static string Fmt(JsonObject o, string key, string format) =>
        o[key] is JsonNode n ? n.GetValue<double>().ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>Median wall seconds and median process CPU seconds over the timed runs.</summary>
    private static (double Seconds, double CpuSeconds, BssEvalResult Result) TimeOurs(AudioBuffer[] refs, AudioBuffer[] ests, BssEvalOptions options, int runs)
    {
        var result = BssEval.Evaluate(refs, ests, options); // warm-up (JIT)
        var times = new List<double>();
        var cpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < Math.Max(1, runs); i++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            result = BssEval.Evaluate(refs, ests, options);
            times.Add(sw.Elapsed.TotalSeconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpu0).TotalSeconds);
        }

        times.Sort();
        cpu.Sort();
        return (times[times.Count / 2], cpu[cpu.Count / 2], result);
    }

    private static JsonObject TimeSong(string oracleDir, int seconds, BssEvalOptions options, int runs, bool peer, string python, string peerScript, string metricsPy, TextWriter log)
    {
        var sources = new[] { "vocals", "bass", "drums", "other" };
        var folder = Path.Combine(oracleDir, "leaky");
        AudioBuffer Tile(string path)
        {
            var b = AudioFile.ReadAll(path);
            var frames = seconds * b.SampleRate;
            var channels = b.Channels.Select(c =>
            {
                var tiled = new float[frames];
                for (var i = 0; i < frames; i += c.Length)
                {
                    c.AsSpan(0, Math.Min(c.Length, frames - i)).CopyTo(tiled.AsSpan(i));
                }

                return tiled;
            }).ToArray();
            return new AudioBuffer(b.SampleRate, channels);
        }

        var refs = sources.Select(s => Tile(Path.Combine(folder, $"ref_{s}.wav"))).ToArray();
        var ests = sources.Select(s => Tile(Path.Combine(folder, $"est_{s}.wav"))).ToArray();
        var rate = refs[0].SampleRate;
        log.WriteLine($"song: {seconds} s x {sources.Length} stereo targets, timing ours ({runs} runs)...");
        var (ours, oursCpu, result) = TimeOurs(refs, ests, options with { Window = rate, Hop = rate }, runs);
        var entry = new JsonObject
        {
            ["what"] = "the 'leaky' oracle case tiled to the length, 4 stereo targets, 1 s frames",
            ["seconds_of_audio"] = seconds,
            ["sources"] = sources.Length,
            ["frames"] = result.Frames,
            ["seconds"] = ours,
            ["cpu_seconds"] = oursCpu,
        };
        if (peer)
        {
            var dir = Path.Combine(Path.GetTempPath(), "forge-bench-song-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            try
            {
                for (var j = 0; j < sources.Length; j++)
                {
                    WavFile.Write(Path.Combine(dir, $"ref_{sources[j]}.wav"), refs[j], SampleEncoding.Pcm16);
                    WavFile.Write(Path.Combine(dir, $"est_{sources[j]}.wav"), ests[j], SampleEncoding.Pcm16);
                }

                log.WriteLine("song: running museval (several minutes)...");
                var p = RunPeer(python, peerScript, metricsPy, dir, sources, rate, rate);
                entry["peer_seconds"] = p["seconds"]!.GetValue<double>();
                entry["speedup"] = p["seconds"]!.GetValue<double>() / ours;
                entry["max_abs_diff_db"] = MaxAbsDiff(result, p);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        return entry;
    }

    private static JsonObject RunPeer(string python, string script, string metricsPy, string folder, string[] sources, int window, int hop)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, metricsPy, folder, string.Join(',', sources), window.ToString(CultureInfo.InvariantCulture), hop.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {python}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"museval peer failed ({python} {script}): {stderr.Result}");
        }

        return JsonNode.Parse(stdout)!.AsObject();
    }

    /// <summary>Largest |ours - museval| over every framewise value; a NaN/inf on one side only counts as infinite.</summary>
    private static double MaxAbsDiff(BssEvalResult ours, JsonObject peer)
    {
        var max = 0.0;
        foreach (var (key, table) in new[] { ("sdr", ours.Sdr), ("isr", ours.Isr), ("sir", ours.Sir), ("sar", ours.Sar) })
        {
            var rows = peer[key]!.AsArray();
            for (var j = 0; j < table.Length; j++)
            {
                var row = rows[j]!.AsArray();
                if (row.Count != table[j].Length)
                {
                    return double.PositiveInfinity;
                }

                for (var t = 0; t < row.Count; t++)
                {
                    var mine = table[j][t];
                    var theirs = row[t]?.GetValue<double>();
                    if (theirs is null || !double.IsFinite(mine))
                    {
                        if (theirs is not null || double.IsFinite(mine))
                        {
                            return double.PositiveInfinity;
                        }

                        continue;
                    }

                    max = Math.Max(max, Math.Abs(mine - theirs.Value));
                }
            }
        }

        return max;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
