using System.Globalization;
using System.Runtime.CompilerServices;
using DatasetForge.Mixing;
using DatasetForge.Torch.Data;
using DatasetForge.Torch.Inference;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.SemiSupervised;

/// <summary>
/// Semi-supervised fine-tuning (BSRNN Sec. III) in rounds. Each round: the teacher pseudo-labels the unlabelled
/// mixtures (<see cref="PseudoLabeler"/>, into OUT/pseudo/round-N/); the student trains on a stream that takes every
/// k-th batch from remixes of the pseudo-labelled target and residual segments (target and residual from different
/// songs, the labelled recipe's gains and rescaling) and the others from the labelled stream; then student and
/// teacher are validated on the same held-out batches, and when the student is better (val_usdr) its checkpoint
/// becomes the teacher of the next round (OUT/rounds.jsonl records each decision). The student starts from the
/// teacher's weights unless `init_from` names others. Resuming a semi-supervised run is not supported.
/// </summary>
public static class SemiSupervisedTrainer
{
    public static async Task<TrainRunResult> RunAsync(TrainConfig config, TrainOverrides overrides, TextWriter log, IProgress<TrainProgress>? progress,
        CancellationToken cancellationToken)
    {
        var semi = config.SemiSupervised!;
        if (overrides.Resume)
        {
            throw new InvalidOperationException("--resume is not supported for semi-supervised runs (each round depends on the previous teacher); start a new run with init_from");
        }

        using var setup = TrainSetup.Build(config, overrides, log);
        if (setup.Recipe.Kind != MixKind.Stems || setup.Model is not BandSplitRnn student)
        {
            throw new ArgumentException("semi-supervised fine-tuning needs a bsrnn model on a stems recipe (one target per model)");
        }

        var validator = setup.Validator ?? throw new ArgumentException("semi-supervised fine-tuning needs `validation:` (the teacher is replaced when the student validates better)");
        var target = student.Target;
        var teacherDir = Checkpoint.Resolve(semi.Teacher) ?? throw new FileNotFoundException($"{semi.Teacher}: not a checkpoint or run folder");
        using var trainer = new Trainer(setup.Model, setup.Loss, setup.Options);
        TrainRunner.Describe(setup, log);
        TrainRunner.InitializeFrom(trainer, config.InitFrom ?? teacherDir, setup);
        var songs = PseudoLabeler.Songs(semi.Unlabeled, setup.Dataset);
        var rounds = semi.Rounds;
        var perRound = semi.StepsPerRound ?? Math.Max(1, setup.Options.Steps / rounds);
        var labeledBatch = 0L;
        var pseudoOptions = new PseudoLabelOptions { SegmentSeconds = semi.SegmentSeconds, ThresholdDb = semi.ThresholdDb, ChunkSeconds = semi.Chunk, HopSeconds = semi.Hop };
        TrainSummary? summary = null;
        using var roundsLog = new MetricsLog(Path.Combine(setup.OutDir, "rounds.jsonl"));
        for (var round = 1; round <= rounds && trainer.Step < setup.Options.Steps; round++)
        {
            var pseudoDir = Path.Combine(setup.OutDir, "pseudo", $"round-{round}");
            PseudoLabelResult labels;
            using (var teacher = TorchSeparator.Load(teacherDir, CPU))
            {
                labels = PseudoLabeler.Build(teacher, target, songs, pseudoDir, pseudoOptions, log, cancellationToken);
            }

            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"semi-supervised round {round}: teacher {teacherDir}; {labels.Count(SegmentLabel.CleanTarget)} clean target, {labels.Count(SegmentLabel.CleanResidual)} clean residual, {labels.Count(SegmentLabel.Pseudo)} pseudo-labelled segments of {songs.Count} songs"));
            var pseudoRecipe = PseudoRecipe(setup.Recipe, target);
            var pseudoPlanner = new MixPlanner(MixDataset.Load(pseudoDir), pseudoRecipe, config.Seed + (ulong)round);
            var workers = config.Workers > 0 ? config.Workers : Environment.ProcessorCount;
            using var labeled = new MixStream(setup.Planner, new MixStreamOptions { BatchSize = config.BatchSize, Workers = workers, StartBatch = labeledBatch });
            using var pseudo = new MixStream(pseudoPlanner, new MixStreamOptions { BatchSize = config.BatchSize, Workers = workers });
            var counter = new Interleave.Counter();
            var stream = Interleave.Run(labeled.ReadAllAsync(cancellationToken).ToTensorsAsync(setup.Options.Device, 1, cancellationToken),
                pseudo.ReadAllAsync(cancellationToken).ToTensorsAsync(setup.Options.Device, 1, cancellationToken), semi.PseudoEvery, trainer.NextBatch, counter, cancellationToken);
            summary = await trainer.RunAsync(stream, progress, cancellationToken, untilStep: trainer.Step + perRound).ConfigureAwait(false);
            labeledBatch += counter.First;

