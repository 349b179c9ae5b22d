using DatasetForge.Analysis;
using DatasetForge.Analysis.Bleed;
using DatasetForge.Audio;
using DatasetForge.Synth;

namespace DatasetForge.Tests.Analysis;

/// <summary>The bleed detector on a small synthetic song with known leakage, and its building blocks.</summary>
public sealed class BleedDetectorTests
{
    private const int Rate = 32000;

    /// <summary>One song's parts (shared context, so they play together), rendered once for the whole class.</summary>
    private static readonly Lazy<Dictionary<string, float[]>> Parts = new(() =>
    {
        var context = MusicalContext.Create(1234, Rate, 14);
        var sections = context.Sections.Count;
        var vocalSections = Enumerable.Range(0, sections).Select(i => i % 3 != 0).ToArray();
        var result = new Dictionary<string, float[]>
        {
            ["vocal"] = InstrumentSynth.Render(context, new PartRequest(InstrumentKind.LeadVocal, 7, 8) { ActiveSections = vocalSections }).Audio,
            ["double"] = InstrumentSynth.Render(context, new PartRequest(InstrumentKind.LeadVocal, 7, 9) { ActiveSections = vocalSections, TuningCents = 9, TimingJitterMs = 20 }).Audio,
            ["guitar"] = InstrumentSynth.Render(context, new PartRequest(InstrumentKind.AcousticGuitar, 11, 12)).Audio,
            ["bass"] = InstrumentSynth.Render(context, new PartRequest(InstrumentKind.ElectricBass, 13, 14)).Audio,
            ["kick"] = InstrumentSynth.Render(context, new PartRequest(InstrumentKind.Kick, 15, 16)).Audio,
            ["snare"] = InstrumentSynth.Render(context, new PartRequest(InstrumentKind.Snare, 15, 17)).Audio,
        };
        foreach (var (name, x) in result)
        {
            var noise = new Random(name.Length * 7919);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] += (float)(3e-5 * ((noise.NextDouble() * 2) - 1)); // a -93 dBFS noise floor
            }
        }

