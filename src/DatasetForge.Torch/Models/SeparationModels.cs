using DatasetForge.Torch.Training;

namespace DatasetForge.Torch.Models;

/// <summary>Models `forge train --model NAME` can build, sized from the stream (channels, targets).</summary>
public static class SeparationModels
{
    public static IReadOnlyList<string> Names => ["tiny-masknet"];

    public static (ISeparationModel Model, ILossFunction Loss) Create(string name, int channels, int targets) => name switch
    {
        "tiny-masknet" => (new TinyMaskNet(channels, targets), new WaveformL1Loss()),
        _ => throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", Names)})"),
    };
}
