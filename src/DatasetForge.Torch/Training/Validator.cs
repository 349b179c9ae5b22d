using System.Runtime.InteropServices;
using DatasetForge.Evaluation;
using DatasetForge.Mixing;
using DatasetForge.Torch.Data;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Training;

/// <summary>
/// Validation with the metrics of `forge eval`: a fixed set of held-out batches (the first <see cref="Batches"/>
/// batches of a mix stream over the validation split with its own seed, rendered again at every validation so
/// nothing is held in memory) is separated with <see cref="ISeparationModel.Separate"/>; every (item, target) pair
/// whose reference is not silent is scored with <see cref="SeparationMetrics.Usdr(float[][], float[][])"/> and
/// <see cref="SeparationMetrics.SiSdr(float[][], float[][])"/>, as is the unprocessed mixture (the baseline).
/// Results: val_loss, val_usdr, val_si_sdr, val_usdr_mix, val_si_sdr_mix, val_si_sdr_gain (model - mixture), and
/// per target val_usdr/NAME, val_si_sdr/NAME (means over pairs).
/// </summary>
public sealed class Validator : IDisposable
{
    private const double SilentEnergy = 1e-10;
    private readonly MixStream stream;

    public Validator(MixPlanner planner, int batches, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        stream = new MixStream(planner, new MixStreamOptions { BatchSize = batchSize, Workers = 1 });
        Batches = batches;
    }

    public int Batches { get; }

    public MixPlanner Planner => stream.Planner;

    public IReadOnlyDictionary<string, double> Run(ISeparationModel model, ILossFunction? loss, Device device)
    {
        var sums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        void Add(string key, double value)
        {
            if (double.IsFinite(value))
            {
                var (s, c) = sums.GetValueOrDefault(key);
                sums[key] = (s + value, c + 1);
            }
        }

        model.Module.eval();
        try
        {
            using var noGrad = no_grad();
            for (var n = 0; n < Batches; n++)
            {
                using var scope = NewDisposeScope();
                MixTensors batch;
                using (var rendered = stream.RenderBatch(n))
                {
                    batch = MixTensors.From(rendered, device);
                }

                using (batch)
                {
                    if (loss is not null)
                    {
                        Add("val_loss", loss.Compute(model.Forward(batch), batch).Loss.to(ScalarType.Float32).item<float>());
                    }

                    var estimates = model.Separate(batch.Mixture);
                    var names = model.OutputTargets;
                    if (loss is IAligningLoss aligning)
                    {
                        estimates = aligning.Align(estimates, batch);
                        names = batch.TargetNames;
                    }

                    names ??= batch.TargetNames;
                    var est = ToArrays(estimates);                                // [B][O][C][S]
                    var refs = ToArrays(batch.Targets);                           // [B][T][C][S]
                    var mix = ToArrays(batch.Mixture.unsqueeze(1));               // [B][1][C][S]
                    for (var b = 0; b < est.Length; b++)
                    {
                        for (var o = 0; o < names.Count; o++)
                        {
                            var t = IndexOf(batch.TargetNames, names[o]);
                            if (t < 0 || Energy(refs[b][t]) < SilentEnergy)
                            {
                                continue;
                            }

                            var usdr = SeparationMetrics.Usdr(refs[b][t], est[b][o]);
                            var sisdr = SeparationMetrics.SiSdr(refs[b][t], est[b][o]);
                            var usdrMix = SeparationMetrics.Usdr(refs[b][t], mix[b][0]);
                            var sisdrMix = SeparationMetrics.SiSdr(refs[b][t], mix[b][0]);
                            Add("val_usdr", usdr);
                            Add("val_si_sdr", sisdr);
                            Add("val_usdr_mix", usdrMix);
                            Add("val_si_sdr_mix", sisdrMix);
                            Add("val_si_sdr_gain", sisdr - sisdrMix);
                            Add($"val_usdr/{names[o]}", usdr);
                            Add($"val_si_sdr/{names[o]}", sisdr);
                        }
                    }
                }
            }
        }
        finally
        {
            model.Module.train();
        }

        return sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Count, StringComparer.Ordinal);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static double Energy(float[][] channels) => channels.Sum(c => c.Sum(v => (double)v * v));

    /// <summary>A [B, T, C, S] float tensor as nested arrays.</summary>
    private static float[][][][] ToArrays(Tensor tensor)
    {
        using var cpu = tensor.to(ScalarType.Float32).cpu().contiguous();
        var (b, t, c, s) = ((int)cpu.shape[0], (int)cpu.shape[1], (int)cpu.shape[2], (int)cpu.shape[3]);
        var flat = new float[b * t * c * s];
        cpu.bytes.CopyTo(MemoryMarshal.AsBytes(flat.AsSpan()));
        var result = new float[b][][][];
        for (var i = 0; i < b; i++)
        {
            result[i] = new float[t][][];
            for (var j = 0; j < t; j++)
            {
                result[i][j] = new float[c][];
                for (var k = 0; k < c; k++)
                {
                    result[i][j][k] = flat.AsSpan((((i * t) + j) * c + k) * s, s).ToArray();
                }
            }
        }

        return result;
    }

    public void Dispose() => stream.Dispose();
}
