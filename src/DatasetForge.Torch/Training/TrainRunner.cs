using System.Globalization;
using DatasetForge.Mixing;
using DatasetForge.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>Command-line values that replace a config's.</summary>
public sealed record TrainOverrides
{
    public string? Dataset { get; init; }

    public long? Steps { get; init; }

    public string? Device { get; init; }

    public string? OutDir { get; init; }

    public bool Resume { get; init; }

    public int? TorchThreads { get; init; }
}

/// <summary>What <see cref="TrainRunner.RunAsync"/> did: the trainer's summary, the run folder and the model's description.</summary>
public sealed record TrainRunResult(TrainSummary Summary, string OutDir, ModelDescription Description, int BatchSize);

/// <summary>
/// Everything a config needs to train, built and checked before the first step: dataset, recipe (with overrides),
/// planner, model, loss (with loss masking), validator (a planner over the validation split with its own seed) and
/// the trainer's options (optimizer, schedule, clipping, precision, checkpoints, model.json).
/// </summary>
public sealed class TrainSetup : IDisposable
{
    private TrainSetup(TrainConfig config, MixDataset dataset, MixRecipe recipe, MixPlanner planner, StreamShape shape, ISeparationModel model, ILossFunction loss,
        Validator? validator, TrainerOptions options, ModelDescription description, string outDir)
    {
        Config = config;
        Dataset = dataset;
        Recipe = recipe;
        Planner = planner;
        Shape = shape;
        Model = model;
        Loss = loss;
        Validator = validator;
        Options = options;
        Description = description;
        OutDir = outDir;
    }

    public TrainConfig Config { get; }

    public MixDataset Dataset { get; }

    public MixRecipe Recipe { get; }

    public MixPlanner Planner { get; }

    public StreamShape Shape { get; }

    public ISeparationModel Model { get; }

    public ILossFunction Loss { get; }

    public Validator? Validator { get; }

    public TrainerOptions Options { get; }

    public ModelDescription Description { get; }

    public string OutDir { get; }

