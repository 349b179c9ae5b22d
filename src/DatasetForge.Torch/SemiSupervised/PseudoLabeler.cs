using System.Globalization;
using System.Text;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Dsp.Resampling;
using DatasetForge.Evaluation;
using EvalModel = DatasetForge.Evaluation.ISeparationModel;

namespace DatasetForge.Torch.SemiSupervised;

/// <summary>What a segment of an unlabelled mixture becomes.</summary>
public enum SegmentLabel
{
    /// <summary>The teacher hears (almost) only the target: mixture-to-residual energy difference above the threshold. Target = the mixture.</summary>
    CleanTarget,

    /// <summary>The teacher hears no target: mixture-to-target energy difference above the threshold. Residual = the mixture.</summary>
    CleanResidual,

    /// <summary>Both present: the teacher's estimate and the mixture minus it are the pseudo-labels.</summary>
    Pseudo,

    /// <summary>A digitally silent mixture segment: unused.</summary>
    Silent,
}

public sealed record PseudoLabelOptions
{
    public double SegmentSeconds { get; init; } = 6;

    public double ThresholdDb { get; init; } = 30;

    /// <summary>The teacher's overlap-add chunk and hop (seconds).</summary>
    public double ChunkSeconds { get; init; } = 6;

    public double HopSeconds { get; init; } = 3;
}

/// <summary>One labelled segment.</summary>
public sealed record PseudoSegment(string SongId, double StartSeconds, double EndSeconds, SegmentLabel Label, double MixtureToTargetDb, double MixtureToResidualDb);

/// <summary>What <see cref="PseudoLabeler.Build"/> wrote.</summary>
public sealed record PseudoLabelResult(string DatasetDir, IReadOnlyList<PseudoSegment> Segments, IReadOnlyList<QuarantineRecord> Issues)
{
    public int Count(SegmentLabel label) => Segments.Count(s => s.Label == label);
}

/// <summary>
/// Semi-supervised fine-tuning data (BSRNN, Luo and Yu 2023, Sec. III): a teacher separates unlabelled mixtures
/// (overlap-add over the whole song); every segment is labelled by energies: a mixture-to-target energy difference
/// above the threshold (30 dB) makes it a clean residual, a mixture-to-residual difference above it a clean target,
/// anything else a pseudo-label (the teacher's target estimate and the mixture minus it). The result is written as a
/// dataset in the contract layout (docs/CONTRACTS.md section 3: the mixture, level-2 stems `TARGET` and `residual`,
/// manifests, every song in the train split, analysis/segments.csv with each stem's usable segments marked salient,
/// and analysis/pseudo_segments.csv with every label and its energies), so the mix stream can remix target and
/// residual chunks of different songs with the usual recipe machinery.
/// </summary>
public static class PseudoLabeler
{
    public const string Residual = "residual";

    /// <summary>The label of a segment from its energies (mixture, target estimate, residual estimate).</summary>
    public static SegmentLabel Classify(double mixtureEnergy, double targetEnergy, double residualEnergy, double thresholdDb)
    {
        if (mixtureEnergy <= 0)
        {
            return SegmentLabel.Silent;
        }

        var toTarget = Db(mixtureEnergy, targetEnergy);
        var toResidual = Db(mixtureEnergy, residualEnergy);
        if (toTarget > thresholdDb)
        {
            return SegmentLabel.CleanResidual;
        }

        return toResidual > thresholdDb ? SegmentLabel.CleanTarget : SegmentLabel.Pseudo;
    }

