using DatasetForge.Common;
using DatasetForge.Pipeline;
using DatasetForge.Render;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Pipeline;

/// <summary>
/// The pipeline in-process on a tiny synthetic library (3 songs of 4 s; one archive of them is broken on purpose, and
/// a few files inside the others are defective): quarantine, resume after a change, cancellation.
/// </summary>
public sealed class PipelineRunnerTests
{
    internal const string TinyLibrary = """
        name: tiny
        source: { kind: synthetic, songs: 3, seconds: 4, seed: 3 }
        split: { train: 0.6, validation: 0.2, test: 0.2 }
        parallelism: { ingest: 2, render: 2, analyze: 2, queue: 1 }
        """;

    private static PipelineDefinition Tiny(params string[] sets) => PipelineDefinition.Parse(TinyLibrary, "tiny.yaml", sets);

    private static Task<PipelineSummary> Run(string output, PipelineDefinition definition, Action<string, string>? beforeStage = null, CancellationToken token = default) =>
        new PipelineRunner(definition, output) { BeforeStage = beforeStage }.RunAsync(token);

    private static (int Done, int Skipped, int Metadata, int Failed, int NotRun) Counts(PipelineSummary s, string stage)
    {
        var t = s.Stage(stage);
        return (t.Done, t.Skipped, t.Metadata, t.Failed, t.NotRun);
    }

    [Fact]
    public async Task A_song_that_fails_a_stage_is_quarantined_and_the_others_go_on()
    {
        using var temp = new TempDir();
        var output = temp.File("out");
        string? victim = null;
        var summary = await Run(output, Tiny(), (stage, song) =>
        {
            // The first song to reach render breaks there (as a song whose audio cannot be read would).
            if (stage == PipelineRunner.RenderStageName && Interlocked.CompareExchange(ref victim, song, null) is null)
            {
                throw new InvalidDataException($"{song}: injected render failure");
            }
        });

        Assert.NotNull(victim);
        Assert.Equal(3, summary.Songs);
        Assert.Equal((2, 0, 0, 1, 0), Counts(summary, "ingest")); // the library's broken archive fails at ingest
        Assert.Equal((1, 0, 0, 1, 1), Counts(summary, "render"));
        Assert.Equal((1, 0, 0, 0, 2), Counts(summary, "analyze"));
        Assert.Equal(1, summary.SongsInDataset);
        var quarantine = CsvTable.Read<QuarantineRecord>(summary.QuarantineCsv);
        Assert.Contains(quarantine, q => q.Item == victim && q.Stage == "render" && q.Reason.Contains("injected render failure", StringComparison.Ordinal));
        Assert.Contains(quarantine, q => q.Stage == "extract" && q.Reason.Contains("corrupt or truncated", StringComparison.Ordinal));
        Assert.DoesNotContain(DatasetManifests.ReadAll(summary.DatasetDir).Songs, s => s.SongId == victim);
        var events = PipelineEventLog.Read(summary.EventsPath);
        Assert.Contains(events, e => e.Event == "song" && e.Stage == "render" && e.Song == victim && e.Status == "failed");
        Assert.Contains(events, e => e.Event == "song" && e.Stage == "analyze" && e.Song == victim && e.Status == "not_run");

        // The next run redoes the failed song only.
        var again = await Run(output, Tiny());
        Assert.Equal(2, again.SongsInDataset);
        Assert.Equal(1, again.Stage("render").Done);
        Assert.Equal(1, again.Stage("render").Skipped);
        Assert.Equal(2, again.Stage("ingest").Skipped);
        Assert.DoesNotContain(CsvTable.Read<QuarantineRecord>(again.QuarantineCsv), q => q.Item == victim);
    }