    public static TrainSetup Build(TrainConfig config, TrainOverrides? overrides, TextWriter? log = null)
    {
        overrides ??= new TrainOverrides();
        var datasetDir = overrides.Dataset ?? config.Dataset
            ?? throw new ArgumentException($"{config.Origin}: no dataset: set `dataset:` in the config or pass --dataset DIR");
        var device = TorchDevice.Resolve(overrides.Device ?? config.Device);
        if ((overrides.TorchThreads ?? config.TorchThreads) is > 0 and var threads)
        {
            torch.set_num_threads(threads);
        }

        var recipe = MixRecipe.Load(config.Recipe);
        if (config.RecipeOverrides is { } recipeOverrides)
        {
            recipe = recipeOverrides.Apply(recipe);
        }

        var dataset = MixDataset.Load(datasetDir);
        var planner = new MixPlanner(dataset, recipe, config.Seed);
        foreach (var issue in dataset.Issues.Concat(planner.Issues))
        {
            log?.WriteLine($"warning: {issue.Item}: {issue.Reason}");
        }

        var shape = new StreamShape(planner.SampleRate, planner.Channels, planner.TargetNames);
        manual_seed((long)(config.Seed & long.MaxValue));
        var model = ModelFactory.Create(config.Model, shape);
        try
        {
            var loss = BuildLoss(config, model, recipe, shape);
            Validator? validator = null;
            if (config.Validation is { } v)
            {
                var validationRecipe = recipe with { Split = v.Split };
                validator = new Validator(new MixPlanner(dataset, validationRecipe, v.Seed), v.Batches, v.BatchSize ?? config.BatchSize);
            }

            var precision = config.Precision switch
            {
                PrecisionSetting.Bf16 => TrainPrecision.BFloat16,
                PrecisionSetting.Fp32 => TrainPrecision.Float32,
                _ => device.type == DeviceType.CUDA ? TrainPrecision.BFloat16 : TrainPrecision.Float32,
            };
            var description = ModelFactory.Describe(config.Model, model, shape, recipe.Name, WrittenNames(planner, recipe));
            var outDir = overrides.OutDir ?? config.Output.Dir ?? Path.Combine("runs", config.Name);
            var options = new TrainerOptions
            {
                Steps = overrides.Steps ?? config.Steps,
                Device = device,
                LearningRate = config.Optimizer.Lr,
                Optimizer = (parameters, lr) => optim.Adam(parameters, lr, weight_decay: config.Optimizer.WeightDecay),
                LearningRateAt = Schedule(config, recipe),
                GradientClipNorm = config.ClipGradNorm,
                LogEvery = config.Output.LogEvery,
                CheckpointEvery = config.Output.CheckpointEvery,
                OutDir = outDir,
                TorchSeed = (long)(config.Seed & long.MaxValue),
                Run = new TrainRunInfo(recipe.Name, recipe.Hash, dataset.Key, config.Seed, config.BatchSize),
                Precision = precision,
                Validator = validator,
                ValidateEvery = config.Validation?.Every ?? 0,
                EarlyStopping = config.Validation?.EarlyStopping is { } es ? new EarlyStopping(es.Metric, es.Patience) : null,
                Description = description,
            };
            return new TrainSetup(config, dataset, recipe, planner, shape, model, loss, validator, options, description, outDir);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The default loss of a model kind (the paper's), or the configured one; wrapped in loss masking when configured.</summary>
    public static ILossFunction BuildLoss(TrainConfig config, ISeparationModel model, MixRecipe recipe, StreamShape shape)
    {
        var kind = config.Loss?.Kind ?? model switch
        {
            MaskInferenceNet => "tpsa",
            BandSplitRnn => "bsrnn",
            ConvTasNet => recipe.Kind == MixKind.Mixit ? "mixit" : "snr",
            _ => "l1",
        };
        var snr = config.Loss?.SnrMaxDb ?? 30;
        ILossFunction loss = kind switch
        {
            "tpsa" => new TpsaLoss(model as MaskInferenceNet ?? throw new ArgumentException("loss 'tpsa' needs model kind mask-inference"), config.Loss?.Domain ?? TpsaDomain.Signal),
            "bsrnn" => new BsrnnLoss(model as BandSplitRnn ?? throw new ArgumentException("loss 'bsrnn' needs model kind bsrnn")),
            "mixit" => recipe.Kind == MixKind.Mixit ? new MixitLoss(snr) : throw new ArgumentException($"loss 'mixit' needs a mixit recipe (recipe '{recipe.Name}' is {recipe.Kind.ToString().ToLowerInvariant()})"),
            "snr" => new SupervisedSnrLoss(model.OutputTargets ?? shape.Targets, snr),
            "l1" => new WaveformL1Loss(),
            _ => throw new ArgumentException($"unknown loss '{kind}'"),
        };
        if (config.Masking is { Mode: not MaskingMode.None } masking)
        {
            loss = new LossMasking(loss as IFramewiseLoss ?? throw new ArgumentException($"loss masking needs a frame-wise loss (tpsa, bsrnn, l1); '{kind}' is not"), masking);
        }

        return loss;
    }

    /// <summary>x factor every period (every_steps, or every_epochs epochs of epoch_size items at this batch size); null = constant.</summary>
    public static Func<long, double>? Schedule(TrainConfig config, MixRecipe recipe)
    {
        var s = config.Schedule;
        if (s.Kind != "step")
        {
            return null;
        }

        var period = s.EverySteps ?? (long)Math.Max(1, Math.Ceiling(s.EveryEpochs!.Value * recipe.EpochSize / config.BatchSize));
        var lr = config.Optimizer.Lr;
        return step => lr * Math.Pow(s.Factor, step / period);
    }

    /// <summary>
    /// A hierarchical recipe with one leaf writes its levels as the leaf's path, named like the dataset's stem files
    /// (L1_electric_guitar, L2_other, L3_accompaniment: a node can repeat across levels, as ms21's bass).
    /// </summary>
    private static IReadOnlyList<string>? WrittenNames(MixPlanner planner, MixRecipe recipe)
    {
        if (recipe.Kind != MixKind.Hierarchical || recipe.Leaves is not { Count: 1 } leaves || planner.Hierarchy is not { } tree)
        {
            return null;
        }

        var path = new List<string> { leaves[0] };
        for (var level = 1; level < tree.Depth && tree.ParentOf(path[^1], level) is { } parent; level++)
        {
            path.Add(parent);
        }

        return path.Select((node, i) => $"L{i + 1}_{node}").ToList();
    }

    public long ParameterCount() => Model.Module.parameters().Sum(p => p.numel());

    public void Dispose()
    {
        Validator?.Dispose();
        Model.Dispose();
    }
}

/// <summary>Runs a training config: supervised, or semi-supervised rounds when the config has `semi_supervised`.</summary>
public static class TrainRunner
{
    public static async Task<TrainRunResult> RunAsync(TrainConfig config, TrainOverrides? overrides, TextWriter log, IProgress<TrainProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        overrides ??= new TrainOverrides();
        if (config.SemiSupervised is not null)
        {
            return await SemiSupervised.SemiSupervisedTrainer.RunAsync(config, overrides, log, progress, cancellationToken).ConfigureAwait(false);
        }

        using var setup = TrainSetup.Build(config, overrides, log);
        using var trainer = new Trainer(setup.Model, setup.Loss, setup.Options);
        Describe(setup, log);
        if (overrides.Resume)
        {
            var latest = Checkpoint.Latest(setup.OutDir) ?? throw new FileNotFoundException($"{setup.OutDir}: no checkpoint to resume from");
            var state = trainer.Resume(latest);
            log.WriteLine($"train: resumed {latest} at step {state.Step}, stream batch {state.NextBatch}");
        }
        else if (config.InitFrom is { } init)
        {
            InitializeFrom(trainer, init, setup);
            log.WriteLine($"train: weights from {init}");
        }

        using var stream = new MixStream(setup.Planner, new MixStreamOptions
        {
            BatchSize = config.BatchSize,
            Workers = config.Workers > 0 ? config.Workers : Environment.ProcessorCount,
            Prefetch = config.Prefetch,
            StartBatch = trainer.NextBatch,
        });
        var summary = await trainer.RunAsync(stream.ReadAllAsync(cancellationToken), progress, cancellationToken).ConfigureAwait(false);
        return new TrainRunResult(summary, setup.OutDir, setup.Description, config.BatchSize);
    }

    /// <summary>Loads a checkpoint's weights into the trainer's model after checking it is the same kind of model.</summary>
    public static void InitializeFrom(Trainer trainer, string checkpointOrRun, TrainSetup setup)
    {
        var dir = Checkpoint.Resolve(checkpointOrRun) ?? throw new FileNotFoundException($"{checkpointOrRun}: not a checkpoint or run folder");
        var other = ModelDescription.Read(dir);
        if (other.Spec.Kind != setup.Description.Spec.Kind)
        {
            throw new InvalidOperationException($"{dir}: a '{other.Spec.Kind}' checkpoint cannot start a '{setup.Description.Spec.Kind}' model");
        }

        try
        {
            trainer.InitializeFrom(dir);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{dir}: its weights do not fit this run's model (sizes differ?): {e.Message}", e);
        }
    }

    public static void Describe(TrainSetup setup, TextWriter log)
    {
        var p = setup.Planner;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train: {setup.Model.Name} ({setup.ParameterCount():N0} parameters), loss {setup.Loss.Name}, on '{setup.Recipe.Name}' ({p.SampleRate} Hz, {p.Channels} ch, {p.ChunkFrames / (double)p.SampleRate:0.###} s, targets {string.Join(", ", p.TargetNames)}), " +
            $"batch {setup.Config.BatchSize}, device {setup.Options.Device}, {setup.Options.Precision}, run folder {setup.OutDir}"));
    }
}
