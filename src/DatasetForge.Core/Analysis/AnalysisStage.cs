using System.Text;
using DatasetForge.Analysis.Bleed;
using DatasetForge.Common;
using DatasetForge.Common.Config;

namespace DatasetForge.Analysis;

/// <summary>What a run of the stage did.</summary>
public sealed record AnalysisRunSummary(IReadOnlyList<SongAnalysisSummary> Songs, IReadOnlyList<QuarantineRecord> Quarantined, IReadOnlyList<string> Warnings, TimeSpan Elapsed)
{
    public int Analysed => Songs.Count(s => !s.Skipped);

    public int Skipped => Songs.Count(s => s.Skipped);

    public double AudioSeconds => Songs.Sum(s => s.TrackSeconds + s.StemSeconds);
}

/// <summary>
/// The analysis stage: every song of a dataset or catalog through <see cref="SongAnalyzer"/> (in parallel, each song
/// idempotent), then <see cref="Gather"/>. A song that fails is quarantined; the run goes on.
/// </summary>
public static class AnalysisStage
{
    /// <summary>Gathered outputs (in `analysis/`) and the row schema of each.</summary>
    public static readonly IReadOnlyDictionary<string, string> Outputs = new Dictionary<string, string>
    {
        ["segments.csv"] = "analysis-segment-row.schema.json",
        ["saliency.csv"] = "analysis-saliency-row.schema.json",
        ["bleed.csv"] = "analysis-bleed-row.schema.json",
        ["bleed_pairs.csv"] = "analysis-bleed-pair-row.schema.json",
        ["vocal_quality.csv"] = "analysis-vocal-quality-row.schema.json",
        ["songs.csv"] = "analysis-song-row.schema.json",
        ["quarantine.csv"] = "analysis-quarantine-row.schema.json",
    };

    public static async Task<AnalysisRunSummary> RunAsync(
        AnalysisInput input,
        AnalysisOptions options,
        int parallelism = 0,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var calibration = BleedCalibration.Load(options.Bleed.Calibration);
        var analyzer = new SongAnalyzer(options, calibration, input.Hierarchy, input.AnalysisDir);
        var results = new SongAnalysisSummary?[input.Songs.Count];
        var failed = new List<QuarantineRecord>();
        var done = 0L;
        await Parallel.ForEachAsync(Enumerable.Range(0, input.Songs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount, CancellationToken = cancellationToken },
            (i, token) =>
            {
                var song = input.Songs[i];
                try
                {
                    results[i] = analyzer.Analyze(song, token);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
                {
                    lock (failed)
                    {
                        failed.Add(new QuarantineRecord(song.SongId, "analysis", e.Message));
                    }
                }

                var n = Interlocked.Increment(ref done);
                var r = results[i];
                progress?.Report(new StageProgress("analysis", song.SongId, n, input.Songs.Count,
                    r is null ? "failed" : r.Skipped ? "unchanged" : null, 0, r is null ? 0 : r.TrackSeconds + r.StemSeconds));
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);

        var summaries = results.OfType<SongAnalysisSummary>().ToList();
        var quarantined = summaries.SelectMany(s => s.Quarantined).Concat(failed).ToList();
        Gather(input.AnalysisDir, input.Songs, failed);
        return new AnalysisRunSummary(summaries, quarantined, input.Warnings, started.Elapsed);
    }

    /// <summary>
    /// Concatenates the per-song outputs of <paramref name="songs"/> (those that have them) into `analysis/*.csv`,
    /// atomically, and copies the row schemas into `analysis/schemas/`. Cheap: text concatenation, no parsing.
    /// </summary>
    public static void Gather(string analysisDir, IReadOnlyList<AnalysisSong> songs, IReadOnlyList<QuarantineRecord>? failedSongs = null)
    {
        ArgumentNullException.ThrowIfNull(songs);
        Directory.CreateDirectory(analysisDir);
        foreach (var name in SongAnalyzer.Files)
        {
            var target = name == "song.csv" ? "songs.csv" : name;
            var text = new StringBuilder();
            string? header = null;
            foreach (var song in songs)
            {
                var path = Path.Combine(analysisDir, SongAnalyzer.SongsFolder, song.Folder, name);
                if (!File.Exists(path))
                {
                    continue;
                }

                using var reader = new StreamReader(path, Encoding.UTF8);
                var first = reader.ReadLine();
                if (first is null)
                {
                    continue;
                }

                if (header is null)
                {
                    header = first;
                    text.Append(first).Append('\n');
                }

                var rest = reader.ReadToEnd();
                text.Append(rest);
                if (rest.Length > 0 && rest[^1] != '\n')
                {
                    text.Append('\n');
                }
            }

            if (name == "quarantine.csv" && failedSongs is { Count: > 0 })
            {
                if (header is null)
                {
                    header = "item,stage,reason";
                    text.Append(header).Append('\n');
                }

                foreach (var f in failedSongs)
                {
                    text.Append(Csv(f.Item)).Append(',').Append(Csv(f.Stage)).Append(',').Append(Csv(f.Reason)).Append('\n');
                }
            }

            AtomicFile.WriteAllText(Path.Combine(analysisDir, target), header is null ? string.Empty : text.ToString());
        }

        foreach (var schema in Outputs.Values.Distinct())
        {
            AtomicFile.WriteAllText(Path.Combine(analysisDir, "schemas", schema), EmbeddedAssets.ReadText($"schemas/{schema}"));
        }
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
