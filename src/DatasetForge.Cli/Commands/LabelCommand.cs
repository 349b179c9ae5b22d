using DatasetForge.Cli.Support;
using System.CommandLine;
using System.Globalization;
using DatasetForge.Common.Config;
using DatasetForge.Hierarchy;
using DatasetForge.Labels;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge label CATALOG_DIR --out DIR`: labels every track from its file name, keeps manual corrections;
/// `forge label --evaluate TRUTH.csv [--json]`: accuracy against a truth file;
/// `forge label --explain NAME...`: what the rules see in names.
/// </summary>
internal sealed class LabelCommand : IForgeCommand
{
    public Command Create()
    {
        var input = new Argument<string?>("input")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "catalog dir (with catalog/tracks.csv), a folder of audio files (song = sub-folder), or a CSV with song_id,file",
        };
        var rules = new Option<string>("--rules") { Description = "label rules YAML (default: built-in pipelines/labels/ms21.yaml)", DefaultValueFactory = _ => "ms21" };
        var hierarchy = new Option<string>("--hierarchy") { Description = "hierarchy YAML, MS21 hierarchy.json or preset name (default: ms21)", DefaultValueFactory = _ => "ms21" };
        var output = new Option<string?>("--out") { Description = "output folder for labels.csv, labels_wide.csv, corrections.csv, disagreements.csv" };
        var corrections = new Option<string?>("--corrections") { Description = "a corrections CSV (long: song_id,file,label[,corrected_at] or MS21 wide layout); every row is manual" };
        var evaluate = new Option<string?>("--evaluate") { Description = "truth CSV (song_id, file, instrument[, label, artist]): print accuracy and a confusion table" };
        var json = new Option<bool>("--json") { Description = "with --evaluate: print only {\"instrument_accuracy\", \"label_accuracy\", \"n\"}" };
        var fold = new Option<string?>("--fold") { Description = "with --evaluate: only artists in fold K of N (\"K/N\", stable hash of the artist), e.g. 0/2 and 1/2" };
        var errors = new Option<int>("--errors") { Description = "with --evaluate: also list up to this many wrongly labelled rows", DefaultValueFactory = _ => 0 };
        var explain = new Option<string[]>("--explain") { Description = "print the words and the winning rule for these file names (one song)", AllowMultipleArgumentsPerToken = true };

        var command = new Command("label", "Label tracks from their file names (rules + manual corrections), evaluate against a truth file.")
        {
            input, rules, hierarchy, output, corrections, evaluate, json, fold, errors, explain,
        };
        command.SetAction(parse =>
        {
            try
            {
                var ruleSet = LabelRuleSet.Load(parse.GetValue(rules)!);
                var tree = HierarchyDefinition.Load(parse.GetValue(hierarchy)!);
                var labeler = new TrackLabeler(ruleSet, tree);
                if (parse.GetValue(explain) is { Length: > 0 } names)
                {
                    for (var i = 0; i < names.Length; i++)
                    {
                        Console.WriteLine(labeler.Explain("(song)", names, i));
                    }

                    return 0;
                }

                if (parse.GetValue(evaluate) is { } truthPath)
                {
                    return Evaluate(labeler, truthPath, parse.GetValue(fold), parse.GetValue(json), parse.GetValue(errors));
                }

                var source = parse.GetValue(input);
                var outDir = parse.GetValue(output);
                if (source is null || outDir is null)
                {
                    Console.Error.WriteLine("error: give INPUT and --out DIR (or --evaluate TRUTH.csv, or --explain NAME...)");
                    return 2;
                }

                return RunStage(labeler, tree, source, outDir, parse.GetValue(corrections));
            }
            catch (Exception e) when (e is ConfigException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int RunStage(TrackLabeler labeler, HierarchyDefinition tree, string source, string outDir, string? correctionsPath)
    {
        var result = LabelStage.Run(new LabelStageOptions(source, outDir, correctionsPath), labeler, tree);
        foreach (var warning in result.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        foreach (var d in result.Disagreements)
        {
            Console.Error.WriteLine($"disagree: {d.SongId} / {d.File}: manual '{d.ManualLabel}' (since {d.CorrectedAt}), rules now say '{d.RuleLabel}' (rule '{d.Rule}')");
        }

        Console.WriteLine($"labelled {result.Tracks} tracks of {result.Songs} songs: {result.Manual} manual, {result.Unknown} unknown, "
            + $"{result.Disagreements.Count} disagreements, {result.NewCorrections} new corrections, {result.OrphanCorrections} corrections for tracks not in this input (kept)");
        Console.WriteLine($"wrote {Path.Combine(outDir, LabelStage.LongFile)}, {Path.Combine(outDir, LabelStage.WideFile)}, {Path.Combine(outDir, LabelStage.CorrectionsFile)}");
        return 0;
    }

    private static int Evaluate(TrackLabeler labeler, string truthPath, string? fold, bool json, int errors)
    {
        var truth = LabelEvaluation.ReadTruth(truthPath);
        if (fold is not null)
        {
            var parts = fold.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var k) || !int.TryParse(parts[1], out var n))
            {
                throw new ArgumentException($"--fold '{fold}': expected K/N such as 0/2");
            }

            truth = LabelEvaluation.Fold(truth, k, n);
        }

        var result = LabelEvaluation.Run(labeler, truth);
        if (json)
        {
            Console.WriteLine(result.ToJson());
            return 0;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"tracks: {result.N}, songs: {truth.Select(t => t.SongId).Distinct().Count()}");
        Console.WriteLine($"instrument accuracy (level 1): {result.InstrumentAccuracy.ToString("0.0000", inv)}");
        Console.WriteLine(result.LabelAccuracy is { } la ? $"label accuracy (fine): {la.ToString("0.0000", inv)} over {result.LabelN} rows" : "label accuracy (fine): n/a (no label column)");
        Console.WriteLine($"unknown: {result.Tracks.Count(t => t.Predicted.Label == HierarchyDefinition.Unknown)}");

        var confusion = result.InstrumentConfusion();
        var instruments = confusion.Keys.Select(k => k.Truth).Distinct().Order(StringComparer.Ordinal).ToList();
        var table = new Table().AddColumns("truth instrument", "n", "correct", "accuracy", "most often confused with");
        foreach (var inst in instruments)
        {
            var row = confusion.Where(kv => kv.Key.Truth == inst).ToList();
            var n = row.Sum(kv => kv.Value);
            var correct = row.Where(kv => kv.Key.Predicted == inst).Sum(kv => kv.Value);
            var wrong = string.Join(", ", row.Where(kv => kv.Key.Predicted != inst).OrderByDescending(kv => kv.Value).Take(4).Select(kv => $"{kv.Key.Predicted} {kv.Value}"));
            table.AddRow(inst, n.ToString(inv), correct.ToString(inv), (correct / (double)n).ToString("0.000", inv), Markup.Escape(wrong));
        }

        ForgeConsole.Out().Write(table);
        Console.WriteLine("instrument accuracy by the labeller's confidence:");
        foreach (var (lo, hi, n, acc) in result.ByConfidence())
        {
            Console.WriteLine($"  [{lo.ToString("0.00", inv)}, {hi.ToString("0.00", inv)}{(hi >= 1 ? "]" : ")")}: {n,5} tracks, accuracy {acc.ToString("0.000", inv)}");
        }

        if (errors > 0)
        {
            foreach (var t in result.Tracks.Where(t => !t.InstrumentCorrect || t.LabelCorrect == false).Take(errors))
            {
                Console.WriteLine($"{t.Truth.SongId} | {t.Truth.File} | truth {t.Truth.Label}/{t.Truth.Instrument} | got {t.Predicted.Label}/{t.Predicted.Instrument} by '{t.Predicted.Rule}'");
            }
        }

        return 0;
    }
}
