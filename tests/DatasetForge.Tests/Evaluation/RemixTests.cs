using DatasetForge.Audio;
using DatasetForge.Common.Config;
using DatasetForge.Evaluation;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Evaluation;

public class RemixTests
{
    private static Dictionary<string, AudioBuffer> Stems(int seed) => new()
    {
        ["vocals"] = new AudioBuffer(8000, [Signals.Noise(16000, 0.3, seed), Signals.Noise(16000, 0.3, seed + 1)]),
        ["drums"] = new AudioBuffer(8000, [Signals.Noise(16000, 0.1, seed + 2), Signals.Noise(16000, 0.1, seed + 3)]),
    };

    [Fact]
    public void RemixAppliesGainsAndKeepsTheMixtureLoudness()
    {
        var stems = Stems(1);
        var meter = new Bs1770Loudness();
        var mixture = new AudioBuffer(8000, stems["vocals"].Channels.Select((c, ch) => c.Select((v, i) => v + stems["drums"].Channels[ch][i]).ToArray()).ToArray());
        var scene = new RemixScene("s", new Dictionary<string, double> { ["vocals"] = -6, ["drums"] = 6 });
        var remix = Remixer.Render(stems, scene, meter.Measure(mixture), meter);
        Assert.Equal(meter.Measure(mixture), meter.Measure(remix), 1e-4);

        // Up to the loudness gain, the remix is 10^(-6/20) vocals + 10^(6/20) drums.
        var raw = stems["vocals"].Channels[0].Select((v, i) => (Math.Pow(10, -0.3) * v) + (Math.Pow(10, 0.3) * stems["drums"].Channels[0][i])).ToArray();
        var scale = remix.Channels[0][100] / raw[100];
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(raw[i] * scale, remix.Channels[0][i], 1e-5);
        }

        Assert.Throws<EvaluationInputException>(() => Remixer.Render(stems, new RemixScene("x", new Dictionary<string, double> { ["piano"] = 3 }), 0, meter));
    }

    [Fact]
    public void PerfectStemsGiveAPerfectRemixAndNoisyOnesAFiniteScore()
    {
        var refs = Stems(10);
        var mixture = refs["vocals"];
        var scene = new RemixScene("s", new Dictionary<string, double> { ["vocals"] = 3 });
        var (_, _, perfect) = Remixer.Evaluate(refs, refs, mixture, scene, new Bs1770Loudness());
        Assert.True(perfect.Usdr > 90, $"uSDR {perfect.Usdr}"); // the 1e-7 stabilizer caps uSDR near 100 dB here
        Assert.Equal(["drums"], perfect.UnscaledStems);

        var noise = new[] { Signals.Noise(16000, 0.03, 99), Signals.Noise(16000, 0.03, 100) };
        var noisy = refs.ToDictionary(kv => kv.Key, kv => new AudioBuffer(8000, kv.Value.Channels.Select((c, ch) => c.Select((v, i) => v + noise[ch][i]).ToArray()).ToArray()));
        var (_, _, scores) = Remixer.Evaluate(noisy, refs, mixture, scene, new Bs1770Loudness());
        Assert.InRange(scores.Usdr, 10, 30);
        Assert.InRange(scores.Csdr, 10, 30);
    }

    [Fact]
    public void ScenesLoadFromYamlPresetsAndCadenzaJson()
    {
        var preset = RemixScene.Load("pipelines/remix/vocals-up.yaml");
        Assert.Equal("vocals-up", preset.Name);
        Assert.Equal(6, preset.GainsDb["vocals"]);

        using var dir = new TempDir();
        var cadenza = dir.File("gains.json");
        File.WriteAllText(cadenza, """{"gain_0001": {"vocals": -3, "drums": 2.5}, "gain_0002": {"vocals": 0, "drums": 0}}""");
        var scene = RemixScene.Load(cadenza, "gain_0001");
        Assert.Equal(-3, scene.GainsDb["vocals"]);
        Assert.Equal(2.5, scene.GainsDb["drums"]);
        Assert.Contains("--gain-id", Assert.Throws<ConfigException>(() => RemixScene.Load(cadenza)).Message);

        var bad = dir.File("bad.yaml");
        File.WriteAllText(bad, "name: x\ngains_db:\n  vocals: loud\n");
        Assert.Throws<ConfigException>(() => RemixScene.Load(bad));
    }
}
