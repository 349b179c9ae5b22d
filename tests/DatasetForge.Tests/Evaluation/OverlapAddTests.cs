using DatasetForge.Audio;
using DatasetForge.Evaluation;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Evaluation;

public class OverlapAddTests(Xunit.Abstractions.ITestOutputHelper log)
{
    [Theory]
    [InlineData(1000, 1000)]
    [InlineData(1000, 250)]
    [InlineData(1000, 333)]
    [InlineData(777, 1)]
    [InlineData(4000, 3999)]
    [InlineData(20000, 7000)] // chunk longer than the song
    public void IdentityModelReproducesTheSongToFloatRounding(int chunk, int hop)
    {
        var song = new AudioBuffer(8000, [Signals.Noise(10007, 0.9, 1), Signals.Sine(440, 0.5, 8000, 10007)]);
        var outputs = OverlapAdd.Separate(new IdentityModel(), song, chunk, hop);
        Assert.Single(outputs);
        var output = outputs[0];
        Assert.Equal(song.Frames, output.Frames);
        Assert.Equal(song.ChannelCount, output.ChannelCount);
        var maxError = 0.0;
        for (var c = 0; c < song.ChannelCount; c++)
        {
            for (var i = 0; i < song.Frames; i++)
            {
                maxError = Math.Max(maxError, Math.Abs(output.Channels[c][i] - song.Channels[c][i]));
            }
        }

        // Sums are kept in double and rounded to float once: at most half a float ulp of values below 1 (2^-24).
        log.WriteLine($"T={chunk}, P={hop}: max |output - input| = {maxError:E2}");
        Assert.True(maxError <= Math.Pow(2, -24), $"max |error| {maxError:E2} for T={chunk}, P={hop}");
    }

    [Fact]
    public void MixtureModelSharesTheMixtureAndChunksAreWindowedNotCut()
    {
        var song = new AudioBuffer(8000, [Signals.Noise(5000, 0.5, 2)]);
        var outputs = OverlapAdd.Separate(new MixtureModel(["a", "b"]), song, 1024, 256);
        Assert.Equal(2, outputs.Length);
        for (var i = 0; i < song.Frames; i++)
        {
            Assert.Equal(song.Channels[0][i], outputs[0].Channels[0][i] + outputs[1].Channels[0][i], 1e-6);
        }
    }

    [Fact]
    public void ChunkOutputsAreBlendedWithAWindowThatSumsToOne()
    {
        // A model that returns a constant per chunk (its index + 1): the output is a convex combination of the
        // chunk constants, so it stays within [1, chunks] and moves smoothly between neighbours.
        var song = new AudioBuffer(1000, [new float[3000]]);
        var model = new ChunkIndexModel();
        var output = OverlapAdd.Separate(model, song, 400, 100)[0].Channels[0];
        Assert.All(output, v => Assert.InRange(v, 1f, model.Calls));
        for (var i = 1; i < output.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - output[i - 1]) < 0.05, $"jump at {i}: {output[i - 1]} -> {output[i]}");
        }
    }

    [Fact]
    public void BadHopAndRateAreRefused()
    {
        var song = new AudioBuffer(8000, 1, 100);
        Assert.Throws<ArgumentOutOfRangeException>(() => OverlapAdd.Separate(new IdentityModel(), song, 10, 20));
        Assert.Throws<EvaluationInputException>(() => OverlapAdd.Frames(1, 2, 8000));
        Assert.Throws<EvaluationInputException>(() => OverlapAdd.Separate(new FixedRateModel(44100), song, 10, 5));
    }

    [Fact]
    public void RegistryLoadsBuiltInsAndNamesAlternativesForUnknownSpecs()
    {
        var registry = SeparationModelRegistry.Create([typeof(ISeparationModel).Assembly]);
        using (var model = registry.Load("mixture:voice,rest"))
        {
            Assert.Equal(["voice", "rest"], model.Targets);
        }

        using (var identity = registry.Load("identity"))
        {
            Assert.Equal(["identity"], identity.Targets);
        }

        var error = Assert.Throws<EvaluationInputException>(() => registry.Load("model.ckpt"));
        Assert.Contains("model.ckpt", error.Message);
        Assert.Contains("identity", error.Message);
        Assert.Contains(SeparationModelRegistry.Discover([typeof(OverlapAddTests).Assembly]), l => l is TestLoader);
    }

    private sealed class ChunkIndexModel : ISeparationModel
    {
        public int Calls { get; private set; }

        public IReadOnlyList<string> Targets => ["x"];

        public int SampleRate => 0;

        public AudioBuffer[] Separate(AudioBuffer chunk)
        {
            Calls++;
            var value = (float)Calls;
            return [new AudioBuffer(chunk.SampleRate, chunk.Channels.Select(c => Enumerable.Repeat(value, c.Length).ToArray()).ToArray())];
        }

        public void Dispose()
        {
        }
    }

    private sealed class FixedRateModel(int rate) : ISeparationModel
    {
        public IReadOnlyList<string> Targets => ["x"];

        public int SampleRate => rate;

        public AudioBuffer[] Separate(AudioBuffer chunk) => [chunk];

        public void Dispose()
        {
        }
    }

    /// <summary>Found by <see cref="SeparationModelRegistry.Discover"/> the way the Torch project's loader will be.</summary>
    public sealed class TestLoader : ISeparationModelLoader
    {
        public string Name => "test";

        public string Description => "test";

        public bool CanLoad(string spec) => spec.EndsWith(".test", StringComparison.Ordinal);

        public ISeparationModel Load(string spec) => new IdentityModel();
    }
}
