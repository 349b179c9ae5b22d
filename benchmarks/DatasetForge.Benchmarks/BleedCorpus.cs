using DatasetForge.Analysis.Bleed;
using DatasetForge.Audio;
using DatasetForge.Dsp;
using DatasetForge.Synth;

namespace DatasetForge.Benchmarks;

/// <summary>One injected leak: the source track, and the delay, level (relative to the target's own content) and low-pass that were applied.</summary>
public sealed record InjectedBleed(int Source, double DelayMs, double LevelDb, double LowpassHz);

/// <summary>A benchmark track: its detector input, whether it is a doubled vocal (hard negative), and what was injected into it.</summary>
public sealed record BenchTrack(string Name, string Kind, bool Double, IReadOnlyList<InjectedBleed> Injected, BleedTrackInput Input);

/// <summary>
/// The injected-bleed benchmark corpus, built on the synthesizer's API: per song one musical context, 8-9 parts
/// that play together (a kit's kick, snare and hi-hat on one groove, bass, keys or guitar, a melodic instrument,
/// a lead vocal and its double: the same line sung again with other timing, tuning and vibrato), each in some of the
/// sections; about 40% of the tracks get 1-2 other tracks' clean content injected with <see cref="BleedInjector"/>:
/// delay 1-30 ms, level -40..-10 dB relative to the track's own content, low-passed at 2-8 kHz. Doubled vocals with
/// nothing injected are the hard negatives. Every track also gets a white noise floor of -85..-65 dBFS, as every
/// microphone and preamp has. Every choice flows from the seed.
/// </summary>
public static class BleedCorpus
{
    private static readonly InstrumentKind[] Keys = [InstrumentKind.Piano, InstrumentKind.ElectricPiano, InstrumentKind.Organ, InstrumentKind.ElectricGuitar, InstrumentKind.AcousticGuitar];
    private static readonly InstrumentKind[] Melodic = [InstrumentKind.StringSection, InstrumentKind.Violin, InstrumentKind.Saxophone, InstrumentKind.Trumpet, InstrumentKind.Flute, InstrumentKind.Cello, InstrumentKind.SynthLead];

    public static List<BenchTrack> Song(int seed, int index, double seconds, int analysisRate, double injectProbability = 0.4)
    {
        var rng = SynthSeed.Rng(seed, "bleed-bench", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var rate = rng.Next(2) == 0 ? 44100 : 48000;
        var context = MusicalContext.Create(SynthSeed.Derive(seed, "bleed-bench", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "context"), rate, seconds);
        var sections = context.Sections.Count;
        bool[] Arrangement(double density)
        {
            var active = Enumerable.Range(0, sections).Select(_ => rng.NextDouble() < density).ToArray();
            if (!active.Any(a => a))
            {
                active[rng.Next(sections)] = true;
            }

            return active;
        }

        var groove = (GrooveStyle)rng.Next(Enum.GetValues<GrooveStyle>().Length);
        var kitSeed = rng.Next();
        var kitSections = Arrangement(0.85);
        var vocalSections = Arrangement(0.7);
        var vocalSeed = rng.Next();
        var parts = new List<(string Name, string Kind, bool Double, PartRequest Request)>
        {
            ("Kick", "drum_set", false, new PartRequest(InstrumentKind.Kick, kitSeed, rng.Next()) { Groove = groove, ActiveSections = kitSections }),
            ("Snare", "drum_set", false, new PartRequest(InstrumentKind.Snare, kitSeed, rng.Next()) { Groove = groove, ActiveSections = kitSections }),
            ("HiHat", "drum_set", false, new PartRequest(InstrumentKind.HiHat, kitSeed, rng.Next()) { Groove = groove, ActiveSections = kitSections }),
            ("Bass", "bass", false, new PartRequest(InstrumentKind.ElectricBass, rng.Next(), rng.Next()) { ActiveSections = Arrangement(0.85) }),
            (null!, "keys", false, new PartRequest(Keys[rng.Next(Keys.Length)], rng.Next(), rng.Next()) { ActiveSections = Arrangement(0.75) }),
            (null!, "melodic", false, new PartRequest(Melodic[rng.Next(Melodic.Length)], rng.Next(), rng.Next()) { ActiveSections = Arrangement(0.6) }),
            ("LeadVocal", "lead_vocal", false, new PartRequest(InstrumentKind.LeadVocal, vocalSeed, rng.Next()) { ActiveSections = vocalSections }),
            ("LeadVocalDouble", "lead_vocal", true, new PartRequest(InstrumentKind.LeadVocal, vocalSeed, rng.Next())
            {
                ActiveSections = vocalSections,
                TuningCents = (rng.Next(2) == 0 ? -1 : 1) * (5 + (rng.NextDouble() * 10)),
                TimingJitterMs = 10 + (rng.NextDouble() * 20),
            }),
        };
        if (rng.NextDouble() < 0.5)
        {
            parts.Add(("BackingVocal", "backing_vocal", false, new PartRequest(InstrumentKind.BackingVocal, vocalSeed, rng.Next()) { ActiveSections = Arrangement(0.5), Voice = 1 }));
        }

        var own = new List<float[]>();
        foreach (var part in parts)
        {
            var audio = InstrumentSynth.Render(context, part.Request).Audio;
            var peak = Levels.SamplePeak(audio);
            var gain = peak > 0 ? (float)(Levels.DbToAmplitude(-12 + (rng.NextDouble() * 9)) / peak) : 1f;
            own.Add(audio.Select(x => x * gain).ToArray());
        }

        var tracks = new List<BenchTrack>();
        for (var t = 0; t < parts.Count; t++)
        {
            var audio = (float[])own[t].Clone();
            var injected = new List<InjectedBleed>();
            if (rng.NextDouble() < injectProbability)
            {
                var candidates = Enumerable.Range(0, parts.Count).Where(s => s != t && !(parts[s].Kind == parts[t].Kind && parts[t].Kind == "lead_vocal")).ToList();
                var count = rng.NextDouble() < 0.35 ? 2 : 1;
                foreach (var s in candidates.OrderBy(_ => rng.Next()).Take(count))
                {
                    var spec = new BleedSpec(1 + (rng.NextDouble() * 29), -40 + (rng.NextDouble() * 30), 2000 + (rng.NextDouble() * 6000));
                    var result = BleedInjector.Inject([audio], own[s], rate, spec, [own[t]]);
                    injected.Add(new InjectedBleed(s, result.DelayMs, result.LevelDb, spec.LowpassHz));
                }
            }

            // Every microphone and preamp adds a noise floor (-85..-65 dBFS RMS, white): leakage below it is not there to find.
            var noise = new Random(rng.Next());
            var noiseRms = Levels.DbToAmplitude(-85 + (rng.NextDouble() * 20));
            for (var i = 0; i < audio.Length; i++)
            {
                audio[i] += (float)(noiseRms * Gaussian(noise));
            }

            var name = parts[t].Name ?? parts[t].Request.Kind.ToString();
            var input = BleedTrackInput.FromAudio(name, name, parts[t].Kind, new AudioBuffer(rate, [audio]), analysisRate);
            tracks.Add(new BenchTrack(name, parts[t].Kind, parts[t].Double || parts[t].Kind == "lead_vocal", injected, input));
        }

        return tracks;
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
