namespace DatasetForge.Torch.Models;

/// <summary>Models `forge train DATASET --model KIND` can build (paper sizes; a config sets other sizes).</summary>
public static class SeparationModels
{
    public static IReadOnlyList<string> Names => ModelSpec.Kinds;
}
