using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Analysis;
using DatasetForge.Analysis.Activity;
using DatasetForge.Analysis.Bleed;
using DatasetForge.Analysis.Report;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Synth;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench analysis`: the analysis stage on a demo-sized synthetic library (`forge synth --songs 6`, made into a
/// catalog with its ground-truth labels), one core: BSRNN SAD (side by side with a numpy implementation of the same
/// reading, whose decisions must agree), MixIT, bleed detection, vocal quality, the whole stage, and the time to
/// build the audit report; plus how the song-level verdicts compare with the library's truth.
/// </summary>
public sealed class AnalysisBench : IBenchCommand
{
    public Command Create()
    {
        var songs = new Option<int>("--songs") { Description = "songs in the synthetic library", DefaultValueFactory = _ => 6 };
        var seed = new Option<int>("--seed") { Description = "library seed", DefaultValueFactory = _ => 1 };
        var seconds = new Option<double>("--seconds") { Description = "song length", DefaultValueFactory = _ => SynthOptions.DefaultSeconds };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("analysis", "Analysis stage speed on one core (SAD vs numpy, MixIT, bleed, vocal quality, whole stage) and report build time, on a synthetic demo library.")
        {
            songs, seed, seconds, json,
        };
        command.SetAction(parse => Run(parse.GetValue(songs), parse.GetValue(seed), parse.GetValue(seconds), parse.GetValue(json)));
        return command;
    }

    private static int Run(int songs, int seed, double seconds, bool json)
    {
        var core = BenchSupport.PinToOneCore();
        var root = Path.Combine(BenchSupport.DataFolder(), string.Create(CultureInfo.InvariantCulture, $"analysis-synth-{seed}-{songs}-{seconds}"));
        var catalog = PrepareCatalog(root, songs, seed, seconds);
        var input = AnalysisInput.Open(catalog);
        var options = AnalysisOptions.Default;
        var tracks = input.Songs.SelectMany(s => s.Tracks).ToList();

        // Per-part timings on one core, audio read beforehand (not timed).
        double sad = 0, mixit = 0, vocal = 0, bleedPrep = 0, bleed = 0, audioSeconds = 0, vocalSeconds = 0;
        var ours = new List<bool[]>();
        var calibration = BleedCalibration.Load(options.Bleed.Calibration);
        foreach (var song in input.Songs)
        {
            var inputs = new List<BleedTrackInput>();
            foreach (var track in song.Tracks)
            {
                var audio = AudioFile.ReadAll(track.Path);
                audioSeconds += audio.DurationSeconds;
                ours.Add(Cpu(ref sad, () => BsrnnActivityDetector.Detect(audio.Channels, audio.SampleRate, options.Sad)).Segments.Select(s => s.Salient).ToArray());
                Cpu(ref mixit, () => MixitClipFilter.Detect(audio.Channels, audio.SampleRate, options.Mixit));
                inputs.Add(Cpu(ref bleedPrep, () => BleedTrackInput.FromAudio(track.File, track.Label, track.Instrument, audio, options.Bleed.AnalysisRate)));
                if (SongAnalyzer.IsVocal(track.Instrument))
                {
                    vocalSeconds += audio.DurationSeconds;
                    Cpu(ref vocal, () => DatasetForge.Analysis.VocalQuality.VocalQualityAnalyzer.Analyze(audio, options.VocalQuality));
                }
            }

            var detector = new BleedDetector(options.Bleed, calibration) { IsExcluded = input.Hierarchy.IsExcluded };
            Cpu(ref bleed, () => detector.Analyze(inputs));
        }

        // The numpy peer on the same files.
        JsonObject peer;
        try
        {
            var script = Path.Combine(AppContext.BaseDirectory, "Peers", "sad_numpy.py");
            var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(script);
            using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
            process.StandardInput.Write(JsonSerializer.Serialize(tracks.Select(t => t.Path).ToList()));
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"sad_numpy.py failed: {stderr.Trim()} (needs python3-numpy and python3-soundfile: scripts/ensure-bench-deps.sh)");
            }

            var result = JsonNode.Parse(stdout)!;
            var theirs = result["salient"]!.AsArray().Select(a => a!.AsArray().Select(v => v!.GetValue<bool>()).ToArray()).ToList();
            var segments = ours.Sum(o => o.Length);
            var agree = ours.Zip(theirs).Sum(p => p.First.Zip(p.Second).Count(x => x.First == x.Second) - Math.Abs(p.First.Length - p.Second.Length));
            var peerSeconds = result["seconds"]!.GetValue<double>();
            peer = new JsonObject
            {
                ["numpy_sad_cpu_s"] = Math.Round(peerSeconds, 4),
                ["numpy_x_real_time"] = Math.Round(audioSeconds / peerSeconds, 0),
                ["ratio_numpy_over_ours"] = Math.Round(peerSeconds / sad, 2),
                ["segments"] = segments,
                ["segments_agreeing"] = agree,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or JsonException)
        {
            peer = new JsonObject { ["error"] = e.Message };
        }

        // The whole stage (fresh), then the report.
        var analysisDir = Path.Combine(catalog, "analysis");
        if (Directory.Exists(analysisDir))
        {
            Directory.Delete(analysisDir, recursive: true);
        }

        var stageCpu0 = CpuNow();
        var stageWall = Stopwatch.StartNew();
        var run = AnalysisStage.RunAsync(input, options, 1).GetAwaiter().GetResult();
        var stage = (Wall: stageWall.Elapsed.TotalSeconds, Cpu: CpuNow() - stageCpu0);
        var reportDir = Path.Combine(root, "report");
        if (Directory.Exists(reportDir))
        {
            Directory.Delete(reportDir, recursive: true);
        }

        var reportCpu0 = CpuNow();
        var reportWall = Stopwatch.StartNew();
        var report = ReportBuilder.Build(input, reportDir);
        var reportTime = (Wall: reportWall.Elapsed.TotalSeconds, Cpu: CpuNow() - reportCpu0);

        var truth = Truth(root, catalog);
        var result1 = new JsonObject
        {
            ["benchmark"] = "analysis",
            ["core"] = core,
            ["songs"] = input.Songs.Count,
            ["tracks"] = tracks.Count,
            ["track_audio_s"] = Math.Round(audioSeconds, 1),
            ["sad_cpu_s"] = Math.Round(sad, 4),
            ["sad_x_real_time"] = Math.Round(audioSeconds / sad, 0),
            ["mixit_cpu_s"] = Math.Round(mixit, 4),
            ["mixit_x_real_time"] = Math.Round(audioSeconds / mixit, 0),
            ["bleed_prep_cpu_s"] = Math.Round(bleedPrep, 3),
            ["bleed_cpu_s"] = Math.Round(bleed, 3),
            ["bleed_x_real_time"] = Math.Round(audioSeconds / (bleed + bleedPrep), 0),
            ["vocal_quality_cpu_s"] = Math.Round(vocal, 3),
            ["vocal_quality_x_real_time"] = vocal > 0 ? Math.Round(vocalSeconds / vocal, 0) : null,
            ["stage_wall_s"] = Math.Round(stage.Wall, 2),
            ["stage_cpu_s"] = Math.Round(stage.Cpu, 2),
            ["stage_x_real_time"] = Math.Round(run.AudioSeconds / stage.Cpu, 0),
            ["report_wall_s"] = Math.Round(reportTime.Wall, 3),
            ["report_cpu_s"] = Math.Round(reportTime.Cpu, 3),
            ["report_pages"] = report.Pages,
            ["report_excerpts"] = report.Excerpts,
            ["numpy_peer"] = peer,
            ["truth"] = truth,
        };
        if (json)
        {
            BenchSupport.PrintJson(result1);
            return 0;
        }

        string F(string key) => result1[key]?.ToString() ?? "-";
        string P(string key) => peer[key]?.ToString() ?? "-";
        BenchSupport.Print($"analysis, one core (core {core}): {F("songs")} songs, {F("tracks")} raw tracks, {F("track_audio_s")} s of tracks (forge synth --songs {songs} --seed {seed})",
            ["part", "CPU s", "x real time", "note"],
            new (string, string, string, string)[]
            {
                ("BSRNN SAD (ours)", F("sad_cpu_s"), F("sad_x_real_time"), $"numpy peer {P("numpy_sad_cpu_s")} s ({P("numpy_x_real_time")}x): ours {P("ratio_numpy_over_ours")}x faster; {P("segments_agreeing")}/{P("segments")} segments agree{(peer["error"] is { } err ? " " + err : string.Empty)}"),
                ("MixIT clip filter", F("mixit_cpu_s"), F("mixit_x_real_time"), string.Empty),
                ("bleed: fold + resample to 16 kHz", F("bleed_prep_cpu_s"), string.Empty, string.Empty),
                ("bleed: detector", F("bleed_cpu_s"), F("bleed_x_real_time"), "x real time includes the resampling"),
                ("vocal quality", F("vocal_quality_cpu_s"), F("vocal_quality_x_real_time"), "vocal tracks only"),
                ("whole stage (read, all of the above, saliency, CSVs)", F("stage_cpu_s"), F("stage_x_real_time"), $"wall {F("stage_wall_s")} s"),
                ("audit report", F("report_cpu_s"), string.Empty, $"wall {F("report_wall_s")} s, {F("report_pages")} pages, {F("report_excerpts")} excerpts"),
            }.Select(r => (IReadOnlyList<string>)[r.Item1, r.Item2, r.Item3, r.Item4]));
        BenchSupport.Print("song-level verdicts vs the library's truth", ["metric", "value"], truth.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value?.ToString() ?? "-"]));
        return 0;
    }

    /// <summary>A synthetic library (cached) made into a catalog: catalog/tracks.csv with absolute paths, labels/labels.csv from its truth.</summary>
    private static string PrepareCatalog(string root, int songs, int seed, double seconds)
    {
        var catalog = Path.Combine(root, "catalog-dir");
        if (File.Exists(Path.Combine(catalog, "catalog", "tracks.csv")))
        {
            return catalog;
        }

        var library = Path.Combine(root, "library");
        if (Directory.Exists(library))
        {
            Directory.Delete(library, recursive: true);
        }

        Console.Error.WriteLine($"generating the synthetic library ({songs} songs) in {library}...");
        SynthLibrary.GenerateAsync(library, new SynthOptions(songs, seed, seconds) { Unpacked = true }).GetAwaiter().GetResult();
        var songRows = CsvTable.ReadRows(Path.Combine(library, "ground_truth", "songs.csv")).Rows;
        var tracks = new StringBuilder("song_id,file,path\n");
        var labels = new StringBuilder("song_id,file,label,instrument\n");
        foreach (var row in CsvTable.ReadRows(Path.Combine(library, "ground_truth", "labels.csv")).Rows)
        {
            var song = songRows.First(s => s.Get("song_id") == row.Get("song_id"));
            var folder = Path.Combine(library, "unpacked", Path.GetFileNameWithoutExtension(song.Get("archive_file")!), song.Get("folder")!);
            var path = Directory.EnumerateFiles(folder, row.Get("file")!, SearchOption.AllDirectories).First();
            tracks.Append(Csv(row.Get("song_id")!)).Append(',').Append(Csv(row.Get("file")!)).Append(',').Append(Csv(path)).Append('\n');
            labels.Append(Csv(row.Get("song_id")!)).Append(',').Append(Csv(row.Get("file")!)).Append(',').Append(row.Get("label")).Append(',').Append(row.Get("instrument")).Append('\n');
        }

        AtomicFile.WriteAllText(Path.Combine(catalog, "labels", "labels.csv"), labels.ToString());
        AtomicFile.WriteAllText(Path.Combine(catalog, "catalog", "tracks.csv"), tracks.ToString());
        return catalog;
    }

    /// <summary>Song-level has_bleed and vocal_quality vs the synthetic library's truth (songs.csv).</summary>
    private static JsonObject Truth(string root, string catalog)
    {
        var truth = CsvTable.ReadRows(Path.Combine(root, "library", "ground_truth", "songs.csv")).Rows.ToDictionary(r => r.Get("song_id")!);
        var ours = CsvTable.ReadRows(Path.Combine(catalog, "analysis", "songs.csv")).Rows;
        var bleedAgree = 0;
        var vocalAgree = 0;
        var vocalSongs = 0;
        foreach (var song in ours)
        {
            var t = truth[song.Get("song_id")!];
            bleedAgree += (t.Get("has_bleed") == "1") == (song.Get("has_bleed") == "True") ? 1 : 0;
            if (t.Get("vocal_quality") is { } vq && song.Get("vocal_quality") is { } mine)
            {
                vocalSongs++;
                vocalAgree += vq == mine ? 1 : 0;
            }
        }

        return new JsonObject
        {
            ["has_bleed_agrees"] = $"{bleedAgree}/{ours.Count}",
            ["vocal_quality_agrees"] = $"{vocalAgree}/{vocalSongs}",
        };
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    private static double CpuNow()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime.TotalSeconds;
    }

    private static T Cpu<T>(ref double total, Func<T> work)
    {
        var start = CpuNow();
        var result = work();
        total += CpuNow() - start;
        return result;
    }
}
