using System.Diagnostics;
using DatasetForge.Mixing;
using DatasetForge.Torch.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>
/// The training loop over the mix stream: tensors of each <see cref="MixBatch"/> go to the device, the model's
/// output goes to the loss hook, then backward, optional gradient clipping and the optimizer step, all inside one
/// dispose scope per step (so native memory stays flat however long the run). The wait for the next batch is
/// timed apart from the step: `data_wait_s` in the metrics says whether the stream keeps the device fed.
/// Every <see cref="TrainerOptions.ValidateEvery"/> steps a <see cref="Validator"/> scores held-out batches (uSDR,
/// SI-SDR); an improvement writes a checkpoint marked `best`, and <see cref="TrainerOptions.EarlyStopping"/> ends the
/// run after its patience runs out. Metrics go to `OUT/metrics.jsonl` and `OUT/validation.jsonl`, checkpoints to
/// `OUT/checkpoints/` (model, optimizer, RNG, step, next batch, model.json); at the end `metrics.csv`,
/// `validation.csv`, `loss.png`, `validation.png` and `index.html` are written (<see cref="RunReport"/>).
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ISeparationModel model;
    private readonly ILossFunction loss;
    private readonly List<Parameter>? masters;
    private double? best;
    private int sinceBest;

    public Trainer(ISeparationModel model, ILossFunction loss, TrainerOptions options)
    {
        this.model = model;
        this.loss = loss;
        Options = options;
        ArgumentOutOfRangeException.ThrowIfNegative(options.Steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LogEvery);
        manual_seed(options.TorchSeed);
        model.Module.to(options.Device);
        model.Module.train();
        var parameters = model.Module.parameters().ToList();
        if (options.Precision == TrainPrecision.BFloat16)
        {
            masters = parameters.Select(p => new Parameter(p.detach().clone().to(ScalarType.Float32), requires_grad: true)).ToList();
            model.Module.to(ScalarType.BFloat16);
            parameters = masters;
        }

        Optimizer = options.Optimizer?.Invoke(parameters, options.LearningRate) ?? optim.Adam(parameters, options.LearningRate);
    }

    public TrainerOptions Options { get; }

    public OptimizerHelper Optimizer { get; }

    /// <summary>Optimizer steps done (restored by <see cref="Resume"/>).</summary>
    public long Step { get; private set; }

    /// <summary>The stream batch to train on next: start the stream there (MixStreamOptions.StartBatch) after a resume.</summary>
    public long NextBatch { get; private set; }

    /// <summary>The best validation value so far (of <see cref="TrainerOptions.EarlyStopping"/>'s metric, default val_usdr).</summary>
    public double? BestValidation => best;

    /// <summary>Loads model, optimizer, RNG, step, stream position and early-stopping state from a checkpoint folder; refuses another recipe or dataset.</summary>
    public CheckpointState Resume(string checkpointDir)
    {
        var state = Checkpoint.ReadState(checkpointDir);
        if (state.Model != model.Name)
        {
            throw new InvalidOperationException($"{checkpointDir}: checkpoint of model '{state.Model}', this run trains '{model.Name}'");
        }

        if (Options.Run is { } run && state.RecipeHash is not null && (state.RecipeHash != run.RecipeHash || state.DatasetKey != run.DatasetKey))
        {
            throw new InvalidOperationException($"{checkpointDir}: checkpoint of recipe '{state.Recipe}' on dataset {state.DatasetKey?[..12]}, this run is recipe '{run.Recipe}' on {run.DatasetKey[..12]}: the stream would not continue where it stopped");
        }

        LoadWeights(Path.Combine(checkpointDir, Checkpoint.ModelFile));
        Optimizer.load_state_dict(Path.Combine(checkpointDir, Checkpoint.OptimizerFile));
        using (var rng = load(Path.Combine(checkpointDir, Checkpoint.RngFile)))
        {
            set_rng_state(rng);
        }

        Step = state.Step;
        NextBatch = state.NextBatch;
        best = state.BestValidation;
        sinceBest = state.ValidationsSinceBest ?? 0;
        return state;
    }

    /// <summary>Loads only the weights of a checkpoint (fine-tuning from another run, e.g. MixIT pre-training); the optimizer starts fresh.</summary>
    public void InitializeFrom(string checkpointDir) => LoadWeights(Path.Combine(checkpointDir, Checkpoint.ModelFile));

    /// <summary>Writes a checkpoint of the current state under OUT/checkpoints/ (needs <see cref="TrainerOptions.OutDir"/>).</summary>
    public string SaveCheckpoint()
    {
        var outDir = Options.OutDir ?? throw new InvalidOperationException("no OutDir: nowhere to write a checkpoint");
        var run = Options.Run;
        var state = new CheckpointState(Step, NextBatch, model.Name, loss.Name, CurrentLearningRate(), run?.Recipe, run?.RecipeHash, run?.DatasetKey,
            run?.StreamSeed, run?.BatchSize, DateTimeOffset.UtcNow, best, sinceBest, Options.Precision.ToString());
        return Checkpoint.Write(Path.Combine(outDir, "checkpoints"), state, temp =>
        {
            SaveWeights(Path.Combine(temp, Checkpoint.ModelFile));
            Optimizer.save_state_dict(Path.Combine(temp, Checkpoint.OptimizerFile));
            using var rng = get_rng_state();
            save(rng, Path.Combine(temp, Checkpoint.RngFile));
            if (Options.Description is { } description)
            {
                File.WriteAllText(Path.Combine(temp, Models.ModelDescription.FileName), description.ToJson());
            }
        });
    }

    /// <summary>Trains until <see cref="TrainerOptions.Steps"/> steps are done, the stream ends or early stopping ends it.</summary>
    public Task<TrainSummary> RunAsync(IAsyncEnumerable<MixBatch> batches, IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(batches.ToTensorsAsync(Options.Device, Options.TensorPrefetch, cancellationToken), progress, cancellationToken);

    /// <summary>
    /// The same over batches already made into tensors (e.g. an interleave of two streams); <paramref name="untilStep"/>
    /// stops earlier than <see cref="TrainerOptions.Steps"/> (rounds of semi-supervised training).
    /// </summary>
    public async Task<TrainSummary> RunAsync(IAsyncEnumerable<MixTensors> batches, IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default,
        long? untilStep = null)
    {
        var until = Math.Min(untilStep ?? Options.Steps, Options.Steps);
        var losses = new List<double>();
        var validations = new List<IReadOnlyDictionary<string, double>>();
        var started = Stopwatch.StartNew();
        double waitTotal = 0, computeTotal = 0;
        string? lastCheckpoint = null;
        string? bestCheckpoint = null;
        var stoppedEarly = false;
        var lastValidated = -1L;
        using var log = new MetricsLog(Options.OutDir is null ? null : Path.Combine(Options.OutDir, "metrics.jsonl"));
        using var validationLog = new MetricsLog(Options.OutDir is null || Options.Validator is null ? null : Path.Combine(Options.OutDir, "validation.jsonl"));
        var window = new Window();
        long lastEpoch = 0;
        await using (var enumerator = batches.GetAsyncEnumerator(cancellationToken))
        {
            while (Step < until)
            {
                var waitStart = Stopwatch.GetTimestamp();
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                var wait = Stopwatch.GetElapsedTime(waitStart).TotalSeconds;
                using var tensors = enumerator.Current;
                var computeStart = Stopwatch.GetTimestamp();
                if (Options.LearningRateAt is { } schedule)
                {
                    SetLearningRate(schedule(Step));
                }

                var (value, metrics) = TrainStep(tensors);
                var compute = Stopwatch.GetElapsedTime(computeStart).TotalSeconds;
                Step++;
                NextBatch = tensors.Number + 1;
                losses.Add(value);
                waitTotal += wait;
                computeTotal += compute;
                lastEpoch = tensors.Plans[0].Epoch;
                window.Add(value, wait, compute, tensors.BatchSize, metrics);
                progress?.Report(new TrainProgress(Step, Options.Steps, value, compute, wait, tensors.BatchSize / Math.Max(wait + compute, 1e-9)));
                if (Step % Options.LogEvery == 0 || Step == until)
                {
                    log.Write(window.Flush(Step, tensors.Number, lastEpoch, CurrentLearningRate(), started.Elapsed.TotalSeconds));
                }

                if (Options.Validator is not null && Options.ValidateEvery > 0 && Step % Options.ValidateEvery == 0)
                {
                    lastValidated = Step;
                    var (values, improved, stop) = Validate(validationLog, started.Elapsed.TotalSeconds);
                    validations.Add(values);
                    if (improved && Options.OutDir is not null)
                    {
                        lastCheckpoint = bestCheckpoint = SaveCheckpoint();
                        Checkpoint.MarkBest(bestCheckpoint);
                    }

                    if (stop)
                    {
                        stoppedEarly = true;
                        break;
                    }
                }

                if (Options.OutDir is not null && Options.CheckpointEvery > 0 && Step % Options.CheckpointEvery == 0 && lastCheckpoint?.EndsWith(Checkpoint.FolderName(Step), StringComparison.Ordinal) != true)
                {
                    lastCheckpoint = SaveCheckpoint();
                }
            }
        }

        if (window.Count > 0)
        {
            log.Write(window.Flush(Step, NextBatch - 1, lastEpoch, CurrentLearningRate(), started.Elapsed.TotalSeconds));
        }

        if (Options.Validator is not null && lastValidated != Step && Step > 0)
        {
            var (values, improved, _) = Validate(validationLog, started.Elapsed.TotalSeconds);
            validations.Add(values);
            if (improved && Options.OutDir is not null)
            {
                lastCheckpoint = bestCheckpoint = SaveCheckpoint();
                Checkpoint.MarkBest(bestCheckpoint);
            }
        }

        if (Options.OutDir is not null && (lastCheckpoint is null || !lastCheckpoint.EndsWith(Checkpoint.FolderName(Step), StringComparison.Ordinal)))
        {
            lastCheckpoint = SaveCheckpoint();
        }

        log.Dispose();
        validationLog.Dispose();
        if (Options.OutDir is not null && Options.WriteReport)
        {
            RunReport.Write(Options.OutDir, model.Name, loss.Name);
        }

        return new TrainSummary(Step, NextBatch, losses, started.Elapsed, waitTotal, computeTotal, lastCheckpoint)
        {
            Validations = validations,
            StoppedEarly = stoppedEarly,
            BestCheckpoint = bestCheckpoint ?? (Options.OutDir is null ? null : Checkpoint.Best(Options.OutDir)),
        };
    }

    /// <summary>One optimizer step on one batch, in its own dispose scope; returns the loss and the loss function's metrics.</summary>
    public (double Loss, IReadOnlyDictionary<string, double> Metrics) TrainStep(MixTensors batch)
    {
        using var scope = NewDisposeScope();
        Optimizer.zero_grad();
        if (masters is not null)
        {
            model.Module.zero_grad();
        }

        var output = model.Forward(batch);
        var result = loss.Compute(output, batch);
        result.Loss.backward();
        if (masters is not null)
        {
            var working = model.Module.parameters().ToList();
            for (var i = 0; i < masters.Count; i++)
            {
                masters[i].grad = working[i].grad is { } g ? g.to(ScalarType.Float32) : null;
            }
        }

        if (Options.GradientClipNorm is { } clip)
        {
            nn.utils.clip_grad_norm_(masters ?? model.Module.parameters(), clip);
        }

        Optimizer.step();
        if (masters is not null)
        {
            using var noGrad = no_grad();
            var working = model.Module.parameters().ToList();
            for (var i = 0; i < masters.Count; i++)
            {
                working[i].copy_(masters[i]);
            }
        }

        var value = result.Loss.to(ScalarType.Float32).item<float>();
        if (!float.IsFinite(value))
        {
            throw new InvalidOperationException($"loss is {value} at step {Step + 1} (stream batch {batch.Number}); lower the learning rate or check the data");
        }

        var metrics = new Dictionary<string, double>();
        foreach (var (name, tensor) in result.Metrics ?? new Dictionary<string, Tensor>())
        {
            metrics[name] = tensor.to(ScalarType.Float32).item<float>();
        }

        return (value, metrics);
    }

    /// <summary>Runs the validator now (model in eval mode, no gradients) and returns its metrics.</summary>
    public IReadOnlyDictionary<string, double> ValidateNow() =>
        (Options.Validator ?? throw new InvalidOperationException("no validator")).Run(model, loss, Options.Device);

    public double CurrentLearningRate() => Optimizer.ParamGroups.First().LearningRate;

    private (IReadOnlyDictionary<string, double> Values, bool Improved, bool Stop) Validate(MetricsLog log, double elapsed)
    {
        var values = ValidateNow();
        var row = new Dictionary<string, double> { ["step"] = Step, ["elapsed_s"] = elapsed };
        foreach (var (k, v) in values)
        {
            row[k] = v;
        }

        var rule = Options.EarlyStopping ?? new EarlyStopping();
        var improved = false;
        if (values.TryGetValue(rule.Metric, out var metric) && double.IsFinite(metric))
        {
            improved = best is null || (rule.LowerIsBetter ? metric < best : metric > best);
            if (improved)
            {
                best = metric;
                sinceBest = 0;
            }
            else
            {
                sinceBest++;
            }
        }

        row["best"] = improved ? 1 : 0;
        log.Write(row);
        var stop = Options.EarlyStopping is { } early && sinceBest >= early.Patience;
        return (values, improved, stop);
    }

    private void LoadWeights(string path)
    {
        if (masters is null)
        {
            model.Module.load(path);
            model.Module.to(Options.Device);
            return;
        }

        model.Module.to(ScalarType.Float32);
        model.Module.load(path);
        model.Module.to(Options.Device);
        using (no_grad())
        {
            foreach (var (master, p) in masters.Zip(model.Module.parameters()))
            {
                master.copy_(p);
            }
        }

        model.Module.to(ScalarType.BFloat16);
    }

    private void SaveWeights(string path)
    {
        if (masters is null)
        {
            model.Module.save(path);
            return;
        }

        // The float32 masters are the weights: write them through the module in float32, then go back to bf16.
        model.Module.to(ScalarType.Float32);
        using (no_grad())
        {
            foreach (var (p, master) in model.Module.parameters().Zip(masters))
            {
                p.copy_(master);
            }
        }

        model.Module.save(path);
        model.Module.to(ScalarType.BFloat16);
    }

    private void SetLearningRate(double lr)
    {
        foreach (var group in Optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        if (masters is not null)
        {
            foreach (var m in masters)
            {
                m.Dispose();
            }
        }
    }

    /// <summary>Averages over the steps between two metrics lines.</summary>
    private sealed class Window
    {
        private readonly Dictionary<string, double> extra = [];
        private double loss;
        private double wait;
        private double compute;
        private long items;

        public int Count { get; private set; }

        public void Add(double value, double waitSeconds, double computeSeconds, long batchItems, IReadOnlyDictionary<string, double> metrics)
        {
            loss += value;
            wait += waitSeconds;
            compute += computeSeconds;
            items += batchItems;
            Count++;
            foreach (var (k, v) in metrics)
            {
                extra[k] = extra.GetValueOrDefault(k) + v;
            }
        }

        public Dictionary<string, double> Flush(long step, long batch, long epoch, double lr, double elapsed)
        {
            var n = Math.Max(1, Count);
            var row = new Dictionary<string, double>
            {
                ["step"] = step,
                ["batch"] = batch,
                ["epoch"] = epoch,
                ["loss"] = loss / n,
                ["lr"] = lr,
                ["step_s"] = compute / n,
                ["data_wait_s"] = wait / n,
                ["items_per_s"] = items / Math.Max(wait + compute, 1e-9),
                ["elapsed_s"] = elapsed,
            };
            foreach (var (k, v) in extra)
            {
                row[k] = v / n;
            }

            extra.Clear();
            loss = wait = compute = 0;
            items = 0;
            Count = 0;
            return row;
        }
    }
}
