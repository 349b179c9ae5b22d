using DatasetForge.Torch.Data;
using DatasetForge.Torch.Models;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

public enum TpsaDomain
{
    /// <summary>MS21 thesis Eq. 4.13: L1 between mask * |X| and |S| cos(angle S - angle X) truncated to [0, |X|].</summary>
    Signal,

    /// <summary>Eq. 4.14: L1 between the mask and the truncated phase-sensitive mask (|S| cos(angle S - angle X) / |X| in [0, 1]).</summary>
    Mask,
}

/// <summary>
/// Truncated phase-sensitive approximation loss of the hierarchical Mask-Inference model, on every level of the
/// batch's hierarchy path. Spectra come from the model's own front end (mono fold, resampling, STFT), so targets and
/// mixture are seen exactly as the model sees the mixture. Signal domain: |M_l |X| - T(|S_l| cos(angle S_l - angle X))|
/// with M_l the effective (direct or sequential) mask. Mask domain, direct masks: |m_l - T(|S_l| cos(angle S_l - angle X) / |X|)|;
/// sequential masks: each raw mask against its own ratio target, T(|S_l| cos(angle S_l - angle S_(l+1)) / |S_(l+1)|)
/// (the top level against X), i.e. |S_l| / |S_(l+1)| made phase sensitive. T truncates to [0, |X|] (signal) or [0, 1].
/// </summary>
public sealed class TpsaLoss(MaskInferenceNet model, TpsaDomain domain = TpsaDomain.Signal) : IFramewiseLoss
{
    private const double Epsilon = 1e-8;

    public string Name => domain == TpsaDomain.Signal ? "tpsa" : "tpsa-mask";

    public TpsaDomain Domain => domain;

    public LossResult Compute(Tensor output, MixTensors batch) => new(FrameLosses(output, batch).mean());

    public Tensor FrameLosses(Tensor output, MixTensors batch)
    {
        var levels = output.shape[1];
        if (batch.Targets.shape[1] != levels)
        {
            throw new ArgumentException($"the model gives {levels} masks; the stream has {batch.Targets.shape[1]} targets ({string.Join(", ", batch.TargetNames)})");
        }

        var frontend = model.Frontend;
        frontend.InputRate = batch.SampleRate;
        var x = frontend.Spectrum(batch.Mixture);                                 // [B, F, T]
        var s = frontend.Spectrum(batch.Targets);                                 // [B, L, F, T]
        var absX = x.abs();
        Tensor error;
        if (domain == TpsaDomain.Signal)
        {
            var effective = model.EffectiveMasks(output);
            var target = Psa(s, x.unsqueeze(1));                                  // |S| cos(dphi)
            target = minimum(target.clamp_min(0), absX.unsqueeze(1).expand_as(target));
            error = (effective * absX.unsqueeze(1) - target).abs();
        }
        else
        {
            Tensor reference;
            if (model.Masks == MaskMode.Direct)
            {
                reference = x.unsqueeze(1).expand_as(s);
            }
            else
            {
                var above = new Tensor[levels];
                for (var l = 0; l < levels - 1; l++)
                {
                    above[l] = s.select(1, l + 1);
                }

                above[levels - 1] = x;
                reference = stack(above, 1);
            }

            error = (output - Ratio(s, reference).clamp(0, 1)).abs();
        }

        return error.mean([1, 2]);                                                // [B, T]
    }

    /// <summary>|S| cos(angle S - angle R) = Re(S conj R) / |R|.</summary>
    private static Tensor Psa(Tensor s, Tensor reference) => real(s * reference.conj()) / (reference.abs() + Epsilon);

    /// <summary>
    /// The phase-sensitive ratio |S| cos(angle S - angle R) / |R| = Re(S conj R) / |R|^2, with 1e-8 added to |R|^2 so
    /// that bins without energy in the reference get a ratio of 0 rather than noise.
    /// </summary>
    public static Tensor Ratio(Tensor s, Tensor reference) => real(s * reference.conj()) / (reference.abs().square() + Epsilon);
}
