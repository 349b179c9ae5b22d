using DatasetForge.Cli.Support;
using System.CommandLine;
using System.Globalization;
using DatasetForge.Common;
using DatasetForge.Evaluation;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge eval REF_DIR EST_DIR` scores one song (files paired by name, as museval's eval_dir); `forge eval --dataset
/// DIR --estimates DIR [--estimates DIR ...]` scores a whole split, each system and, with weights, their blend.
/// </summary>
internal sealed class EvalCommand : IForgeCommand
{
    public Command Create()
    {
        var referenceDir = new Argument<string?>("reference-dir") { Arity = ArgumentArity.ZeroOrOne, Description = "folder of reference stems (<target>.wav)" };
        var estimateDir = new Argument<string?>("estimate-dir") { Arity = ArgumentArity.ZeroOrOne, Description = "folder of estimates with the same file names" };
        var json = new Option<bool>("--json") { Description = "print museval's JSON (plus usdr, si_sdr, csdr per target) instead of the table" };
        var output = new Option<string?>("--output") { Description = "also write the song's JSON to this file" };
        var window = new Option<double>("--window") { Description = "frame length in seconds", DefaultValueFactory = _ => 1.0 };
        var hop = new Option<double>("--hop") { Description = "frame hop in seconds", DefaultValueFactory = _ => 1.0 };
        var dataset = new Option<string?>("--dataset") { Description = "dataset root: MUSDB18-HQ (<root>/<split>/<song>/<target>.wav) or a dataset forge rendered (manifests/, splits.csv)" };
        var estimates = new Option<string[]>("--estimates") { Description = "estimates root (<root>/<split>/<song>/<target>.wav); repeat for an ensemble; NAME=DIR names the system", AllowMultipleArgumentsPerToken = false };
        var split = new Option<string>("--split") { Description = "split to evaluate", DefaultValueFactory = _ => "test" };
        var layout = new Option<string?>("--layout") { Description = "dataset layout (default: recognized from the folder; built in: musdb, forge)" };
        var level = new Option<int?>("--level") { Description = "forge layout: the hierarchy level whose stems are the targets (default 2: ms21's vocal, percussion, bass, other)" };
        var targets = new Option<string?>("--targets") { Description = "comma-separated targets to evaluate (default: every reference stem)" };
        var outDir = new Option<string>("--out") { Description = "output folder for --dataset (JSON per song, songs.csv, aggregate.csv, report.html)", DefaultValueFactory = _ => "forge-eval" };
        var weights = new Option<string?>("--weights") { Description = "ensemble weights JSON (ensemble-weights.schema.json) for the blend" };
        var fitSplit = new Option<string?>("--fit-split") { Description = "fit ensemble weights on this split first (least squares on waveforms) and evaluate the blend" };
        var filterLength = new Option<int>("--filter-length") { Description = "taps of the BSS Eval distortion filters (museval: 512)", DefaultValueFactory = _ => 512 };
        var threads = new Option<int>("--threads") { Description = "threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("eval", "Score separated stems: uSDR, SI-SDR and museval-identical BSS Eval v4 (cSDR, SIR, ISR, SAR).")
        {
            referenceDir, estimateDir, json, output, window, hop, dataset, estimates, split, layout, level, targets, outDir, weights, fitSplit, filterLength, threads,
        };
        command.SetAction(parse =>
        {
            var options = new EvaluationOptions
            {
                WindowSeconds = parse.GetValue(window),
                HopSeconds = parse.GetValue(hop),
                FilterLength = parse.GetValue(filterLength),
                MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(threads)),
            };
            if (!(options.WindowSeconds > 0) || !(options.HopSeconds > 0) || options.FilterLength < 1)
            {
                Console.Error.WriteLine("error: --window, --hop and --filter-length must be positive");
                return 2;
            }

            try
            {
                var datasetRoot = parse.GetValue(dataset);
                if (datasetRoot is not null)
                {
                    return RunDataset(datasetRoot, parse.GetValue(estimates) ?? [], parse.GetValue(split)!, parse.GetValue(layout), parse.GetValue(level), parse.GetValue(targets),
                        parse.GetValue(outDir)!, parse.GetValue(weights), parse.GetValue(fitSplit), options);
                }

                var refs = parse.GetValue(referenceDir);
                var ests = parse.GetValue(estimateDir);
                if (refs is null || ests is null)
                {
                    Console.Error.WriteLine("error: give REFERENCE_DIR ESTIMATE_DIR, or --dataset DIR --estimates DIR");
                    return 2;
                }

                return RunSong(refs, ests, parse.GetValue(json), parse.GetValue(output), options);
            }
            catch (Exception e) when (e is EvaluationInputException or IOException or Common.Config.ConfigException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int RunSong(string referenceDir, string estimateDir, bool json, string? output, EvaluationOptions options)
    {
        var scores = SongEvaluator.EvaluateDirectories(referenceDir, estimateDir, options);
        var text = scores.ToJson();
        if (output is not null)
        {
            AtomicFile.WriteAllText(output, text);
        }

        if (json)
        {
            Console.WriteLine(text);
            return 0;
        }

        var table = new Table().AddColumns("target", "uSDR", "SI-SDR", "cSDR", "SIR", "ISR", "SAR", "frames");
        table.Title = new TableTitle(Markup.Escape($"{scores.Name} (dB; cSDR/SIR/ISR/SAR are medians over {options.WindowSeconds:0.###} s frames)"));
        foreach (var t in scores.Targets)
        {
            table.AddRow(Markup.Escape(t.Name), F(t.Usdr), F(t.SiSdr), F(t.Csdr), F(t.MedianSir), F(t.MedianIsr), F(t.MedianSar),
                t.NanFrames == 0 ? t.Frames.Count.ToString(CultureInfo.InvariantCulture) : $"{t.Frames.Count} ({t.NanFrames} silent)");
        }

        AnsiConsole.Write(table);
        return 0;
    }

    private static int RunDataset(string datasetRoot, string[] estimateArgs, string split, string? layoutName, int? level, string? targetList, string outDir,
        string? weightsPath, string? fitSplit, EvaluationOptions options)
    {
        if (estimateArgs.Length == 0)
        {
            Console.Error.WriteLine("error: --dataset needs at least one --estimates DIR");
            return 2;
        }

        var systems = estimateArgs.Select(ParseSystem).ToArray();
        var duplicate = systems.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            Console.Error.WriteLine($"error: two --estimates are named '{duplicate.Key}'; name them with NAME=DIR");
            return 2;
        }

        var layout = DatasetLayouts.Resolve(datasetRoot, layoutName);
        if (level is { } l)
        {
            layout = layout is RenderedDatasetLayout ? new RenderedDatasetLayout(l) : throw new EvaluationInputException($"--level applies to the forge layout, not '{layout.Name}'");
        }

        var targets = targetList?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        EnsembleWeights? weights = null;
        var failed = 0;
        if (weightsPath is not null)
        {
            weights = EnsembleWeights.Load(weightsPath);
        }
        else if (fitSplit is not null)
        {
            if (systems.Length < 2)
            {
                Console.Error.WriteLine("error: --fit-split needs two or more --estimates (the ensemble members)");
                return 2;
            }

            var (fitted, fitFailures) = StageProgressView.Run(p => DatasetEvaluator.FitWeights(datasetRoot, layout, fitSplit, systems, targets, p), Console.Error, "songs");
            foreach (var f in fitFailures)
            {
                Console.Error.WriteLine($"error: {f.Item}: {f.Reason}");
            }

            failed += fitFailures.Count;
            weights = fitted;
            var path = Path.Combine(outDir, "ensemble-weights.json");
            AtomicFile.WriteAllText(path, weights.ToJson());
            Console.Error.WriteLine($"ensemble weights fitted on {weights.Songs} songs: {path}");
        }

        var request = new DatasetEvaluationRequest
        {
            DatasetRoot = datasetRoot,
            Systems = systems,
            OutputDir = outDir,
            Split = split,
            Layout = layout,
            Targets = targets,
            Options = options,
            Weights = weights,
        };
        var result = StageProgressView.Run(p => DatasetEvaluator.Run(request, p), Console.Error, "songs");
        foreach (var f in result.Failures)
        {
            Console.Error.WriteLine($"error: {f.Item}: {f.Reason}");
        }

        var table = new Table().AddColumns("system", "target", "songs", "cSDR", "uSDR", "SI-SDR", "SIR", "ISR", "SAR");
        table.Title = new TableTitle("dB; cSDR/SIR/ISR/SAR: median over frames, then songs; uSDR, SI-SDR: mean over songs");
        foreach (var r in result.Aggregate)
        {
            table.AddRow(Markup.Escape(r.System), Markup.Escape(r.Target), r.Songs.ToString(CultureInfo.InvariantCulture), F(r.Csdr), F(r.UsdrMean), F(r.SiSdrMean), F(r.Sir), F(r.Isr), F(r.Sar));
        }

        AnsiConsole.Write(table);
        Console.WriteLine($"wrote {result.AggregateCsv}, {result.SongsCsv}, {result.HtmlReport}");
        return failed + result.Failures.Count == 0 ? 0 : 1;
    }

    private static SystemEstimates ParseSystem(string argument)
    {
        var eq = argument.IndexOf('=');
        if (eq > 0 && !Directory.Exists(argument))
        {
            return new SystemEstimates(argument[..eq], argument[(eq + 1)..]);
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(argument)));
        return new SystemEstimates(name, argument);
    }

    private static string F(double value) => double.IsNaN(value) ? "-" : value.ToString("F2", CultureInfo.InvariantCulture);
}
