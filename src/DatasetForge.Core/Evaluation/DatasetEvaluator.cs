using DatasetForge.Audio;
using DatasetForge.Common;

namespace DatasetForge.Evaluation;

/// <summary>One song x target x system row of <c>songs.csv</c> (schema: eval-song-row.schema.json).</summary>
public sealed record SongScoreRow(string System, string Song, string Target, double Csdr, double Sir, double Isr, double Sar, double Usdr, double SiSdr, int Frames, int NanFrames);

/// <summary>
/// One target x system row of <c>aggregate.csv</c> (schema: eval-aggregate-row.schema.json): museval's aggregation
/// (median over frames, then median over songs) for SDR/SIR/ISR/SAR, and the MDX mean of uSDR over songs.
/// </summary>
public sealed record AggregateRow(string System, string Target, int Songs, double Csdr, double Sir, double Isr, double Sar, double UsdrMean, double SiSdrMean);

/// <summary>What to evaluate: a split of a dataset, one or more systems, and optionally ensemble weights for a blend.</summary>
public sealed record DatasetEvaluationRequest
{
    public required string DatasetRoot { get; init; }

    public required IReadOnlyList<SystemEstimates> Systems { get; init; }

    public required string OutputDir { get; init; }

    public string Split { get; init; } = "test";

    public IDatasetLayout Layout { get; init; } = new MusdbLayout();

    /// <summary>Restrict to these targets (default: every reference stem of each song).</summary>
    public IReadOnlyList<string>? Targets { get; init; }

    public EvaluationOptions Options { get; init; } = new();

    /// <summary>When set, a system named <see cref="BlendName"/> (the weighted sum of the systems) is evaluated too.</summary>
    public EnsembleWeights? Weights { get; init; }

    public const string BlendName = "blend";
}

/// <summary>The outcome of <see cref="DatasetEvaluator.Run"/>: rows, failures (song, reason) and the files written.</summary>
public sealed record DatasetEvaluationResult(
    IReadOnlyList<SongScoreRow> Songs,
    IReadOnlyList<AggregateRow> Aggregate,
    IReadOnlyList<QuarantineRecord> Failures,
    string SongsCsv,
    string AggregateCsv,
    string HtmlReport);

/// <summary>
/// Evaluates whole splits: every song with every system (and the ensemble blend), writing museval-shaped JSON per
/// song (<c>out/&lt;system&gt;/&lt;split&gt;/&lt;song&gt;.json</c>), <c>songs.csv</c>, <c>aggregate.csv</c> and
/// <c>report.html</c>. A song that cannot be evaluated (missing estimate, silent stem, unreadable file) becomes a
/// failure naming the song and the reason; the run goes on.
/// </summary>
public static class DatasetEvaluator
{
    public const string Stage = "eval";

    public static DatasetEvaluationResult Run(DatasetEvaluationRequest request, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (request.Systems.Count == 0)
        {
            throw new EvaluationInputException("no estimates to evaluate");
        }

        if (request.Weights is not null && !request.Weights.Members.SequenceEqual(request.Systems.Select(s => s.Name)))
        {
            throw new EvaluationInputException($"the ensemble weights are for members [{string.Join(", ", request.Weights.Members)}] but the systems are [{string.Join(", ", request.Systems.Select(s => s.Name))}]");
        }

        var songs = request.Layout.Songs(request.DatasetRoot, request.Split);
        var rows = new List<SongScoreRow>();
        var failures = new List<QuarantineRecord>();
        var done = 0;
        foreach (var song in songs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new StageProgress(Stage, song.Name, done, songs.Count));
            try
            {
                rows.AddRange(EvaluateSong(request, song, failures, cancellationToken));
            }
            catch (Exception e) when (e is EvaluationInputException or IOException)
            {
                failures.Add(new QuarantineRecord(song.Name, Stage, e.Message));
            }

            done++;
            progress?.Report(new StageProgress(Stage, song.Name, done, songs.Count));
        }

        var aggregate = Aggregate(rows);
        Directory.CreateDirectory(request.OutputDir);
        var songsCsv = Path.Combine(request.OutputDir, "songs.csv");
        var aggregateCsv = Path.Combine(request.OutputDir, "aggregate.csv");
        var html = Path.Combine(request.OutputDir, "report.html");
        CsvTable.Write(songsCsv, rows);
        CsvTable.Write(aggregateCsv, aggregate);
        if (failures.Count > 0)
        {
            CsvTable.Write(Path.Combine(request.OutputDir, "quarantine.csv"), failures);
        }

