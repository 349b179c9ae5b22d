using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;
using TorchSharp;

namespace DatasetForge.Torch.Tests;

/// <summary>A small 8 kHz stereo dataset for the training tests; torch on one thread (the machine has 2 cores, shared).</summary>
public sealed class TorchFixture : IDisposable
{
    private readonly TempDir dir = new();

    public TorchFixture()
    {
        torch.set_num_threads(1);
        new DatasetBuilder(dir.Path) { SampleRate = 8000, Seconds = 10, Levels = [2] }.Songs(6, ["train"]).Build();
        Dataset = MixDataset.Load(dir.Path);
    }

    public MixDataset Dataset { get; }

    public string Root => dir.Path;

    /// <summary>The bsrnn recipe with short chunks, no rescale (so the loss scale stays put).</summary>
    public static MixRecipe Recipe(double chunkSeconds) => MixRecipe.Load("bsrnn") with { ChunkSeconds = chunkSeconds };

    public MixStream Stream(MixRecipe recipe, int batch, ulong seed = 1, long start = 0, int workers = 1) =>
        new(new MixPlanner(Dataset, recipe, seed), new MixStreamOptions { BatchSize = batch, Workers = workers, StartBatch = start });

    public void Dispose() => dir.Dispose();
}

[CollectionDefinition("torch", DisableParallelization = true)]
public sealed class TorchCollection : ICollectionFixture<TorchFixture>;