            var studentScores = trainer.ValidateNow();
            IReadOnlyDictionary<string, double> teacherScores;
            using (var teacherModel = ModelFactory.Create(setup.Description.Spec, setup.Shape))
            {
                teacherModel.Module.load(Path.Combine(teacherDir, Checkpoint.ModelFile));
                teacherModel.Module.to(setup.Options.Device);
                teacherScores = validator.Run(teacherModel, setup.Loss, setup.Options.Device);
            }

            var s = studentScores.GetValueOrDefault("val_usdr", double.NaN);
            var t = teacherScores.GetValueOrDefault("val_usdr", double.NaN);
            var replaced = double.IsFinite(s) && (!double.IsFinite(t) || s > t);
            if (replaced)
            {
                teacherDir = trainer.SaveCheckpoint();
            }

            roundsLog.Write(new Dictionary<string, double>
            {
                ["round"] = round,
                ["step"] = trainer.Step,
                ["student_val_usdr"] = s,
                ["teacher_val_usdr"] = t,
                ["replaced"] = replaced ? 1 : 0,
                ["clean_target"] = labels.Count(SegmentLabel.CleanTarget),
                ["clean_residual"] = labels.Count(SegmentLabel.CleanResidual),
                ["pseudo"] = labels.Count(SegmentLabel.Pseudo),
                ["pseudo_batches"] = counter.Second,
                ["labeled_batches"] = counter.First,
            });
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"semi-supervised round {round}: student uSDR {s:0.00} dB, teacher {t:0.00} dB: {(replaced ? $"the student is the new teacher ({teacherDir})" : "the teacher stays")}"));
        }

        return new TrainRunResult(summary ?? throw new InvalidOperationException("no round ran (steps already done?)"), setup.OutDir, setup.Description, config.BatchSize);
    }

    /// <summary>
    /// The recipe of the pseudo-labelled remixes: the labelled recipe's chunks, gains and rescaling over the
    /// pseudo-labelled dataset's target and residual stems (level 2, its salient segments), target and residual always
    /// from different songs.
    /// </summary>
    public static MixRecipe PseudoRecipe(MixRecipe labeled, string target) => labeled with
    {
        Name = $"{labeled.Name}-pseudo",
        Split = "train",
        Level = 2,
        Targets = [target, PseudoLabeler.Residual],
        Source = new MixSourceOptions { Index = SourceIndex.Segments, Method = "bsrnn" },
        Augment = labeled.Augment with { CrossSongRemix = 1.0 },
    };
}

/// <summary>
/// Interleaves two tensor streams: batch n of the result (numbered from <c>start</c>) comes from the second stream
/// when (n + 1) is a multiple of <c>every</c>, else from the first. Counts how many each gave.
/// </summary>
public static class Interleave
{
    public sealed class Counter
    {
        public long First { get; set; }

        public long Second { get; set; }
    }

    public static async IAsyncEnumerable<MixTensors> Run(IAsyncEnumerable<MixTensors> first, IAsyncEnumerable<MixTensors> second, int every, long start, Counter counter,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 2);
        await using var a = first.GetAsyncEnumerator(cancellationToken);
        await using var b = second.GetAsyncEnumerator(cancellationToken);
        for (var n = start; ; n++)
        {
            var fromSecond = (n + 1) % every == 0;
            var source = fromSecond ? b : a;
            if (!await source.MoveNextAsync().ConfigureAwait(false))
            {
                yield break;
            }

            var t = source.Current;
            if (fromSecond)
            {
                counter.Second++;
            }
            else
            {
                counter.First++;
            }

            yield return new MixTensors(t.Mixture, t.Targets, n, t.TargetNames, t.Plans, t.SampleRate);
        }
    }
}
