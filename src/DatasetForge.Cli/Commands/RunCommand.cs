using System.CommandLine;
using DatasetForge.Cli.Support;
using DatasetForge.Common.Config;
using DatasetForge.Pipeline;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge run PIPELINE.yaml [--set key=value ...] [--out DIR]`: runs a whole pipeline (source, ingest, label, render,
/// analyze, split, stats, report) as one resumable Dataflow graph. Progress bars per stage on a terminal, plain lines
/// otherwise; every event in OUT/pipeline/events.jsonl. Exit code 0 when nothing was quarantined, 1 when something
/// was (listed), 2 for a bad definition, 130 when cancelled (Ctrl-C; the next run resumes).
/// </summary>
internal sealed class RunCommand : IForgeCommand
{
    public Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "pipeline YAML (or a built-in name: ms21, demo)" };
        var sets = new Option<string[]>("--set") { Description = "override a key: --set render.target_lufs=-23 (dotted path, typed by schemas/pipeline.schema.json); repeatable", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string?>("--out") { Description = "output folder (default: the pipeline's `output`, else its name)" };
        var command = new Command("run", "Run a pipeline from YAML: source -> ingest -> label -> render -> analyze (per song, in parallel, resumable), then split, stats and the audit report.")
        {
            pipeline, sets, output,
        };
        command.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            PipelineDefinition definition;
            try
            {
                definition = PipelineDefinition.Load(parse.GetValue(pipeline)!, parse.GetValue(sets) ?? []);
            }
            catch (Exception e) when (e is ConfigException or FileNotFoundException or ArgumentException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 2;
            }

            var outDir = parse.GetValue(output) ?? definition.Output ?? definition.DisplayName;
            var layout = new PipelineLayout(outDir);
            var terminal = StageProgressView.IsTerminal(stdout);
            stdout.WriteLine($"run: {definition.DisplayName} ({definition.Origin}) -> {Path.GetFullPath(outDir)}");
            try
            {
                var summary = await StageProgressView.RunAsync(p => new PipelineRunner(definition, outDir, p).RunAsync(token), stdout).ConfigureAwait(false);
                PipelinePrinter.Print(summary, stdout, stderr, terminal);
                return summary.Quarantined.Count > 0 ? 1 : 0;
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine($"run: cancelled; finished work is kept and `forge run` with the same pipeline resumes ({layout.EventsPath})");
                return 130;
            }
            catch (Exception e) when (e is ConfigException or IOException or ArgumentException or InvalidDataException or UnauthorizedAccessException or Ingest.Scrape.ScrapeException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
