using DatasetForge.Torch.Data;
using DatasetForge.Torch.Dsp;
using DatasetForge.Torch.Models;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>
/// BSRNN's loss (Luo and Yu 2023, Eq. 1): mean absolute error on the real and on the imaginary parts of the target's
/// STFT plus mean absolute error on its waveform (the inverse STFT of the estimate), for the model's one target.
/// </summary>
public sealed class BsrnnLoss(BandSplitRnn model) : IFramewiseLoss
{
    public string Name => "bsrnn";

    public LossResult Compute(Tensor output, MixTensors batch)
    {
        var (spectrum, waveform) = Errors(output, batch);
        var ri = 2 * spectrum.mean();                                            // MAE(real) + MAE(imag)
        var wave = waveform.mean();
        return new LossResult(ri + wave, new Dictionary<string, Tensor> { ["loss_ri"] = ri.detach(), ["loss_wave"] = wave.detach() });
    }

    public Tensor FrameLosses(Tensor output, MixTensors batch)
    {
        var (spectrum, waveform) = Errors(output, batch);
        var frames = spectrum.shape[3];
        var ri = 2 * spectrum.mean([1, 2, 4]);                                  // [B, T]
        var wave = LossShapes.FrameMeans(waveform.mean([1]), model.Hop, frames); // [B, T]
        return ri + wave;
    }

    /// <summary>|estimate - target| on the real pairs [B, C, F, T, 2] and on the waveform [B, C, S].</summary>
    private (Tensor Spectrum, Tensor Waveform) Errors(Tensor output, MixTensors batch)
    {
        var target = batch.Targets.select(1, LossShapes.TargetIndex(batch, model.Target));   // [B, C, S]
        var targetSpectrum = view_as_real(Spectral.Stft(target, model.NFft, model.Hop));
        var estimate = Spectral.Istft(view_as_complex(output.contiguous()), model.NFft, model.Hop, target.shape[^1]);
        return ((output - targetSpectrum).abs(), (estimate - target).abs());
    }
}
