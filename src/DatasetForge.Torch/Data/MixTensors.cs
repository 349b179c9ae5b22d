using System.Runtime.InteropServices;
using DatasetForge.Mixing;
using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Data;

/// <summary>
/// One batch of the mix stream as tensors: <see cref="Mixture"/> [batch, channels, samples] and <see cref="Targets"/>
/// [batch, targets, channels, samples], float32, on the training device, plus the plans (song, stems, gains) the batch
/// was made from. Owns its tensors: dispose after the step.
/// </summary>
public sealed class MixTensors : IDisposable
{
    public MixTensors(Tensor mixture, Tensor targets, long number, IReadOnlyList<string> targetNames, IReadOnlyList<MixPlan> plans, int sampleRate)
    {
        Mixture = mixture;
        Targets = targets;
        Number = number;
        TargetNames = targetNames;
        Plans = plans;
        SampleRate = sampleRate;
    }

    public Tensor Mixture { get; }

    public Tensor Targets { get; }

    /// <summary>The batch's position in the stream (resume from Number + 1).</summary>
    public long Number { get; }

    public IReadOnlyList<string> TargetNames { get; }

    public IReadOnlyList<MixPlan> Plans { get; }

    public int SampleRate { get; }

    public long BatchSize => Mixture.shape[0];

    /// <summary>Copies a batch into new tensors on <paramref name="device"/> (one memcpy each into a CPU tensor, then to the device).</summary>
    public static MixTensors From(MixBatch batch, Device device)
    {
        var mixture = Copy(batch.Mixture, batch.MixtureShape, device);
        var targets = Copy(batch.Targets, batch.TargetsShape, device);
        return new MixTensors(mixture, targets, batch.Number, batch.TargetNames, batch.Plans, batch.SampleRate);
    }

    private static Tensor Copy(ReadOnlySpan<float> data, long[] shape, Device device)
    {
        // One memcpy through Tensor.bytes (TensorAccessor.CopyFrom goes element by element: 10x slower).
        var cpu = empty(shape, ScalarType.Float32);
        // (the setter takes a Span but only reads it)
        cpu.bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(data), data.Length));
        if (device.type == DeviceType.CPU)
        {
            return cpu.DetachFromDisposeScope();
        }

        using (cpu)
        {
            return cpu.to(device).DetachFromDisposeScope();
        }
    }

    public void Dispose()
    {
        Mixture.Dispose();
        Targets.Dispose();
    }
}
