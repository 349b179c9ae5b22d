using DatasetForge.Torch.Data;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

public enum MaskingMode
{
    None,

    /// <summary>Drop items or frames whose loss exceeds the threshold.</summary>
    Hard,

    /// <summary>Weight every frame inversely to its loss (weights normalized to mean 1, no gradient through them).</summary>
    Soft,
}

public enum MaskingUnit
{
    /// <summary>Whole items (batch dimension): against label noise.</summary>
    Item,

    /// <summary>Time frames of an item: against bleed in parts of a target.</summary>
    Frame,
}

/// <summary>
/// Loss masking (for corpora with bleed): hard masking drops the items or frames whose loss is above
/// <see cref="Threshold"/> (a fixed value) or above the <see cref="Quantile"/> of the batch's losses; soft masking
/// weights frames by 1 / (loss + epsilon), normalized to mean 1 over the batch.
/// </summary>
public sealed record LossMaskingOptions
{
    public MaskingMode Mode { get; init; } = MaskingMode.None;

    public MaskingUnit Unit { get; init; } = MaskingUnit.Frame;

    /// <summary>Hard: fixed loss threshold (exclusive with <see cref="Quantile"/>).</summary>
    public double? Threshold { get; init; }

    /// <summary>Hard: keep losses up to this quantile of the batch (0.9 drops the worst 10%).</summary>
    public double? Quantile { get; init; }

    /// <summary>Soft: added to each frame loss before inverting.</summary>
    public double Epsilon { get; init; } = 1e-3;

    public void Validate()
    {
        if (Mode == MaskingMode.Hard && (Threshold is null) == (Quantile is null))
        {
            throw new ArgumentException("hard loss masking needs exactly one of threshold and quantile");
        }

        if (Quantile is { } q && (q <= 0 || q > 1))
        {
            throw new ArgumentException($"masking quantile {q} must be in (0, 1]");
        }

        if (Mode == MaskingMode.Soft && Unit != MaskingUnit.Frame)
        {
            throw new ArgumentException("soft loss masking weights frames: unit must be 'frame'");
        }
    }
}

/// <summary>
/// Wraps a frame-wise loss with loss masking. Logs `mask_discarded` (hard: fraction of items or frames dropped) or
/// `mask_downweighted` (soft: fraction of frames whose weight is below 1) and `mask_min_weight`, plus the unmasked loss.
/// </summary>
public sealed class LossMasking : ILossFunction
{
    private readonly IFramewiseLoss inner;

    public LossMasking(IFramewiseLoss inner, LossMaskingOptions options)
    {
        options.Validate();
        this.inner = inner;
        Options = options;
    }

    public LossMaskingOptions Options { get; }

    public IFramewiseLoss Inner => inner;

    public string Name => Options.Mode == MaskingMode.None ? inner.Name : $"{inner.Name}+{Options.Mode.ToString().ToLowerInvariant()}-{Options.Unit.ToString().ToLowerInvariant()}";

    public LossResult Compute(Tensor output, MixTensors batch)
    {
        if (Options.Mode == MaskingMode.None)
        {
            return inner.Compute(output, batch);
        }

        var frames = inner.FrameLosses(output, batch);                            // [B, T]
        var (loss, weights) = Apply(frames);
        using var noGrad = no_grad();
        var metrics = new Dictionary<string, Tensor> { ["loss_unmasked"] = frames.mean().detach() };
        if (Options.Mode == MaskingMode.Hard)
        {
            metrics["mask_discarded"] = 1 - weights.mean();
        }
        else
        {
            metrics["mask_downweighted"] = (weights < 1).to(ScalarType.Float32).mean();
            metrics["mask_min_weight"] = weights.min();
        }

        return new LossResult(loss, metrics);
    }

    /// <summary>The masked loss of frame losses [B, T] and the weights used ([B] for items, [B, T] for frames; hard: 0/1).</summary>
    public (Tensor Loss, Tensor Weights) Apply(Tensor frames)
    {
        var values = Options.Unit == MaskingUnit.Item ? frames.mean([1]) : frames;
        var detached = values.detach();
        if (Options.Mode == MaskingMode.Soft)
        {
            var w = 1 / (detached + Options.Epsilon);
            w = w * (w.numel() / w.sum());
            return ((w * values).mean(), w);
        }

        var threshold = Options.Threshold is { } fixedValue
            ? full([], fixedValue, dtype: detached.dtype, device: detached.device)
            : detached.flatten().quantile(tensor(Options.Quantile!.Value, dtype: detached.dtype, device: detached.device));
        var keep = (detached <= threshold).to(values.dtype);
        var loss = (values * keep).sum() / keep.sum().clamp_min(1);
        return (loss, keep);
    }
}