        return result;
    });

    private static BleedTrackInput Input(string name, float[] audio, string instrument) =>
        BleedTrackInput.FromAudio(name, name, instrument, new AudioBuffer(Rate, [audio]), 16000);

    private static BleedDetector Detector() => new(AnalysisOptions.Default.Bleed, BleedCalibration.Load("bleed-calibration"));

    [Fact]
    public void Finds_injected_leakage_its_source_delay_and_level_and_leaves_the_doubled_vocal_alone()
    {
        var p = Parts.Value;
        var vocal = (float[])p["vocal"].Clone();
        var injected = BleedInjector.Inject([vocal], p["guitar"], Rate, new BleedSpec(12.5, -24, 5000), [p["vocal"]]);
        var result = Detector().Analyze(
        [
            Input("vocal", vocal, "lead_vocal"), Input("double", p["double"], "lead_vocal"), Input("guitar", p["guitar"], "acoustic_guitar"),
            Input("bass", p["bass"], "bass"), Input("kick", p["kick"], "drum_set"),
        ]);

        var v = result.Tracks.Single(t => t.File == "vocal");
        Assert.True(v.Detected, $"p={v.Probability}");
        Assert.True(v.Harmful);
        Assert.Equal("guitar", v.Sources[0]);
        Assert.Equal(injected.DelayMs, v.DelayMs, 0.1);
        Assert.InRange(v.LevelDb, injected.LevelDb - 3, injected.LevelDb + 3);
        Assert.True(result.HasBleed);

        // The double sings the same line (other timing, tuning, vibrato): related, not leakage. Nor are kick and bass.
        foreach (var clean in new[] { "double", "guitar", "bass", "kick" })
        {
            var t = result.Tracks.Single(x => x.File == clean);
            var why = $"{clean}: p={t.Probability}, top {t.Top?.Source} psr {t.Top?.PsrQuiet}/{t.Top?.PsrAll} coherence {t.Top?.Coherence} z {t.Top?.EnergyZ} r {t.Top?.EnergyR} level {t.Top?.LevelDb}";
            Assert.False(t.Detected, why);
            Assert.True(t.Probability < 0.5, why);
        }

        // Every ordered pair has a row; ranks run 1..n-1 per track.
        Assert.Equal(5 * 4, result.Pairs.Count);
        Assert.All(result.Pairs.GroupBy(x => x.File), g => Assert.Equal(Enumerable.Range(1, 4), g.Select(x => x.Rank).Order()));
    }

    [Fact]
    public void Leakage_inside_one_drum_kit_is_reported_but_not_harmful()
    {
        var p = Parts.Value;
        var snare = (float[])p["snare"].Clone();
        BleedInjector.Inject([snare], p["kick"], Rate, new BleedSpec(1.5, -18, 8000), [p["snare"]]);
        var result = Detector().Analyze([Input("kick", p["kick"], "drum_set"), Input("snare", snare, "drum_set"), Input("bass", p["bass"], "bass")]);
        var s = result.Tracks.Single(t => t.File == "snare");
        Assert.True(s.Detected);
        Assert.False(s.Harmful);
        Assert.Equal("kick", s.Sources[0]);
        Assert.False(result.HasBleed);
    }

    [Fact]
    public void The_same_source_recorded_twice_is_not_leakage()
    {
        // A DI and its amp: the same performance, filtered and a little later, at a comparable level.
        var p = Parts.Value;
        var amp = new float[p["guitar"].Length];
        var lowpass = DatasetForge.Dsp.Biquad.LowPass(Rate, 4000);
        for (var i = 40; i < amp.Length; i++)
        {
            amp[i] = (float)lowpass.Process(0.7 * p["guitar"][i - 40]);
        }

        var result = Detector().Analyze([Input("di", p["guitar"], "electric_guitar"), Input("amp", amp, "electric_guitar"), Input("bass", p["bass"], "bass")]);
        var pair = result.Pairs.Single(x => x.File == "amp" && x.Source == "di");
        Assert.Equal(BleedRelation.SameSource, pair.Relation);
        Assert.Equal(1.25, pair.DelayMs, 0.1);
        Assert.All(result.Tracks, t => Assert.False(t.Detected));
    }

    [Fact]
    public void A_song_with_one_track_has_nothing_to_compare()
    {
        var result = Detector().Analyze([Input("solo", Parts.Value["guitar"], "acoustic_guitar")]);
        var t = Assert.Single(result.Tracks);
        Assert.False(t.Detected);
        Assert.Empty(result.Pairs);
    }

    [Fact]
    public void Logistic_fit_recovers_known_coefficients()
    {
        var rng = new Random(5);
        var samples = new List<double[]>();
        var labels = new List<bool>();
        for (var i = 0; i < 20000; i++)
        {
            double[] x = [(rng.NextDouble() * 4) - 2, (rng.NextDouble() * 4) - 2];
            var p = LogisticModel.Sigmoid(-0.5 + (1.5 * x[0]) - (2 * x[1]));
            samples.Add(x);
            labels.Add(rng.NextDouble() < p);
        }

        var model = LogisticModel.Fit(samples, labels, l2: 1e-6);
        Assert.Equal(-0.5, model.Intercept, 0.1);
        Assert.Equal(1.5, model.Weights[0], 0.1);
        Assert.Equal(-2, model.Weights[1], 0.12);
    }

    [Fact]
    public void Quickselect_quantile_matches_sorting()
    {
        var rng = new Random(3);
        for (var n = 1; n < 60; n += 7)
        {
            var values = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 10)).ToArray();
            var sorted = values.Order().ToArray();
            foreach (var q in new[] { 0, 0.15, 0.25, 0.5, 0.9, 1 })
            {
                Assert.Equal(DatasetForge.Analysis.Activity.BsrnnActivityDetector.Quantile(sorted, q), Select.Quantile((double[])values.Clone(), q), 12);
            }
        }
    }

    [Fact]
    public void Shipped_calibration_loads_and_a_wrong_feature_list_is_refused()
    {
        var calibration = BleedCalibration.Load("bleed-calibration");
        Assert.Equal(BleedFeatures.Names, calibration.Features);
        using var temp = new TestSupport.TempDir();
        var bad = temp.File("cal.yaml");
        File.WriteAllText(bad, "features: [a]\npair: {intercept: 0, weights: [1]}\ntrack: {intercept: 0, weights: [1]}\n");
        var e = Assert.Throws<DatasetForge.Common.Config.ConfigException>(() => BleedCalibration.Load(bad));
        Assert.Contains("cal.yaml", e.Message);
    }
}
