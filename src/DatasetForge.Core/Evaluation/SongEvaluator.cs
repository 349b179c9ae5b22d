using DatasetForge.Audio;

namespace DatasetForge.Evaluation;

/// <summary>How songs are scored: museval's 1 s window and hop by default.</summary>
public sealed record EvaluationOptions
{
    public double WindowSeconds { get; init; } = 1.0;

    public double HopSeconds { get; init; } = 1.0;

    public int FilterLength { get; init; } = 512;

    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    public BssEvalOptions ForSampleRate(int sampleRate) => new()
    {
        Window = (int)(WindowSeconds * sampleRate),
        Hop = (int)(HopSeconds * sampleRate),
        FilterLength = FilterLength,
        MaxDegreeOfParallelism = MaxDegreeOfParallelism,
    };
}

/// <summary>Bad evaluation input (missing or extra estimate, mismatched rates or lengths), naming the file.</summary>
public sealed class EvaluationInputException(string message) : Exception(message);

/// <summary>One target to score: its reference and estimate audio.</summary>
public sealed record TargetAudio(string Name, AudioBuffer Reference, AudioBuffer Estimate);

/// <summary>Scores a song: BSS Eval v4 over all its targets jointly (as museval does), plus uSDR and SI-SDR per target.</summary>
public static class SongEvaluator
{
    public static TrackScores Evaluate(string song, IReadOnlyList<TargetAudio> targets, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EvaluationOptions();
        if (targets.Count == 0)
        {
            throw new EvaluationInputException($"{song}: no targets to evaluate");
        }

        var rate = targets[0].Reference.SampleRate;
        foreach (var t in targets)
        {
            if (t.Reference.SampleRate != rate || t.Estimate.SampleRate != rate)
            {
                throw new EvaluationInputException($"{song}/{t.Name}: sample rates differ (reference {t.Reference.SampleRate} Hz, estimate {t.Estimate.SampleRate} Hz, first reference {rate} Hz)");
            }

            if (t.Reference.Frames != targets[0].Reference.Frames || t.Reference.ChannelCount != targets[0].Reference.ChannelCount)
            {
                throw new EvaluationInputException($"{song}/{t.Name}: reference is {t.Reference.ChannelCount} ch x {t.Reference.Frames} frames, '{targets[0].Name}' is {targets[0].Reference.ChannelCount} ch x {targets[0].Reference.Frames}");
            }

            if (t.Estimate.ChannelCount != t.Reference.ChannelCount)
            {
                throw new EvaluationInputException($"{song}/{t.Name}: estimate has {t.Estimate.ChannelCount} channels, reference {t.Reference.ChannelCount}");
            }
        }

        var bss = options.ForSampleRate(rate);
        var names = targets.Select(t => t.Name).ToArray();
        BssEvalResult result;
        try
        {
            result = BssEval.Evaluate(targets.Select(t => t.Reference).ToArray(), targets.Select(t => t.Estimate).ToArray(), bss, names, cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new EvaluationInputException($"{song}: {e.Message}");
        }

        var length = targets[0].Reference.Frames;
        var scores = new List<TargetScores>();
        for (var j = 0; j < targets.Count; j++)
        {
            var reference = targets[j].Reference.Channels;
            var estimate = targets[j].Estimate.Channels.Select(c => BssEval.MatchLength(c, length)).ToArray();
            var frames = Enumerable.Range(0, result.Frames).Select(t => new FrameScores(
                t * options.HopSeconds, options.WindowSeconds, result.Sdr[j][t], result.Sir[j][t], result.Isr[j][t], result.Sar[j][t])).ToArray();
            scores.Add(new TargetScores(names[j], frames, SeparationMetrics.Usdr(reference, estimate), SeparationMetrics.SiSdr(reference, estimate)));
        }

        return new TrackScores(song, rate, options.WindowSeconds, options.HopSeconds, scores);
    }

    /// <summary>
    /// Pairs the audio files of a reference folder with those of an estimate folder by file name (the target is the
    /// name without extension). Every reference needs an estimate and every estimate a reference; otherwise the
    /// error names each missing and extra file.
    /// </summary>
    public static IReadOnlyList<(string Target, string Reference, string Estimate)> PairDirectories(string referenceDir, string estimateDir)
    {
        if (!Directory.Exists(referenceDir))
        {
            throw new EvaluationInputException($"{referenceDir}: reference folder not found");
        }

        if (!Directory.Exists(estimateDir))
        {
            throw new EvaluationInputException($"{estimateDir}: estimate folder not found");
        }

        var refs = AudioFiles(referenceDir);
        var ests = AudioFiles(estimateDir);
        if (refs.Count == 0)
        {
            throw new EvaluationInputException($"{referenceDir}: no audio files");
        }

        var problems = new List<string>();
        foreach (var name in refs.Keys.Where(k => !ests.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            problems.Add($"missing estimate for '{name}' (expected {Path.Combine(estimateDir, Path.GetFileName(refs[name]))})");
        }

        foreach (var name in ests.Keys.Where(k => !refs.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            problems.Add($"extra estimate {ests[name]} has no reference '{name}' in {referenceDir}");
        }

        if (problems.Count > 0)
        {
            throw new EvaluationInputException(string.Join("; ", problems));
        }

        return refs.Keys.Order(StringComparer.Ordinal).Select(k => (k, refs[k], ests[k])).ToArray();
    }

    /// <summary>Reads every pair and scores the song (named after the reference folder).</summary>
    public static TrackScores EvaluateDirectories(string referenceDir, string estimateDir, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pairs = PairDirectories(referenceDir, estimateDir);
        var targets = pairs.Select(p => new TargetAudio(p.Target, Read(p.Reference), Read(p.Estimate))).ToArray();
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(referenceDir)));
        return Evaluate(name, targets, options, cancellationToken);
    }

    internal static AudioBuffer Read(string path)
    {
        try
        {
            return AudioFile.ReadAll(path);
        }
        catch (AudioFormatException e)
        {
            throw new EvaluationInputException(e.Message);
        }
    }

    private static Dictionary<string, string> AudioFiles(string dir)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            if (!AudioFile.ReadableExtensions.Contains(Path.GetExtension(path)) || Common.AtomicFile.IsTempFile(path))
            {
                continue;
            }

            var name = Path.GetFileNameWithoutExtension(path);
            if (!files.TryAdd(name, path))
            {
                throw new EvaluationInputException($"{path}: two audio files named '{name}' in {dir} ({Path.GetFileName(files[name])})");
            }
        }

        return files;
    }
}
