using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;
using DatasetForge.Torch.Data;
using DatasetForge.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Tests;

/// <summary>
/// A second small dataset with every hierarchy level (for hierarchical, MixIT and two-source tests): 8 kHz stereo,
/// 12 s songs; 8 songs with two instruments each (bass and lead vocal: a 55 Hz and a 330 Hz part), six in train, one
/// in validation and one in test.
/// </summary>
public sealed class HierarchyFixture : IDisposable
{
    private readonly TempDir dir = new();

    public HierarchyFixture()
    {
        torch.set_num_threads(1);
        var builder = new DatasetBuilder(dir.Path) { SampleRate = 8000, Seconds = 12 };
        string[] splits = ["train", "train", "train", "validation", "train", "train", "train", "test"];
        for (var i = 0; i < splits.Length; i++)
        {
            builder.Song($"Duo {i % 4} - Song {i}", splits[i], "bass", "lead_vocal");
        }

        Built = builder.Build();
        Dataset = MixDataset.Load(dir.Path);
    }

    public BuiltDataset Built { get; }

    public MixDataset Dataset { get; }

    public string Root => dir.Path;

    public void Dispose() => dir.Dispose();
}

/// <summary>Helpers: fixed batches and overfitting loops.</summary>
public static class TrainKit
{
    /// <summary>Batch <paramref name="number"/> of a stream as CPU tensors.</summary>
    public static MixTensors Batch(MixDataset dataset, MixRecipe recipe, int batchSize, ulong seed = 1, long number = 0)
    {
        using var stream = new MixStream(new MixPlanner(dataset, recipe, seed), new MixStreamOptions { BatchSize = batchSize, Workers = 1 });
        using var batch = stream.RenderBatch(number);
        return MixTensors.From(batch, CPU);
    }

    /// <summary>Trains on one batch again and again; returns every step's loss.</summary>
    public static List<double> Overfit(ISeparationModel model, ILossFunction loss, MixTensors batch, int steps, double lr, double? clip = null)
    {
        using var trainer = new Trainer(model, loss, new TrainerOptions { Steps = steps, LearningRate = lr, GradientClipNorm = clip, WriteReport = false });
        var losses = new List<double>();
        for (var i = 0; i < steps; i++)
        {
            losses.Add(trainer.TrainStep(batch).Loss);
        }

        return losses;
    }

    /// <summary>Mean of the first and of the last <paramref name="n"/> values.</summary>
    public static (double First, double Last) Ends(IReadOnlyList<double> values, int n = 5) => (values.Take(n).Average(), values.TakeLast(n).Average());
}

[CollectionDefinition("torch-hierarchy", DisableParallelization = true)]
public sealed class HierarchyCollection : ICollectionFixture<HierarchyFixture>;
