using DatasetForge.Common;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DatasetForge.Analysis;
using DatasetForge.Analysis.Bleed;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench bleed`: the injected-bleed benchmark (<see cref="BleedCorpus"/>). Reports ROC AUC of the track
/// probability overall, per level band and against the hard negatives (doubled vocals), the level error and delay
/// error of the injected pairs, how often a true source is ranked first, the calibration (Brier score, expected
/// calibration error) and the detector's speed on one core. `--calibrate` fits the logistic models on its seed
/// (use one that is not reported) and writes them to `--out`.
/// </summary>
public sealed class BleedBench : IBenchCommand
{
    public Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "corpus seed (the shipped calibration was fitted on seed 101: report another)", DefaultValueFactory = _ => 1 };
        var songs = new Option<int>("--songs") { Description = "songs in the corpus", DefaultValueFactory = _ => 40 };
        var seconds = new Option<double>("--seconds") { Description = "song length", DefaultValueFactory = _ => 20 };
        var calibrate = new Option<bool>("--calibrate") { Description = "fit the calibration on this corpus and write it to --out" };
        var output = new Option<string?>("--out") { Description = "where --calibrate writes (default pipelines/analysis/bleed-calibration.yaml of this repository)" };
        var calibration = new Option<string?>("--calibration") { Description = "calibration file to evaluate (default: the built-in one)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("bleed", "Injected-bleed benchmark of the bleed detector (AUC, level and delay error, source ranking, calibration, speed).")
        {
            seed, songs, seconds, calibrate, output, calibration, json,
        };
        command.SetAction(parse => Run(parse.GetValue(seed), parse.GetValue(songs), parse.GetValue(seconds), parse.GetValue(calibrate), parse.GetValue(output),
            parse.GetValue(calibration), parse.GetValue(json)));
        return command;
    }

    private static int Run(int seed, int songs, double seconds, bool calibrate, string? output, string? calibrationPath, bool json)
    {
        var core = BenchSupport.PinToOneCore();
        var options = AnalysisOptions.Default.Bleed;
        var calibration = BleedCalibration.Load(calibrationPath ?? options.Calibration);
        var detector = new BleedDetector(options, calibration);
        var corpus = new List<(List<BenchTrack> Tracks, BleedSongResult Result)>();
        double detectorCpu = 0, audioSeconds = 0, synthWall = 0;
        for (var i = 0; i < songs; i++)
        {
            var sw = Stopwatch.StartNew();
            var tracks = BleedCorpus.Song(seed, i, seconds, options.AnalysisRate);
            synthWall += sw.Elapsed.TotalSeconds;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var result = detector.Analyze(tracks.Select(t => t.Input).ToList());
            detectorCpu += Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpu0;
            audioSeconds += tracks.Sum(t => (double)t.Input.Signal.Length / options.AnalysisRate);
            corpus.Add((tracks, result));
            if (!json)
            {
                Console.Error.Write($"\rsong {i + 1}/{songs}");
            }
        }

        if (!json)
        {
            Console.Error.WriteLine();
        }

        if (calibrate)
        {
            calibration = Fit(corpus, seed, songs, seconds);
            var path = output ?? Path.Combine(RepositoryRoot(), "pipelines", "analysis", "bleed-calibration.yaml");
            File.WriteAllText(path, calibration.ToYaml(
                $"Bleed detector calibration, fitted by `./forge bench bleed --calibrate --seed {seed} --songs {songs} --seconds {seconds.ToString(CultureInfo.InvariantCulture)}`.\n" +
                "Pair model: logistic over the features below (is this source leaking into this track?); track model: Platt scaling of the best\n" +
                "non-duplicate pair's logit (does this track carry leakage?). Report the benchmark on another seed."));
            Console.Error.WriteLine($"calibration written to {path}");

            // Re-decide with the new models (the features do not depend on them).
            detector = new BleedDetector(options, calibration);
            corpus = corpus.Select(c => (c.Tracks, detector.Analyze(c.Tracks.Select(t => t.Input).ToList()))).ToList();
        }

        var report = Evaluate(corpus, options.Threshold);
        report["benchmark"] = "bleed";
        report["seed"] = seed;
        report["songs"] = songs;
        report["seconds_per_song"] = seconds;
        report["core"] = core;
        report["calibration"] = calibrate ? "fitted on this corpus (in-sample)" : calibrationPath ?? options.Calibration;
        report["detector_cpu_s"] = Math.Round(detectorCpu, 3);
        report["track_audio_s"] = Math.Round(audioSeconds, 1);
        report["x_real_time_per_core"] = Math.Round(audioSeconds / Math.Max(detectorCpu, 1e-9), 1);
        report["synth_wall_s"] = Math.Round(synthWall, 1);
        if (json)
        {
            BenchSupport.PrintJson(report);
        }
        else
        {
            Print(report);
        }

        return 0;
    }

    private static BleedCalibration Fit(List<(List<BenchTrack> Tracks, BleedSongResult Result)> corpus, int seed, int songs, double seconds)
    {
        var samples = new List<double[]>();
        var labels = new List<bool>();
        foreach (var (tracks, result) in corpus)
        {
            foreach (var pair in result.Pairs)
            {
                var t = tracks.First(x => x.Name == pair.File);
                var s = tracks.FindIndex(x => x.Name == pair.Source);
                samples.Add(BleedFeatures.Vector(pair.PsrQuiet, pair.PsrAll, pair.Coherence, pair.EnergyZ, pair.EnergyR));
                labels.Add(t.Injected.Any(j => j.Source == s));
            }
        }

        var pairModel = LogisticModel.Fit(samples, labels, l2: 0.1);

        // Track model: Platt scaling of the best non-duplicate pair's logit under the new pair model.
        var logits = new List<double[]>();
        var positives = new List<bool>();
        foreach (var (tracks, result) in corpus)
        {
            foreach (var track in tracks)
            {
                var best = result.Pairs.Where(p => p.File == track.Name && p.Relation != BleedRelation.SameSource)
                    .Select(p => pairModel.Logit(BleedFeatures.Vector(p.PsrQuiet, p.PsrAll, p.Coherence, p.EnergyZ, p.EnergyR)))
                    .DefaultIfEmpty(-20).Max();
                logits.Add([best]);
                positives.Add(track.Injected.Count > 0);
            }
        }

        var trackModel = LogisticModel.Fit(logits, positives, l2: 0.01);
        return new BleedCalibration
        {
            Pair = pairModel,
            Track = trackModel,
            Provenance = $"bench bleed seed {seed}, {songs} songs of {seconds.ToString(CultureInfo.InvariantCulture)} s: {samples.Count} pairs ({labels.Count(l => l)} injected), {logits.Count} tracks ({positives.Count(p => p)} with bleed)",
        };
    }

    private static JsonObject Evaluate(List<(List<BenchTrack> Tracks, BleedSongResult Result)> corpus, double threshold)
    {
        var scored = new List<(double P, bool Positive, double MaxLevel, bool Double, bool Detected)>();
        var levelErrors = new List<(double Truth, double Error)>();
        var delayErrors = new List<double>();
        var ranked = new List<(double MaxLevel, bool TrueFirst)>();
        var missingLevel = 0;
        foreach (var (tracks, result) in corpus)
        {
            for (var t = 0; t < tracks.Count; t++)
            {
                var track = tracks[t];
                var verdict = result.Tracks[t];
                var positive = track.Injected.Count > 0;
                var maxLevel = positive ? track.Injected.Max(j => j.LevelDb) : double.NaN;
                scored.Add((verdict.Probability, positive, maxLevel, track.Double, verdict.Detected));
                if (!positive)
                {
                    continue;
                }

                var first = result.Pairs.First(p => p.File == track.Name && p.Rank == 1);
                ranked.Add((maxLevel, track.Injected.Any(j => tracks[j.Source].Name == first.Source)));
                foreach (var injected in track.Injected)
                {
                    var pair = result.Pairs.First(p => p.File == track.Name && p.Source == tracks[injected.Source].Name);
                    if (double.IsFinite(pair.LevelDb))
                    {
                        levelErrors.Add((injected.LevelDb, pair.LevelDb - injected.LevelDb));
                        delayErrors.Add(Math.Abs(pair.DelayMs - injected.DelayMs));
                    }
                    else
                    {
                        missingLevel++;
                    }
                }
            }
        }

        var negatives = scored.Where(s => !s.Positive).ToList();
        var bands = new (string Name, double Low, double High)[] { ("-40..-30 dB", -40.01, -30), ("-30..-20 dB", -30, -20), ("-20..-10 dB", -20, -9.99), (">= -30 dB", -30, 0) };
        var bandRows = new JsonArray();
        foreach (var (name, low, high) in bands)
        {
            var pos = scored.Where(s => s.Positive && s.MaxLevel >= low && s.MaxLevel < high).ToList();
            var errors = levelErrors.Where(e => e.Truth >= low && e.Truth < high).Select(e => Math.Abs(e.Error)).ToList();
            var firsts = ranked.Where(r => r.MaxLevel >= low && r.MaxLevel < high).ToList();
            bandRows.Add(new JsonObject
            {
                ["band"] = name,
                ["positives"] = pos.Count,
                ["auc"] = BenchSupport.Finite(Auc(pos.Select(p => p.P), negatives.Select(n => n.P))),
                ["recall_at_threshold"] = pos.Count == 0 ? null : Math.Round(pos.Count(p => p.Detected) / (double)pos.Count, 4),
                ["level_mae_db"] = errors.Count == 0 ? null : Math.Round(errors.Average(), 3),
                ["true_source_first"] = firsts.Count == 0 ? null : Math.Round(firsts.Count(f => f.TrueFirst) / (double)firsts.Count, 4),
            });
        }

        var doubles = negatives.Where(n => n.Double).ToList();
        var positives = scored.Where(s => s.Positive).ToList();
        var brier = scored.Average(s => Math.Pow(s.P - (s.Positive ? 1 : 0), 2));
        var ece = 0.0;
        for (var b = 0; b < 10; b++)
        {
            var bin = scored.Where(s => s.P >= b / 10.0 && (s.P < (b + 1) / 10.0 || (b == 9 && s.P <= 1))).ToList();
            if (bin.Count > 0)
            {
                ece += bin.Count / (double)scored.Count * Math.Abs(bin.Average(s => s.P) - bin.Average(s => s.Positive ? 1.0 : 0.0));
            }
        }

        var delays = delayErrors.Order().ToList();
        return new JsonObject
        {
            ["tracks"] = scored.Count,
            ["positives"] = positives.Count,
            ["negatives"] = negatives.Count,
            ["hard_negatives"] = doubles.Count,
            ["auc"] = BenchSupport.Finite(Auc(positives.Select(p => p.P), negatives.Select(n => n.P))),
            ["auc_vs_doubled_vocals"] = BenchSupport.Finite(Auc(positives.Select(p => p.P), doubles.Select(n => n.P))),
            ["bands"] = bandRows,
            ["false_positive_rate_at_threshold"] = Math.Round(negatives.Count(n => n.Detected) / (double)Math.Max(1, negatives.Count), 4),
            ["doubled_vocals_flagged"] = doubles.Count(n => n.Detected),
            ["level_mae_db"] = levelErrors.Count == 0 ? null : Math.Round(levelErrors.Average(e => Math.Abs(e.Error)), 3),
            ["level_bias_db"] = levelErrors.Count == 0 ? null : Math.Round(levelErrors.Average(e => e.Error), 3),
            ["pairs_without_level"] = missingLevel,
            ["delay_error_median_ms"] = delays.Count == 0 ? null : Math.Round(delays[delays.Count / 2], 4),
            ["delay_error_p90_ms"] = delays.Count == 0 ? null : Math.Round(delays[(int)(0.9 * (delays.Count - 1))], 4),
            ["delay_within_0_1_ms"] = delays.Count == 0 ? null : Math.Round(delays.Count(d => d <= 0.1) / (double)delays.Count, 4),
            ["true_source_first"] = ranked.Count == 0 ? null : Math.Round(ranked.Count(r => r.TrueFirst) / (double)ranked.Count, 4),
            ["brier"] = Math.Round(brier, 4),
            ["expected_calibration_error"] = Math.Round(ece, 4),
        };
    }

    /// <summary>ROC AUC (Mann-Whitney, ties counted half): <see cref="RocAuc.Of"/>.</summary>
    public static double Auc(IEnumerable<double> positives, IEnumerable<double> negatives) => RocAuc.Of(positives, negatives);

    private static void Print(JsonObject r)
    {
        string F(JsonNode? v) => v?.ToString() ?? "-";
        BenchSupport.Print($"bleed benchmark: seed {F(r["seed"])}, {F(r["songs"])} songs x {F(r["seconds_per_song"])} s, {F(r["tracks"])} tracks ({F(r["positives"])} with injected bleed, {F(r["hard_negatives"])} doubled vocals); calibration: {F(r["calibration"])}",
            ["band of the strongest injected leak", "tracks", "ROC AUC", "recall at p>=0.5", "level MAE dB", "true source first"],
            r["bands"]!.AsArray().Select(b => (IReadOnlyList<string>)[F(b!["band"]), F(b["positives"]), F(b["auc"]), F(b["recall_at_threshold"]), F(b["level_mae_db"]), F(b["true_source_first"])]));
        BenchSupport.Print("overall", ["metric", "value"], new (string, string)[]
        {
            ("ROC AUC (all injected vs all clean)", F(r["auc"])),
            ("ROC AUC vs doubled vocals only", F(r["auc_vs_doubled_vocals"])),
            ("false positive rate at p>=0.5", F(r["false_positive_rate_at_threshold"])),
            ("doubled vocals flagged", F(r["doubled_vocals_flagged"])),
            ("level MAE / bias dB (injected pairs)", $"{F(r["level_mae_db"])} / {F(r["level_bias_db"])}"),
            ("injected pairs without a level (not a candidate)", F(r["pairs_without_level"])),
            ("delay error median / p90 ms", $"{F(r["delay_error_median_ms"])} / {F(r["delay_error_p90_ms"])}"),
            ("delay within 0.1 ms", F(r["delay_within_0_1_ms"])),
            ("true source ranked first", F(r["true_source_first"])),
            ("Brier score / expected calibration error", $"{F(r["brier"])} / {F(r["expected_calibration_error"])}"),
            ("detector speed (one core)", $"{F(r["x_real_time_per_core"])}x real time ({F(r["track_audio_s"])} s of tracks in {F(r["detector_cpu_s"])} s CPU)"),
        }.Select(x => (IReadOnlyList<string>)[x.Item1, x.Item2]));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DatasetForge.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
