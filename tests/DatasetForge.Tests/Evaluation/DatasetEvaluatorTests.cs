using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Evaluation;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Evaluation;

/// <summary>Whole-split evaluation on a small synthetic MUSDB-layout dataset, with two systems and their blend.</summary>
public class DatasetEvaluatorTests : IDisposable
{
    private const int Rate = 8000;
    private static readonly EvaluationOptions Fast = new() { FilterLength = 64 }; // museval's 512 taps cost 64x more; the oracle test covers them
    private static readonly string[] Targets = ["bass", "drums", "other", "vocals"];
    private readonly TempDir dir = new();

    public DatasetEvaluatorTests()
    {
        // System A = reference + n, system B = reference - n: their average is the reference.
        var seed = 0;
        foreach (var split in new[] { "valid", "test" })
        {
            for (var song = 0; song < 2; song++)
            {
                var name = $"{split} song {song}";
                var stems = Targets.ToDictionary(t => t, _ => new AudioBuffer(Rate, [Signals.Noise(2 * Rate, 0.2, ++seed), Signals.Noise(2 * Rate, 0.2, ++seed)]));
                var mixture = new AudioBuffer(Rate, 2, 2 * Rate);
                foreach (var (target, stem) in stems)
                {
                    var n = new AudioBuffer(Rate, [Signals.Noise(2 * Rate, 0.05, ++seed), Signals.Noise(2 * Rate, 0.05, ++seed)]);
                    var a = new AudioBuffer(Rate, stem.Channels.Select((c, ch) => c.Select((v, i) => v + n.Channels[ch][i]).ToArray()).ToArray());
                    var b = new AudioBuffer(Rate, stem.Channels.Select((c, ch) => c.Select((v, i) => v - n.Channels[ch][i]).ToArray()).ToArray());
                    WavFile.Write(Path.Combine(dir.Path, "data", split, name, $"{target}.wav"), stem);
                    WavFile.Write(Path.Combine(dir.Path, "A", split, name, $"{target}.wav"), a);
                    WavFile.Write(Path.Combine(dir.Path, "B", split, name, $"{target}.wav"), b);
                    for (var c = 0; c < 2; c++)
                    {
                        for (var i = 0; i < mixture.Frames; i++)
                        {
                            mixture.Channels[c][i] += stem.Channels[c][i];
                        }
                    }
                }

                WavFile.Write(Path.Combine(dir.Path, "data", split, name, "mixture.wav"), mixture);
            }
        }
    }

    public void Dispose() => dir.Dispose();

    private string Data => Path.Combine(dir.Path, "data");

    private SystemEstimates[] Systems => [new("A", Path.Combine(dir.Path, "A")), new("B", Path.Combine(dir.Path, "B"))];

    [Fact]
    public void MusdbLayoutIsRecognizedAndListsTargetsWithoutTheMixture()
    {
        var layout = DatasetLayouts.Resolve(Data, null);
        Assert.Equal("musdb", layout.Name);
        var songs = layout.Songs(Data, "test");
        Assert.Equal(["test song 0", "test song 1"], songs.Select(s => s.Name));
        Assert.Equal(Targets, songs[0].References.Keys.Order(StringComparer.Ordinal));
        Assert.NotNull(songs[0].Mixture);
        Assert.Throws<EvaluationInputException>(() => DatasetLayouts.Resolve(Data, "medleydb"));
    }