    [Fact]
    public async Task A_rerun_redoes_exactly_what_changed()
    {
        using var temp = new TempDir();
        var output = temp.File("out");
        var first = await Run(output, Tiny());
        Assert.Equal(2, first.SongsInDataset);
        Assert.Equal((2, 0, 0, 1, 0), Counts(first, "ingest"));
        Assert.Equal((2, 0, 0, 0, 1), Counts(first, "label"));
        Assert.Equal((2, 0, 0, 0, 1), Counts(first, "render"));
        Assert.Equal((2, 0, 0, 0, 1), Counts(first, "analyze"));
        var stems = Stems(first.DatasetDir);

        // Nothing changed: nothing is redone, and the files are the same.
        var same = await Run(output, Tiny());
        Assert.Equal((0, 2, 0, 1, 0), Counts(same, "ingest"));
        Assert.Equal((0, 2, 0, 0, 1), Counts(same, "label"));
        Assert.Equal((0, 2, 0, 0, 1), Counts(same, "render"));
        Assert.Equal((0, 2, 0, 0, 1), Counts(same, "analyze"));
        Assert.All(new[] { "split", "stats", "report" }, s => Assert.Equal(1, same.Stage(s).Skipped));
        Assert.Equal(stems, Stems(same.DatasetDir));

        // A new loudness target: stems are rendered again (and analysed again, as they changed), but nothing is
        // extracted, probed or labelled again.
        var louder = await Run(output, Tiny("render.target_lufs=-20"));
        Assert.Equal((0, 2, 0, 1, 0), Counts(louder, "ingest"));
        Assert.Equal((0, 2, 0, 0, 1), Counts(louder, "label"));
        Assert.Equal((2, 0, 0, 0, 1), Counts(louder, "render"));
        Assert.Equal((2, 0, 0, 0, 1), Counts(louder, "analyze"));
        Assert.Equal(1, louder.Stage("split").Done);
        var changed = Stems(louder.DatasetDir);
        Assert.NotEqual(stems, changed);
        Assert.All(DatasetManifests.ReadAll(louder.DatasetDir).Songs, s => Assert.Equal(-20, s.Parameters.TargetLufs));

        // A new split seed: only the dataset-level stages that read the split run.
        var reseeded = await Run(output, Tiny("render.target_lufs=-20", "split.seed=7"));
        Assert.Equal((0, 2, 0, 0, 1), Counts(reseeded, "render"));
        Assert.Equal((0, 2, 0, 0, 1), Counts(reseeded, "analyze"));
        Assert.Equal(1, reseeded.Stage("split").Done);
        Assert.Equal(changed, Stems(reseeded.DatasetDir));

        // A smaller source: the dropped song's folder stays on disk but leaves the manifests (and so the splits and the
        // mix stream), with a warning naming it.
        var limited = await Run(output, Tiny("render.target_lufs=-20", "split.seed=7", "source.limit=1"));
        var listed = CsvTable.Read<DatasetSongRow>(Path.Combine(limited.DatasetDir, DatasetManifests.SongsFile));
        Assert.Equal(1, limited.SongsInDataset);
        var kept = Assert.Single(listed).SongId;
        var onDisk = DatasetManifests.ReadAll(limited.DatasetDir).Songs.Select(s => s.SongId).ToList();
        Assert.Equal(2, onDisk.Count);
        var dropped = Assert.Single(onDisk, id => id != kept);
        Assert.DoesNotContain(dropped, File.ReadAllText(Path.Combine(limited.DatasetDir, "splits.csv")), StringComparison.Ordinal);
        Assert.Contains(PipelineEventLog.Read(Path.Combine(output, "pipeline", "events.jsonl")),
            e => e.Event == "warning" && e.Stage == "gather" && e.Message!.Contains(dropped, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_leaves_no_temp_file_and_the_next_run_completes()
    {
        using var temp = new TempDir();
        var output = temp.File("out");
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(output, Tiny(), (stage, _) =>
        {
            if (stage == PipelineRunner.RenderStageName)
            {
                cancel.Cancel(); // Ctrl-C while the first song is about to render
            }
        }, cancel.Token));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(output, "*", SearchOption.AllDirectories), p => AtomicFile.IsTempFile(p) || p.Contains(".render-tmp", StringComparison.Ordinal));
        Assert.Contains(PipelineEventLog.Read(Path.Combine(output, "pipeline", "events.jsonl")), e => e.Event == "run_end" && e.Status == "cancelled");

        var resumed = await Run(output, Tiny());
        Assert.Equal(2, resumed.SongsInDataset);
        Assert.Equal(2, resumed.Stage("ingest").Skipped + resumed.Stage("ingest").Done);
    }

    private static Dictionary<string, string> Stems(string datasetDir) =>
        Directory.EnumerateFiles(datasetDir, "*_STEM_*.wav", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(datasetDir, f), ContentHash.OfFileFast);
}
