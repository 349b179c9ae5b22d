using System.CommandLine;
using System.Globalization;
using DatasetForge.Cli.Support;
using DatasetForge.Common.Config;
using DatasetForge.Hierarchy;
using DatasetForge.Render;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge render LABELS_DIR --out DATASET_DIR`: loudness-normalized stems, mixtures and manifests.</summary>
internal sealed class RenderCommand : IForgeCommand
{
    public Command Create()
    {
        var labels = new Argument<string>("labels") { Description = "LABELS_DIR from forge label (labels.csv), or the labels.csv file" };
        var hierarchy = new Option<string>("--hierarchy") { Description = "hierarchy YAML, MS21 hierarchy.json or preset (ms21, musdb, slakh3, cadenza-classical)", DefaultValueFactory = _ => "ms21" };
        var output = new Option<string>("--out") { Description = "dataset folder to write", Required = true };
        var catalog = new Option<string?>("--catalog") { Description = "ingest catalog folder the labels' paths are relative to (default: LABELS_DIR or its parent when it holds catalog/tracks.csv)" };
        var defaults = new RenderOptions();
        var lufs = new Option<double>("--target-lufs") { Description = "integrated loudness of non-percussive stems (LUFS)", DefaultValueFactory = _ => defaults.TargetLufs };
        var peak = new Option<double>("--peak-dbfs") { Description = "sample peak of percussive (peak-normalized) stems (dBFS)", DefaultValueFactory = _ => defaults.PeakDbfs };
        var rate = new Option<int>("--rate") { Description = "output sample rate (Hz)", DefaultValueFactory = _ => defaults.SampleRate };
        var channels = new Option<int>("--channels") { Description = "output channels (mono tracks are centred at full level in each)", DefaultValueFactory = _ => defaults.Channels };
        var mode = new Option<string>("--mode") { Description = "consistent: parents = exact sums of children; ms21: levels 1 and 2 normalized on their own", DefaultValueFactory = _ => "consistent" };
        mode.AcceptOnlyFromAmong("consistent", "ms21");
        var ceiling = new Option<double>("--ceiling-dbfs") { Description = "no output may peak above this; else one common gain for the song", DefaultValueFactory = _ => defaults.CeilingDbfs };
        var floor = new Option<double>("--silence-floor") { Description = "stems quieter than this (LUFS, or dBFS peak for peak stems) are reported silent, not normalized", DefaultValueFactory = _ => defaults.SilenceFloorDb };
        var encoding = new Option<string>("--encoding") { Description = "stem and mixture WAV encoding", DefaultValueFactory = _ => "float32" };
        encoding.AcceptOnlyFromAmong("float32", "pcm24", "pcm16");
        var jobs = new Option<int>("--jobs") { Description = "songs at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var copy = new Option<bool>("--copy-raw") { Description = "copy raw tracks into _RAW/ instead of hard-linking them" };
        var force = new Option<bool>("--force") { Description = "re-render songs even when their keys match" };
        var command = new Command("render", "Render loudness-normalized stems (every hierarchy level) and mixtures in a MedleyDB-like layout, and gather the manifests.")
        {
            labels, hierarchy, output, catalog, lufs, peak, rate, channels, mode, ceiling, floor, encoding, jobs, copy, force,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            RenderSummary summary;
            try
            {
                var tree = HierarchyDefinition.Load(parse.GetValue(hierarchy)!);
                var options = new RenderOptions
                {
                    TargetLufs = parse.GetValue(lufs),
                    PeakDbfs = parse.GetValue(peak),
                    SampleRate = parse.GetValue(rate),
                    Channels = parse.GetValue(channels),
                    Mode = RenderOptions.ParseMode(parse.GetValue(mode)!),
                    CeilingDbfs = parse.GetValue(ceiling),
                    SilenceFloorDb = parse.GetValue(floor),
                    Encoding = parse.GetValue(encoding) switch { "pcm16" => Audio.SampleEncoding.Pcm16, "pcm24" => Audio.SampleEncoding.Pcm24, _ => Audio.SampleEncoding.Float32 },
                    HardLinkRaw = !parse.GetValue(copy),
                    Force = parse.GetValue(force),
                };
                var stage = new RenderStageOptions(parse.GetValue(labels)!, parse.GetValue(catalog), tree, options, parse.GetValue(output)!, Math.Max(1, parse.GetValue(jobs)));
                Console.WriteLine($"rendering {stage.Labels} with hierarchy '{tree.Name}' ({options.ModeName} mode, {options.TargetLufs} LUFS / {options.PeakDbfs} dBFS peak, {options.SampleRate} Hz, {options.Channels} ch) into {stage.DatasetDir}");
                summary = await StageProgressView.RunAsync(p => RenderStage.RunAsync(stage, p, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ConfigException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            PrintSummary(summary);
            return summary.Failed == 0 && summary.Problems.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static void PrintSummary(RenderSummary s)
    {
        var inv = CultureInfo.InvariantCulture;
        var seconds = Math.Max(1e-9, s.Elapsed.TotalSeconds);
        Console.WriteLine($"songs: {s.Songs} ({s.Rendered} rendered, {s.MetadataOnly} metadata only, {s.Skipped} up to date, {s.Failed} failed); files: {s.FilesWritten} written, {s.FilesKept} unchanged");
        if (s.AudioSeconds > 0)
        {
            Console.WriteLine(string.Create(inv, $"rendered {s.AudioSeconds / 60:0.0} min of songs in {seconds:0.0} s: {s.AudioSeconds / seconds:0.0}x real time"));
        }

        var clipped = s.Results.Where(r => r.Metadata is { MixGainDb: < 0 } && r.Outcome == SongRenderOutcome.Rendered).ToList();
        if (clipped.Count > 0)
        {
            Console.WriteLine(string.Create(inv, $"common gain applied to {clipped.Count} song(s) (largest {clipped.Min(r => r.Metadata!.MixGainDb):0.00} dB), recorded as mix_gain_db"));
        }

        var silent = s.Results.Where(r => r.Metadata is not null).SelectMany(r => r.Metadata!.AllStems.Where(t => t.Status != "ok").Select(t => $"{r.Plan.SongId}: L{t.Level} {t.Node} {t.Status}")).ToList();
        foreach (var line in silent.Take(20))
        {
            Console.Error.WriteLine($"not normalized: {line}");
        }

        foreach (var p in s.Problems.Take(30))
        {
            Console.Error.WriteLine($"problem [{p.Stage}] {p.Item}: {p.Reason}");
        }

        if (s.Problems.Count > 30)
        {
            Console.Error.WriteLine($"... {s.Problems.Count - 30} more in manifests/quarantine.csv");
        }
    }
}