    [Fact]
    public void FitsBlendWeightsAndEvaluatesMembersAndBlend()
    {
        var (weights, fitFailures) = DatasetEvaluator.FitWeights(Data, new MusdbLayout(), "valid", Systems, null);
        Assert.Empty(fitFailures);
        Assert.Equal(2, weights.Songs);
        foreach (var target in Targets)
        {
            Assert.Equal(0.5, weights.For(target)[0], 3);
            Assert.Equal(0.5, weights.For(target)[1], 3);
        }

        var weightsPath = Path.Combine(dir.Path, "weights.json");
        AtomicFile.WriteAllText(weightsPath, weights.ToJson());
        var reloaded = EnsembleWeights.Load(weightsPath);
        Assert.Equal(weights.For("vocals"), reloaded.For("vocals"));

        var outDir = Path.Combine(dir.Path, "out");
        var result = DatasetEvaluator.Run(new DatasetEvaluationRequest
        {
            DatasetRoot = Data,
            Systems = Systems,
            OutputDir = outDir,
            Split = "test",
            Weights = reloaded,
            Options = Fast,
        });
        Assert.Empty(result.Failures);
        Assert.Equal(3 * 2 * Targets.Length, result.Songs.Count); // (A, B, blend) x songs x targets
        Assert.Equal(3 * Targets.Length, result.Aggregate.Count);
        foreach (var target in Targets)
        {
            var a = result.Aggregate.Single(r => r.System == "A" && r.Target == target);
            var blend = result.Aggregate.Single(r => r.System == DatasetEvaluationRequest.BlendName && r.Target == target);
            Assert.Equal(2, a.Songs);
            Assert.InRange(a.Csdr, 9, 15);        // 0.2 vs 0.05 amplitude noise: ~12 dB
            Assert.InRange(a.UsdrMean, 9, 15);
            Assert.True(blend.Csdr > 40, $"blend cSDR {blend.Csdr}");
        }

        // museval's aggregation: the song medians' median.
        var songRows = result.Songs.Where(r => r.System == "A" && r.Target == "vocals").ToArray();
        Assert.Equal(Statistics.NanMedian(songRows.Select(r => r.Csdr)), result.Aggregate.Single(r => r.System == "A" && r.Target == "vocals").Csdr);

        var json = Path.Combine(outDir, "A", "test", "test song 0.json");
        var track = SchemaValidatedConfig.LoadNode(File.ReadAllText(json), json, "eval-track.schema.json")!;
        Assert.Equal(2, track["targets"]![0]!["frames"]!.AsArray().Count);
        Assert.Equal(Targets.Length, TrackScores.FromJson(File.ReadAllText(json), json).Targets.Count);
        Assert.Contains("<table>", File.ReadAllText(result.HtmlReport));
        Assert.Contains("blend", File.ReadAllText(result.AggregateCsv));
        var header = File.ReadLines(result.AggregateCsv).First();
        Assert.Equal("system,target,songs,csdr,sir,isr,sar,usdr_mean,si_sdr_mean", header);
    }

    [Fact]
    public void MissingOrExtraEstimateFailsThatSongByNameAndTheRunGoesOn()
    {
        File.Delete(Path.Combine(dir.Path, "A", "test", "test song 1", "drums.wav"));
        File.Copy(Path.Combine(dir.Path, "A", "test", "test song 0", "bass.wav"), Path.Combine(dir.Path, "A", "test", "test song 0", "piano.wav"));
        var result = DatasetEvaluator.Run(new DatasetEvaluationRequest { DatasetRoot = Data, Systems = [Systems[0]], OutputDir = Path.Combine(dir.Path, "out2"), Options = Fast });
        Assert.Equal(2, result.Failures.Count);
        Assert.Contains(result.Failures, f => f.Item.Contains("test song 1") && f.Reason.Contains("missing estimate 'drums'"));
        Assert.Contains(result.Failures, f => f.Item.Contains("test song 0") && f.Reason.Contains("piano.wav"));
        Assert.True(File.Exists(Path.Combine(dir.Path, "out2", "quarantine.csv")));
    }

    [Fact]
    public void EvalCommandScoresADatasetAndReportsFailuresWithExitCode()
    {
        var outDir = Path.Combine(dir.Path, "cli");
        var rc = global::DatasetForge.Cli.ForgeCli.BuildRoot().Parse(["eval", "--dataset", Data, "--estimates", Path.Combine(dir.Path, "A"), "--estimates", Path.Combine(dir.Path, "B"),
            "--fit-split", "valid", "--out", outDir, "--filter-length", "64"]).Invoke();
        Assert.Equal(0, rc);
        Assert.True(File.Exists(Path.Combine(outDir, "ensemble-weights.json")));
        Assert.Contains("blend", File.ReadAllText(Path.Combine(outDir, "aggregate.csv")));

        var refDir = Path.Combine(Data, "test", "test song 0");
        var estDir = Path.Combine(dir.Path, "A", "test", "test song 0");
        var jsonOut = Path.Combine(dir.Path, "song.json");
        Assert.Equal(1, global::DatasetForge.Cli.ForgeCli.BuildRoot().Parse(["eval", refDir, estDir, "--output", jsonOut, "--filter-length", "64"]).Invoke()); // mixture.wav has no estimate
        File.Delete(Path.Combine(refDir, "mixture.wav"));
        Assert.Equal(0, global::DatasetForge.Cli.ForgeCli.BuildRoot().Parse(["eval", refDir, estDir, "--output", jsonOut, "--filter-length", "64"]).Invoke());
        Assert.Equal(Targets, TrackScores.FromJson(File.ReadAllText(jsonOut), jsonOut).Targets.Select(t => t.Name));
    }
}
