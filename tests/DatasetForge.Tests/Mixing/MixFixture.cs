using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Mixing;

/// <summary>One small dataset (ms21 hierarchy, 8 kHz stereo, 12 s songs, float32) shared by the mixing tests of a class.</summary>
public sealed class MixFixture : IDisposable
{
    private readonly TempDir dir = new();

    public MixFixture()
    {
        Built = new DatasetBuilder(dir.Path) { SampleRate = 8000, Seconds = 14 }
            .Song("Ann - One", "train", "lead_vocal", "drum_set", "bass", "electric_guitar")
            .Song("Ann - Two", "train", "lead_vocal", "backing_vocal", "drum_set", "bass", "pianos")
            .Song("Bob - Three", "train", "drum_set", "bass", "acoustic_guitar", "strings")
            .Song("Cat - Four", "train", "lead_vocal", "bass", "electric_guitar", "electronic_keyboards")
            .Song("Dan - Five", "train", "lead_vocal", "drum_set", "nontonal_percussion", "bass", "electric_guitar", "brass")
            .Song("Eve - Six", "test", "lead_vocal", "drum_set", "bass", "pianos")
            .Build();
        Dataset = MixDataset.Load(Built.Root);
    }

    public BuiltDataset Built { get; }

    public MixDataset Dataset { get; }

    public string Root => Built.Root;

    /// <summary>A built-in recipe with a shorter chunk (the test songs are 14 s at 8 kHz).</summary>
    public static MixRecipe Recipe(string name, double chunkSeconds = 1.0) => MixRecipe.Load(name) with { ChunkSeconds = chunkSeconds };

    public void Dispose() => dir.Dispose();
}