        AtomicFile.WriteAllText(html, EvaluationReport.Html(request, aggregate, rows, failures));
        return new DatasetEvaluationResult(rows, aggregate, failures, songsCsv, aggregateCsv, html);
    }

    /// <summary>museval: median over frames (per song), then median over songs; MDX: mean uSDR over songs.</summary>
    public static IReadOnlyList<AggregateRow> Aggregate(IEnumerable<SongScoreRow> rows) =>
        rows.GroupBy(r => (r.System, r.Target))
            .Select(g => new AggregateRow(
                g.Key.System,
                g.Key.Target,
                g.Count(),
                Statistics.NanMedian(g.Select(r => r.Csdr)),
                Statistics.NanMedian(g.Select(r => r.Sir)),
                Statistics.NanMedian(g.Select(r => r.Isr)),
                Statistics.NanMedian(g.Select(r => r.Sar)),
                Statistics.NanMean(g.Select(r => r.Usdr)),
                Statistics.NanMean(g.Select(r => r.SiSdr))))
            .OrderBy(r => r.System, StringComparer.Ordinal)
            .ThenBy(r => r.Target, StringComparer.Ordinal)
            .ToArray();

    private static List<SongScoreRow> EvaluateSong(DatasetEvaluationRequest request, DatasetSong song, List<QuarantineRecord> failures, CancellationToken cancellationToken)
    {
        var targets = request.Targets?.ToArray() ?? song.References.Keys.Order(StringComparer.Ordinal).ToArray();
        foreach (var t in targets.Where(t => !song.References.ContainsKey(t)))
        {
            throw new EvaluationInputException($"{song.Folder}: no reference for target '{t}' (has: {string.Join(", ", song.References.Keys)})");
        }

        var references = targets.Select(t => SongEvaluator.Read(song.References[t])).ToArray();
        var length = references[0].Frames;
        var rows = new List<SongScoreRow>();
        AudioBuffer[]? blend = null;
        var blendComplete = request.Weights is not null;
        for (var k = 0; k < request.Systems.Count; k++)
        {
            var system = request.Systems[k];
            AudioBuffer[] estimates;
            try
            {
                estimates = ReadEstimates(request, song, system, targets);
            }
            catch (Exception e) when (e is EvaluationInputException or IOException)
            {
                failures.Add(new QuarantineRecord($"{song.Name} ({system.Name})", Stage, e.Message));
                blendComplete = false;
                continue;
            }

            if (request.Weights is not null)
            {
                blend ??= targets.Select(_ => new AudioBuffer(references[0].SampleRate, references[0].ChannelCount, length)).ToArray();
                for (var j = 0; j < targets.Length; j++)
                {
                    var w = request.Weights.For(targets[j])[k];
                    AddScaled(blend[j], estimates[j], w);
                }
            }

            rows.AddRange(Score(request, song, system.Name, targets, references, estimates, failures, cancellationToken));
        }

        if (blend is not null && blendComplete)
        {
            rows.AddRange(Score(request, song, DatasetEvaluationRequest.BlendName, targets, references, blend, failures, cancellationToken));
        }

        return rows;
    }

    private static IEnumerable<SongScoreRow> Score(DatasetEvaluationRequest request, DatasetSong song, string system, string[] targets,
        AudioBuffer[] references, AudioBuffer[] estimates, List<QuarantineRecord> failures, CancellationToken cancellationToken)
    {
        TrackScores scores;
        try
        {
            scores = SongEvaluator.Evaluate(song.Name, targets.Select((t, j) => new TargetAudio(t, references[j], estimates[j])).ToArray(), request.Options, cancellationToken);
        }
        catch (EvaluationInputException e)
        {
            failures.Add(new QuarantineRecord($"{song.Name} ({system})", Stage, e.Message));
            return [];
        }

        var path = Path.Combine(request.OutputDir, Safe(system), Safe(request.Split), Safe(song.Name) + ".json");
        AtomicFile.WriteAllText(path, scores.ToJson());
        return scores.Targets.Select(t => new SongScoreRow(system, song.Name, t.Name, t.Csdr, t.MedianSir, t.MedianIsr, t.MedianSar, t.Usdr, t.SiSdr, t.Frames.Count, t.NanFrames)).ToArray();
    }

    private static AudioBuffer[] ReadEstimates(DatasetEvaluationRequest request, DatasetSong song, SystemEstimates system, string[] targets)
    {
        var folder = request.Layout.EstimateFolder(system.Root, request.Split, song);
        if (!Directory.Exists(folder))
        {
            throw new EvaluationInputException($"{folder}: no estimates for song '{song.Name}' from '{system.Name}'");
        }

        var files = Directory.EnumerateFiles(folder)
            .Where(f => AudioFile.ReadableExtensions.Contains(Path.GetExtension(f)) && !AtomicFile.IsTempFile(f))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);
        var problems = targets.Where(t => !files.ContainsKey(t)).Select(t => $"missing estimate '{t}' in {folder}")
            .Concat(files.Keys.Where(f => !song.References.ContainsKey(f)).Order(StringComparer.Ordinal).Select(f => $"extra estimate {files[f]} has no reference in {song.Folder}"))
            .ToArray();
        if (problems.Length > 0)
        {
            throw new EvaluationInputException(string.Join("; ", problems));
        }

        return targets.Select(t => SongEvaluator.Read(files[t])).ToArray();
    }

    private static void AddScaled(AudioBuffer target, AudioBuffer source, double weight)
    {
        for (var c = 0; c < Math.Min(target.ChannelCount, source.ChannelCount); c++)
        {
            var dst = target.Channels[c];
            var src = source.Channels[c];
            var n = Math.Min(dst.Length, src.Length);
            for (var i = 0; i < n; i++)
            {
                dst[i] = (float)(dst[i] + (weight * src[i]));
            }
        }
    }

    /// <summary>A file-name-safe version of a song or system name (path separators and control characters replaced).</summary>
    internal static string Safe(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var chars = name.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray();
        var result = new string(chars).Trim();
        return result.Length == 0 || result is "." or ".." ? "_" : result;
    }

    /// <summary>
    /// Fits ensemble weights on a split: for each song, each target's reference and every system's estimate.
    /// Songs missing an estimate are skipped and reported.
    /// </summary>
    public static (EnsembleWeights Weights, IReadOnlyList<QuarantineRecord> Failures) FitWeights(
        string datasetRoot, IDatasetLayout layout, string split, IReadOnlyList<SystemEstimates> systems, IReadOnlyList<string>? targetFilter,
        IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var fitter = new EnsembleFitter(systems.Select(s => s.Name).ToArray());
        var failures = new List<QuarantineRecord>();
        var songs = layout.Songs(datasetRoot, split);
        var done = 0;
        var request = new DatasetEvaluationRequest { DatasetRoot = datasetRoot, Systems = systems, OutputDir = string.Empty, Split = split, Layout = layout };
        foreach (var song in songs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new StageProgress("ensemble-fit", song.Name, done, songs.Count));
            try
            {
                var targets = targetFilter?.ToArray() ?? song.References.Keys.Order(StringComparer.Ordinal).ToArray();
                foreach (var t in targets.Where(t => !song.References.ContainsKey(t)))
                {
                    throw new EvaluationInputException($"{song.Folder}: no reference for target '{t}'");
                }

                var estimates = systems.Select(s => ReadEstimates(request, song, s, targets)).ToArray();
                var references = targets.Select(t => SongEvaluator.Read(song.References[t])).ToArray();
                for (var j = 0; j < targets.Length; j++)
                {
                    fitter.Add(targets[j], references[j], estimates.Select(e => e[j]).ToArray());
                }

                fitter.SongDone();
            }
            catch (Exception e) when (e is EvaluationInputException or IOException)
            {
                failures.Add(new QuarantineRecord(song.Name, "ensemble-fit", e.Message));
            }

            done++;
            progress?.Report(new StageProgress("ensemble-fit", song.Name, done, songs.Count));
        }

        if (fitter.Songs == 0)
        {
            throw new EvaluationInputException($"{Path.Combine(datasetRoot, split)}: no song could be used to fit the ensemble weights");
        }

        return (fitter.Solve($"{Path.GetFullPath(datasetRoot)} split '{split}'"), failures);
    }
}
