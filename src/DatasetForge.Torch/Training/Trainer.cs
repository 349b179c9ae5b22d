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
/// Metrics go to `OUT/metrics.jsonl`, checkpoints to `OUT/checkpoints/` (model, optimizer, RNG, step, next batch).
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ISeparationModel model;
    private readonly ILossFunction loss;

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
        Optimizer = options.Optimizer?.Invoke(parameters, options.LearningRate) ?? optim.Adam(parameters, options.LearningRate);
    }

    public TrainerOptions Options { get; }

    public OptimizerHelper Optimizer { get; }

    /// <summary>Optimizer steps done (restored by <see cref="Resume"/>).</summary>
    public long Step { get; private set; }

    /// <summary>The stream batch to train on next: start the stream there (MixStreamOptions.StartBatch) after a resume.</summary>
    public long NextBatch { get; private set; }

    /// <summary>Loads model, optimizer, RNG, step and stream position from a checkpoint folder; refuses another recipe or dataset.</summary>
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

        model.Module.load(Path.Combine(checkpointDir, Checkpoint.ModelFile));
        model.Module.to(Options.Device);
        Optimizer.load_state_dict(Path.Combine(checkpointDir, Checkpoint.OptimizerFile));
        using (var rng = load(Path.Combine(checkpointDir, Checkpoint.RngFile)))
        {
            set_rng_state(rng);
        }

        Step = state.Step;
        NextBatch = state.NextBatch;
        return state;
    }

    /// <summary>Writes a checkpoint of the current state under OUT/checkpoints/ (needs <see cref="TrainerOptions.OutDir"/>).</summary>
    public string SaveCheckpoint()
    {
        var outDir = Options.OutDir ?? throw new InvalidOperationException("no OutDir: nowhere to write a checkpoint");
        var run = Options.Run;
        var state = new CheckpointState(Step, NextBatch, model.Name, loss.Name, CurrentLearningRate(), run?.Recipe, run?.RecipeHash, run?.DatasetKey,
            run?.StreamSeed, run?.BatchSize, DateTimeOffset.UtcNow);
        return Checkpoint.Write(Path.Combine(outDir, "checkpoints"), state, temp =>
        {
            model.Module.save(Path.Combine(temp, Checkpoint.ModelFile));
            Optimizer.save_state_dict(Path.Combine(temp, Checkpoint.OptimizerFile));
            using var rng = get_rng_state();
            save(rng, Path.Combine(temp, Checkpoint.RngFile));
        });
    }

    /// <summary>Trains until <see cref="TrainerOptions.Steps"/> steps are done or the stream ends.</summary>
    public async Task<TrainSummary> RunAsync(IAsyncEnumerable<MixBatch> batches, IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var losses = new List<double>();
        var started = Stopwatch.StartNew();
        double waitTotal = 0, computeTotal = 0;
        string? lastCheckpoint = null;
        using var log = new MetricsLog(Options.OutDir is null ? null : Path.Combine(Options.OutDir, "metrics.jsonl"));
        var window = new Window();
        long lastEpoch = 0;
        await using var enumerator = batches.ToTensorsAsync(Options.Device, Options.TensorPrefetch, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (Step < Options.Steps)
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
            if (Step % Options.LogEvery == 0 || Step == Options.Steps)
            {
                log.Write(window.Flush(Step, tensors.Number, lastEpoch, CurrentLearningRate(), started.Elapsed.TotalSeconds));
            }

            if (Options.OutDir is not null && Options.CheckpointEvery > 0 && Step % Options.CheckpointEvery == 0)
            {
                lastCheckpoint = SaveCheckpoint();
            }
        }

        if (window.Count > 0)
        {
            log.Write(window.Flush(Step, NextBatch - 1, lastEpoch, CurrentLearningRate(), started.Elapsed.TotalSeconds));
        }

        if (Options.OutDir is not null && (lastCheckpoint is null || !lastCheckpoint.EndsWith(Checkpoint.FolderName(Step), StringComparison.Ordinal)))
        {
            lastCheckpoint = SaveCheckpoint();
        }

        return new TrainSummary(Step, NextBatch, losses, started.Elapsed, waitTotal, computeTotal, lastCheckpoint);
    }

    /// <summary>One optimizer step on one batch, in its own dispose scope; returns the loss and the loss function's metrics.</summary>
    public (double Loss, IReadOnlyDictionary<string, double> Metrics) TrainStep(MixTensors batch)
    {
        using var scope = NewDisposeScope();
        Optimizer.zero_grad();
        var output = model.Forward(batch);
        var result = loss.Compute(output, batch);
        result.Loss.backward();
        if (Options.GradientClipNorm is { } clip)
        {
            nn.utils.clip_grad_norm_(model.Module.parameters(), clip);
        }

        Optimizer.step();
        var value = result.Loss.item<float>();
        if (!float.IsFinite(value))
        {
            throw new InvalidOperationException($"loss is {value} at step {Step + 1} (stream batch {batch.Number}); lower the learning rate or check the data");
        }

        var metrics = new Dictionary<string, double>();
        foreach (var (name, tensor) in result.Metrics ?? new Dictionary<string, Tensor>())
        {
            metrics[name] = tensor.item<float>();
        }

        return (value, metrics);
    }

    public double CurrentLearningRate() => Optimizer.ParamGroups.First().LearningRate;

    private void SetLearningRate(double lr)
    {
        foreach (var group in Optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }
    }

    public void Dispose() => Optimizer.Dispose();

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
