using System.Diagnostics;
using DatasetForge.Common;
using DatasetForge.Hierarchy;

namespace DatasetForge.Render;

/// <param name="Labels">LABELS_DIR (holding labels.csv) or the labels.csv file</param>
/// <param name="CatalogDir">the ingest catalog folder the labels' paths are relative to (null: LABELS_DIR or its parent when that holds catalog/tracks.csv)</param>
/// <param name="DatasetDir">the dataset folder to write</param>
/// <param name="Concurrency">songs rendered at once</param>
public sealed record RenderStageOptions(string Labels, string? CatalogDir, HierarchyDefinition Hierarchy, RenderOptions Render, string DatasetDir, int Concurrency = 1);

/// <summary>What a render run did.</summary>
public sealed record RenderSummary(
    int Songs,
    int Rendered,
    int MetadataOnly,
    int Skipped,
    int Failed,
    int FilesWritten,
    int FilesKept,
    double AudioSeconds,
    TimeSpan Elapsed,
    IReadOnlyList<SongRenderResult> Results,
    IReadOnlyList<QuarantineRecord> Problems);

/// <summary>
/// The whole render stage: plan every song (<see cref="RenderPlanner"/>), render the songs
/// (<see cref="SongRenderer.RenderAsync"/>, <see cref="RenderStageOptions.Concurrency"/> at once; a song that throws
/// is reported and the others go on), write `dataset.yaml`, and gather the manifests
/// (<see cref="DatasetManifests.Gather"/>).
/// </summary>
public static class RenderStage
{
    public static async Task<RenderSummary> RunAsync(RenderStageOptions options, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var plans = RenderPlanner.Plan(options.Labels, options.CatalogDir, options.Hierarchy, options.Render, options.DatasetDir);
        Directory.CreateDirectory(options.DatasetDir);
        var results = new SongRenderResult?[plans.Songs.Count];
        var problems = new List<QuarantineRecord>(plans.Problems);
        var done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, plans.Songs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var plan = plans.Songs[i];
                SongRenderResult result;
                try
                {
                    result = await SongRenderer.RenderAsync(plan, null, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or Audio.AudioFormatException or InvalidDataException)
                {
                    result = new SongRenderResult(plan, SongRenderOutcome.Failed, null, 0, 0, 0, [new QuarantineRecord(plan.SongId, SongRenderer.Stage, e.Message)]);
                }

                results[i] = result;
                var n = Interlocked.Increment(ref done);
                progress?.Report(new StageProgress(SongRenderer.Stage, plan.SongId, n, plans.Songs.Count,
                    result.Outcome == SongRenderOutcome.Failed ? "failed: " + string.Join("; ", result.Problems.Select(p => p.Reason)) : result.Outcome.ToString().ToLowerInvariant(),
                    AudioSeconds: result.AudioSeconds));
            }).ConfigureAwait(false);

        var all = results.Select(r => r!).ToList();
        problems.AddRange(all.Where(r => r.Outcome == SongRenderOutcome.Failed).SelectMany(r => r.Problems));
        var render = options.Render;
        new DatasetInfo
        {
            Hierarchy = options.Hierarchy.Name,
            HierarchyOrigin = options.Hierarchy.Origin,
            HierarchySha256 = ContentHash.OfText(options.Hierarchy.ToYaml()),
            Mode = render.ModeName,
            Parameters = SongRenderer.Parameters(render),
            SampleRate = render.SampleRate,
            Channels = render.Channels,
            Labels = Path.GetFullPath(options.Labels),
            Catalog = plans.CatalogDir ?? string.Empty,
        }.Write(options.DatasetDir);
        var gathered = DatasetManifests.Gather(options.DatasetDir, problems);
        return new RenderSummary(
            all.Count,
            all.Count(r => r.Outcome == SongRenderOutcome.Rendered),
            all.Count(r => r.Outcome == SongRenderOutcome.MetadataOnly),
            all.Count(r => r.Outcome == SongRenderOutcome.Skipped),
            all.Count(r => r.Outcome == SongRenderOutcome.Failed),
            all.Sum(r => r.FilesWritten),
            all.Sum(r => r.FilesKept),
            all.Sum(r => r.AudioSeconds),
            clock.Elapsed,
            all,
            gathered.Problems);
    }
}
