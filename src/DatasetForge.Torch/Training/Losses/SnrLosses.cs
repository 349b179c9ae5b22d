using DatasetForge.Torch.Data;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>
/// Mixture invariant training loss (Wisdom et al. 2020): the model's M outputs [B, M, C, S] are assigned, each to
/// exactly one of the N reference mixtures [B, N, C, S] (N^M assignments: 2^M for the usual two); every mixture is
/// compared with the sum of the outputs assigned to it by the negative thresholded SNR
/// 10 log10(|y - y^|^2 + tau |y|^2) - 10 log10 |y|^2, tau = 10^(-SNRmax/10) (a soft clamp at SNRmax, 30 dB); the
/// loss of an item is the smallest sum over mixtures among all assignments. The energies of all assignments come
/// from the outputs' Gram matrix and their correlations with the mixtures (no sum is materialized per assignment).
/// </summary>
public sealed class MixitLoss : ILossFunction, IAligningLoss
{
    private readonly double tau;
    private Tensor? assignments;

    public MixitLoss(double snrMaxDb = 30)
    {
        SnrMaxDb = snrMaxDb;
        tau = Math.Pow(10, -snrMaxDb / 10);
    }

    public string Name => "mixit";

    public double SnrMaxDb { get; }

    public LossResult Compute(Tensor output, MixTensors batch)
    {
        var (perAssignment, _) = Losses(output, batch.Targets);
        var best = perAssignment.min(1).values;                                  // [B]
        var loss = best.mean().to(ScalarType.Float32);
        return new LossResult(loss, new Dictionary<string, Tensor> { ["mixit_snr_db"] = (-loss / batch.Targets.shape[1]).detach() });
    }

    /// <summary>Loss of every assignment [B, K] and the assignment matrices [K, N, M] (1 where output m goes to mixture i).</summary>
    public (Tensor PerAssignment, Tensor Assignments) Losses(Tensor output, Tensor mixtures)
    {
        var (b, m) = (output.shape[0], output.shape[1]);
        var n = mixtures.shape[1];
        var a = Assignments((int)n, (int)m, output.device);
        var estimates = output.reshape(b, m, -1).to(ScalarType.Float64);
        var references = mixtures.reshape(b, n, -1).to(ScalarType.Float64);
        var gram = estimates.matmul(estimates.transpose(1, 2));                  // [B, M, M]
        var cross = references.matmul(estimates.transpose(1, 2));                // [B, N, M]
        var energy = references.square().sum(-1);                                // [B, N]
        var error = energy.unsqueeze(1) - (2 * einsum("kim,bim->bki", a, cross)) + einsum("kim,bmn,kin->bki", a, gram, a);
        var negSnr = (10 * (error.clamp_min(0) + (tau * energy.unsqueeze(1)) + 1e-12).log10()) - (10 * (energy.unsqueeze(1) + 1e-12).log10());
        return (negSnr.sum(-1), a);                                             // [B, K]
    }

    /// <summary>The sums of outputs of each item's best assignment: [B, N, C, S], aligned with the mixtures.</summary>
    public Tensor Align(Tensor estimates, MixTensors batch)
    {
        using var noGrad = no_grad();
        var (perAssignment, a) = Losses(estimates, batch.Targets);
        var best = perAssignment.argmin(1);                                      // [B]
        var chosen = a.index_select(0, best).to(estimates.dtype);               // [B, N, M]
        var (b, m) = (estimates.shape[0], estimates.shape[1]);
        var flat = estimates.reshape(b, m, -1);
        return chosen.matmul(flat).view(batch.Targets.shape);
    }

    private Tensor Assignments(int mixtures, int outputs, Device device)
    {
        if (assignments is not null && assignments.shape[1] == mixtures && assignments.shape[2] == outputs && assignments.device == device)
        {
            return assignments;
        }

        var count = (long)Math.Pow(mixtures, outputs);
        if (count > 1 << 16)
        {
            throw new ArgumentException($"MixIT with {outputs} outputs and {mixtures} mixtures has {count} assignments; use fewer outputs");
        }

        var values = new double[count * mixtures * outputs];
        for (long k = 0; k < count; k++)
        {
            var code = k;
            for (var o = 0; o < outputs; o++)
            {
                var target = (int)(code % mixtures);
                code /= mixtures;
                values[(((k * mixtures) + target) * outputs) + o] = 1;
            }
        }

        assignments?.Dispose();
        assignments = tensor(values, [count, mixtures, outputs], ScalarType.Float64).to(device).DetachFromDisposeScope();
        return assignments;
    }
}

/// <summary>
/// Supervised negative thresholded SNR in the zero-target-safe form (MixIT fine-tuning): for each output m with a
/// named target (zeros when the output names no target of the stream, or the stem was dropped),
/// 10 log10(|y - y^|^2 + tau |x|^2) with x the input mixture, so a silent reference still gives a bounded loss; summed
/// over outputs, averaged over the batch.
/// </summary>
public sealed class SupervisedSnrLoss(IReadOnlyList<string> outputNames, double snrMaxDb = 30) : ILossFunction
{
    private readonly double tau = Math.Pow(10, -snrMaxDb / 10);

    public string Name => "snr";

    public LossResult Compute(Tensor output, MixTensors batch)
    {
        var (b, m) = (output.shape[0], output.shape[1]);
        if (m != outputNames.Count)
        {
            throw new ArgumentException($"the model gives {m} outputs; {outputNames.Count} output names");
        }

        var targets = new Tensor[m];
        for (var i = 0; i < m; i++)
        {
            var index = batch.TargetNames.ToList().IndexOf(outputNames[i]);
            targets[i] = index >= 0 ? batch.Targets.select(1, index) : zeros_like(batch.Mixture);
        }

        var reference = stack(targets, 1).reshape(b, m, -1);
        var estimate = output.reshape(b, m, -1);
        var floor = tau * batch.Mixture.reshape(b, -1).square().sum(-1, keepdim: true);   // [B, 1]
        var error = (reference - estimate).square().sum(-1);                        // [B, M]
        var perOutput = 10 * (error + floor + 1e-12).log10();
        return new LossResult(perOutput.sum(1).mean());
    }
}
