using DatasetForge.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>
/// A model the <see cref="Trainer"/> can train. <see cref="Module"/> carries the parameters (moved to the device,
/// switched between train/eval, saved in checkpoints). <see cref="Forward"/> maps a mixture batch
/// [batch, channels, samples] to the model's output, which only the model's <see cref="ILossFunction"/> needs to
/// understand: waveform estimates [batch, targets, channels, samples] for waveform models, masks or spectra for
/// others (e.g. one mask per hierarchy level for Mask-Inference, complex masks for BSRNN).
/// </summary>
public interface ISeparationModel : IDisposable
{
    /// <summary>Short name stored in checkpoints and metrics ("tiny-masknet", "bsrnn", ...).</summary>
    string Name { get; }

    nn.Module Module { get; }

    Tensor Forward(Tensor mixture);

    /// <summary>The batch's input to the model (default: the mixture). Models that need the targets in training (teacher forcing, MixIT) can override.</summary>
    Tensor Forward(MixTensors batch) => Forward(batch.Mixture);

    /// <summary>
    /// Waveform estimates [batch, outputs, channels, samples] of a mixture [batch, channels, samples] (for validation
    /// and inference); default: <see cref="Forward(Tensor)"/>, right for waveform models. Spectral models resynthesize.
    /// </summary>
    Tensor Separate(Tensor mixture) => Forward(mixture);

    /// <summary>
    /// The stream target each output of <see cref="Separate"/> estimates, by name; null = the stream's targets in
    /// order (one output per target). A BSRNN model estimates one named target; a MixIT model's outputs are unnamed.
    /// </summary>
    IReadOnlyList<string>? OutputTargets => null;
}

/// <summary>
/// The loss of one step. <see cref="Loss"/> is the scalar to minimize; <see cref="Metrics"/> are extra scalars logged with
/// it (e.g. the fraction of frames a loss mask dropped). All tensors live in the step's dispose scope.
/// </summary>
public sealed record LossResult(Tensor Loss, IReadOnlyDictionary<string, Tensor>? Metrics = null);

/// <summary>The loss hook: model output and the batch (targets, mixture, plans) to a <see cref="LossResult"/>.</summary>
public interface ILossFunction
{
    string Name { get; }

    LossResult Compute(Tensor output, MixTensors batch);
}
