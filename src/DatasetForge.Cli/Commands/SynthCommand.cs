using DatasetForge.Cli.Support;
using System.CommandLine;
using System.Globalization;
using DatasetForge.Common;
using DatasetForge.Synth;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge synth --songs N --seed S --out DIR [--seconds X]`: a synthetic multitrack library with ground truth.</summary>
internal sealed class SynthCommand : IForgeCommand
{
    public Command Create()
    {
        var songs = new Option<int>("--songs") { Description = "Number of songs", DefaultValueFactory = _ => 6 };
        var seed = new Option<int>("--seed") { Description = "Master seed: the same seed gives byte-identical files", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string>("--out") { Description = "Output folder (new, empty, or a previous synth library)", Required = true };
        var seconds = new Option<double>("--seconds") { Description = "Length of each song in seconds", DefaultValueFactory = _ => SynthOptions.DefaultSeconds };
        var jobs = new Option<int>("--jobs") { Description = "Songs generated at once (0 = one per core)", DefaultValueFactory = _ => 0 };
        var unpacked = new Option<bool>("--unpacked") { Description = "Also keep each song's extracted folder under DIR/unpacked/" };
        var command = new Command("synth", "Generate a synthetic multitrack library (per-song zip archives, previews, library.csv) with ground truth (labels, activity, bleed, defects).")
        {
            songs, seed, outDir, seconds, jobs, unpacked,
        };
        command.SetAction(async (parse, token) =>
        {
            var options = new SynthOptions(parse.GetValue(songs), parse.GetValue(seed), parse.GetValue(seconds))
            {
                Parallelism = parse.GetValue(jobs),
                Unpacked = parse.GetValue(unpacked),
            };
            var dir = parse.GetValue(outDir)!;
            try
            {
                options.Validate();
                var summary = await StageProgressView.RunAsync(p => SynthLibrary.GenerateAsync(dir, options, p, token)).ConfigureAwait(false);
                Print(summary);
                return 0;
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("synth: cancelled (archives written so far are complete; library.csv was not written)");
                return 130;
            }
        });
        return command;
    }

    private static void Print(SynthSummary s)
    {
        var seconds = s.Elapsed.TotalSeconds;
        var table = new Table().AddColumns("synth", "value");
        table.AddRow("output", Markup.Escape(Path.GetFullPath(s.OutDir)));
        table.AddRow("songs / artists", $"{s.Songs} / {s.Artists}");
        table.AddRow("tracks with ground truth", s.Tracks.ToString(CultureInfo.InvariantCulture));
        table.AddRow("defective files", s.DefectiveFiles.ToString(CultureInfo.InvariantCulture));
        table.AddRow("broken archive", Markup.Escape(s.BrokenArchive ?? "(none: needs 2+ songs)"));
        table.AddRow("bleed rows", Markup.Escape(string.Join(", ", s.BleedRows.Select(kv => $"{kv.Key} {kv.Value}"))));
        table.AddRow("archives", string.Create(CultureInfo.InvariantCulture, $"{s.ArchiveBytes / 1e6:F1} MB"));
        table.AddRow("audio generated", string.Create(CultureInfo.InvariantCulture, $"{s.AudioSeconds / 60:F1} min of tracks"));
        table.AddRow("wall time", string.Create(CultureInfo.InvariantCulture,
            $"{seconds:F2} s ({s.AudioSeconds / Math.Max(seconds, 1e-9):F0}x real time, {s.Songs / Math.Max(seconds, 1e-9) * 60:F0} songs/min, {Environment.ProcessorCount} cores)"));
        ForgeConsole.Out().Write(table);
    }
}
