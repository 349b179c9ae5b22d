using System.Runtime.InteropServices;
using DatasetForge.Audio;
using DatasetForge.Evaluation;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;
using EvalModel = DatasetForge.Evaluation.ISeparationModel;

namespace DatasetForge.Torch.Inference;

/// <summary>
/// `forge separate --model CHECKPOINT`: takes a checkpoint folder (state.json, model.bin, model.json) or a run folder
/// (its best checkpoint, else its latest), rebuilds the model from model.json, loads the weights and separates on CPU
/// (or on the device named by $FORGE_DEVICE). Found by <see cref="SeparationModelRegistry"/> by reflection.
/// </summary>
public sealed class TorchCheckpointLoader : ISeparationModelLoader
{
    public string Name => "torch";

    public string Description => "a forge train checkpoint folder, or a run folder (its best, else its latest checkpoint)";

    public bool CanLoad(string spec)
    {
        try
        {
            return Directory.Exists(spec) && Checkpoint.Resolve(spec) is { } dir && File.Exists(Path.Combine(dir, ModelDescription.FileName));
        }
        catch (IOException)
        {
            return false;
        }
    }

    public EvalModel Load(string spec)
    {
        var dir = Checkpoint.Resolve(spec) ?? throw new EvaluationInputException($"{spec}: not a checkpoint or run folder");
        var device = TorchDevice.Resolve(Environment.GetEnvironmentVariable("FORGE_DEVICE") is { Length: > 0 } d ? d : "cpu");
        return TorchSeparator.Load(dir, device);
    }
}

/// <summary>
/// A trained checkpoint as an inference model: chunks [channels, samples] go through
/// <see cref="Training.ISeparationModel.Separate"/> without gradients. Targets are the model's output names (a
/// hierarchical model's leaf path nodes, a BSRNN model's target, a supervised ConvTasNet's named outputs; a MixIT
/// model's unnamed outputs are all written). The Mask-Inference model takes any sample rate (it resamples); the
/// others expect the rate they were trained at.
/// </summary>
public sealed class TorchSeparator : EvalModel
{
    private readonly Training.ISeparationModel model;
    private readonly Device device;
    private readonly int[] outputs;

    private TorchSeparator(Training.ISeparationModel model, ModelDescription description, Device device)
    {
        this.model = model;
        this.device = device;
        Description = description;
        outputs = description.Written.Select(w => w.Output).ToArray();
        Targets = description.Written.Select(w => w.Name).ToList();
        SampleRate = model is MaskInferenceNet ? 0 : description.Stream.SampleRate;
    }

    public ModelDescription Description { get; }

    public IReadOnlyList<string> Targets { get; }

    public int SampleRate { get; }

    public static TorchSeparator Load(string checkpointDir, Device device)
    {
        var description = ModelDescription.Read(checkpointDir);
        var model = ModelFactory.Create(description.Spec, description.Stream);
        try
        {
            model.Module.load(Path.Combine(checkpointDir, Checkpoint.ModelFile));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            model.Dispose();
            throw new EvaluationInputException($"{checkpointDir}: the weights do not fit the model described by model.json ({e.Message})");
        }

        model.Module.to(device);
        model.Module.eval();
        return new TorchSeparator(model, description, device);
    }

    public AudioBuffer[] Separate(AudioBuffer chunk)
    {
        if (model is not MaskInferenceNet && chunk.ChannelCount != Description.Stream.Channels)
        {
            throw new EvaluationInputException($"the model was trained on {Description.Stream.Channels}-channel audio; the input has {chunk.ChannelCount}");
        }

        if (model is MaskInferenceNet mi)
        {
            mi.Frontend.InputRate = chunk.SampleRate;
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var c = chunk.ChannelCount;
        var s = chunk.Frames;
        var flat = new float[c * s];
        for (var ch = 0; ch < c; ch++)
        {
            chunk.Channels[ch].AsSpan().CopyTo(flat.AsSpan(ch * s, s));
        }

        using var input = tensor(flat, [1, c, s], ScalarType.Float32).to(device);
        using var estimates = model.Separate(input).to(ScalarType.Float32).cpu().contiguous();   // [1, O, C, S]
        var all = new float[estimates.numel()];
        estimates.bytes.CopyTo(MemoryMarshal.AsBytes(all.AsSpan()));
        var result = new AudioBuffer[outputs.Length];
        for (var k = 0; k < outputs.Length; k++)
        {
            var o = outputs[k];
            var channels = new float[c][];
            for (var ch = 0; ch < c; ch++)
            {
                channels[ch] = all.AsSpan(((o * c) + ch) * s, s).ToArray();
            }

            result[k] = new AudioBuffer(chunk.SampleRate, channels);
        }

        return result;
    }

    public void Dispose() => model.Dispose();
}