    /// <summary>
    /// Separates every song with <paramref name="teacher"/> (its output <paramref name="target"/>), labels its segments
    /// and writes the pseudo-labelled dataset to <paramref name="outDir"/>. Songs the teacher cannot take are reported
    /// and skipped. Songs at another rate than the teacher's are resampled first.
    /// </summary>
    public static PseudoLabelResult Build(EvalModel teacher, string target, IReadOnlyList<(string SongId, string Path)> songs, string outDir, PseudoLabelOptions options,
        TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        var t = teacher.Targets.ToList().IndexOf(target);
        if (t < 0)
        {
            throw new ArgumentException($"the teacher separates {string.Join(", ", teacher.Targets)}; it has no output '{target}'");
        }

        Directory.CreateDirectory(outDir);
        var songRows = new StringBuilder("song_id,artist,title,folder,mix_path,sample_rate,channels,frames,duration_s\n");
        var stemRows = new StringBuilder("song_id,level,node,path,sample_rate,channels,frames,normalization,status\n");
        var splitRows = new StringBuilder("song_id,artist,split\n");
        var segmentRows = new StringBuilder("song_id,source,level,name,method,start_s,end_s,salient\n");
        var labelRows = new StringBuilder("song_id,start_s,end_s,label,mixture_to_target_db,mixture_to_residual_db\n");
        var segments = new List<PseudoSegment>();
        var issues = new List<QuarantineRecord>();
        foreach (var (songId, path) in songs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AudioBuffer mixture;
            try
            {
                mixture = AudioFile.ReadAll(path);
                if (teacher.SampleRate != 0 && mixture.SampleRate != teacher.SampleRate)
                {
                    mixture = Resampler.Resample(mixture, teacher.SampleRate);
                }

                var (chunk, hop) = OverlapAdd.Frames(options.ChunkSeconds, options.HopSeconds, mixture.SampleRate);
                var estimate = OverlapAdd.Separate(teacher, mixture, chunk, hop, cancellationToken: cancellationToken)[t];
                var folder = Folder(songId);
                var (targetStem, residualStem, songSegments) = Label(songId, mixture, estimate, options);
                segments.AddRange(songSegments);
                var mixPath = $"{folder}/{folder}_MIX.wav";
                var targetPath = $"{folder}/{folder}_STEMS/{folder}_STEM_L2_{target}.wav";
                var residualPath = $"{folder}/{folder}_STEMS/{folder}_STEM_L2_{Residual}.wav";
                WavFile.Write(Full(outDir, mixPath), mixture);
                WavFile.Write(Full(outDir, targetPath), targetStem);
                WavFile.Write(Full(outDir, residualPath), residualStem);
                var (rate, channels, frames) = (mixture.SampleRate, mixture.ChannelCount, mixture.Frames);
                songRows.Append(Csv(songId, songId, songId, folder, mixPath, Num(rate), Num(channels), Num(frames), Num(frames / (double)rate))).Append('\n');
                splitRows.Append(Csv(songId, songId, "train")).Append('\n');
                stemRows.Append(Csv(songId, "2", target, targetPath, Num(rate), Num(channels), Num(frames), "none", "ok")).Append('\n');
                stemRows.Append(Csv(songId, "2", Residual, residualPath, Num(rate), Num(channels), Num(frames), "none", "ok")).Append('\n');
                foreach (var s in songSegments)
                {
                    var hasTarget = s.Label is SegmentLabel.CleanTarget or SegmentLabel.Pseudo;
                    var hasResidual = s.Label is SegmentLabel.CleanResidual or SegmentLabel.Pseudo;
                    segmentRows.Append(Csv(songId, "stem", "2", target, "bsrnn", Num(s.StartSeconds), Num(s.EndSeconds), hasTarget ? "true" : "false")).Append('\n');
                    segmentRows.Append(Csv(songId, "stem", "2", Residual, "bsrnn", Num(s.StartSeconds), Num(s.EndSeconds), hasResidual ? "true" : "false")).Append('\n');
                    labelRows.Append(Csv(songId, Num(s.StartSeconds), Num(s.EndSeconds), s.Label.ToString(), Num(Math.Round(s.MixtureToTargetDb, 3)), Num(Math.Round(s.MixtureToResidualDb, 3)))).Append('\n');
                }

                log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"pseudo-labels: {songId}: {songSegments.Count(s => s.Label == SegmentLabel.CleanTarget)} clean target, {songSegments.Count(s => s.Label == SegmentLabel.CleanResidual)} clean residual, {songSegments.Count(s => s.Label == SegmentLabel.Pseudo)} pseudo"));
            }
            catch (Exception e) when (e is AudioFormatException or EvaluationInputException or IOException)
            {
                issues.Add(new QuarantineRecord(path, "pseudo-label", e.Message));
                log?.WriteLine($"warning: {path}: {e.Message} (skipped)");
            }
        }

        AtomicFile.WriteAllText(Path.Combine(outDir, "manifests", "songs.csv"), songRows.ToString());
        AtomicFile.WriteAllText(Path.Combine(outDir, "manifests", "stems.csv"), stemRows.ToString());
        AtomicFile.WriteAllText(Path.Combine(outDir, "splits.csv"), splitRows.ToString());
        AtomicFile.WriteAllText(Path.Combine(outDir, "analysis", "segments.csv"), segmentRows.ToString());
        AtomicFile.WriteAllText(Path.Combine(outDir, "analysis", "pseudo_segments.csv"), labelRows.ToString());
        AtomicFile.WriteAllText(Path.Combine(outDir, "dataset.yaml"), $"built_by: forge train (semi-supervised pseudo-labels)\ntarget: {target}\nthreshold_db: {Num(options.ThresholdDb)}\nsegment_seconds: {Num(options.SegmentSeconds)}\n");
        return new PseudoLabelResult(outDir, segments, issues);
    }

    /// <summary>Target and residual stems of one song under the segment labels, and the labels (whole segments; a tail shorter than half a segment is left silent).</summary>
    public static (AudioBuffer Target, AudioBuffer Residual, List<PseudoSegment> Segments) Label(string songId, AudioBuffer mixture, AudioBuffer estimate, PseudoLabelOptions options)
    {
        var rate = mixture.SampleRate;
        var length = (int)Math.Round(options.SegmentSeconds * rate);
        var target = new AudioBuffer(rate, mixture.ChannelCount, mixture.Frames);
        var residual = new AudioBuffer(rate, mixture.ChannelCount, mixture.Frames);
        var result = new List<PseudoSegment>();
        for (var start = 0; start < mixture.Frames; start += length)
        {
            var count = Math.Min(length, mixture.Frames - start);
            if (count < length / 2)
            {
                break;
            }

            double eMix = 0, eTarget = 0, eResidual = 0;
            for (var c = 0; c < mixture.ChannelCount; c++)
            {
                var m = mixture.Channels[c];
                var e = estimate.Channels[c];
                for (var i = start; i < start + count; i++)
                {
                    eMix += (double)m[i] * m[i];
                    eTarget += (double)e[i] * e[i];
                    var r = (double)m[i] - e[i];
                    eResidual += r * r;
                }
            }

            var label = Classify(eMix, eTarget, eResidual, options.ThresholdDb);
            for (var c = 0; c < mixture.ChannelCount; c++)
            {
                var m = mixture.Channels[c].AsSpan(start, count);
                var e = estimate.Channels[c].AsSpan(start, count);
                var tt = target.Channels[c].AsSpan(start, count);
                var rr = residual.Channels[c].AsSpan(start, count);
                switch (label)
                {
                    case SegmentLabel.CleanTarget:
                        m.CopyTo(tt);
                        break;
                    case SegmentLabel.CleanResidual:
                        m.CopyTo(rr);
                        break;
                    case SegmentLabel.Pseudo:
                        e.CopyTo(tt);
                        System.Numerics.Tensors.TensorPrimitives.Subtract(m, e, rr);
                        break;
                }
            }

            result.Add(new PseudoSegment(songId, (double)start / rate, (double)(start + count) / rate, label, Db(eMix, eTarget), Db(eMix, eResidual)));
        }

        return (target, residual, result);
    }

    /// <summary>The songs of a folder (audio files, recursively; song id = path below the folder without extension) or of a dataset split ("split:NAME").</summary>
    public static IReadOnlyList<(string SongId, string Path)> Songs(string unlabeled, Mixing.MixDataset? dataset)
    {
        if (unlabeled.StartsWith("split:", StringComparison.Ordinal))
        {
            var split = unlabeled["split:".Length..];
            if (dataset is null)
            {
                throw new ArgumentException($"'{unlabeled}' needs a dataset");
            }

            var list = dataset.Songs.Where(s => s.Split == split && !string.IsNullOrEmpty(s.MixPath)).Select(s => (s.SongId, dataset.FullPath(s.MixPath))).ToList();
            return list.Count > 0 ? list : throw new ArgumentException($"split '{split}' of {dataset.Root} has no song with a mixture");
        }

        if (!Directory.Exists(unlabeled))
        {
            throw new DirectoryNotFoundException($"{unlabeled}: no such folder of unlabelled songs (or give split:NAME)");
        }

        var files = Directory.EnumerateFiles(unlabeled, "*", SearchOption.AllDirectories)
            .Where(f => AudioFile.ReadableExtensions.Contains(Path.GetExtension(f)) && !AtomicFile.IsTempFile(f))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.ChangeExtension(Path.GetRelativePath(unlabeled, f), null).Replace('\\', '/'), f))
            .ToList();
        return files.Count > 0 ? files : throw new ArgumentException($"{unlabeled}: no audio files");
    }

    private static double Db(double numerator, double denominator) =>
        denominator <= 0 ? double.PositiveInfinity : 10 * Math.Log10(numerator / denominator);

    private static string Folder(string songId)
    {
        var sb = new StringBuilder();
        foreach (var ch in songId.Replace(" - ", "_", StringComparison.Ordinal))
        {
            sb.Append(char.IsLetterOrDigit(ch) ? ch : ch == ' ' ? '_' : '-');
        }

        return sb.ToString();
    }

    private static string Full(string root, string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string Num(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Csv(params string[] fields) =>
        string.Join(',', fields.Select(f => f.Contains(',') || f.Contains('"') ? $"\"{f.Replace("\"", "\"\"")}\"" : f));
}
