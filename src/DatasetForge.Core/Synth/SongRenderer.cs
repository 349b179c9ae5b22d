using DatasetForge.Dsp;

namespace DatasetForge.Synth;

/// <summary>Ground truth of one bleed relation of a track (one row of bleed.csv).</summary>
public sealed record BleedTruth(int Track, int Source, string Kind, double? DelayMs, double? LevelDb, double? LowpassHz);

/// <summary>A finished track: the audio as written (before encoding), its own content at the same gain, activity and bleed truth.</summary>
public sealed record RenderedTrack(TrackPlan Plan, float[][] Audio, float[][] Own, IReadOnlyList<TimeSpanS> Activity, IReadOnlyList<BleedTruth> Bleed);

/// <summary>
/// Renders a <see cref="SongPlan"/>: every part once, then each track's own content (close mic, DI, amp, mixes of
/// parts for overheads/rooms), then, per track on demand, the bleed added and the level set. Pure: same plan, same
/// samples. Memory: the parts' activity and every track's own content stay in memory, finished tracks do not.
/// </summary>
public sealed class SongRenderer
{
    private readonly SongPlan plan;
    private readonly float[][]?[] own;
    private readonly IReadOnlyList<TimeSpanS>[] activity;
    private readonly Dictionary<int, List<BleedTruth>> mixTruth = [];

    public SongRenderer(SongPlan plan, CancellationToken cancellationToken = default)
    {
        this.plan = plan;
        var ctx = plan.Context;
        var parts = new Dictionary<string, PartRender>();
        foreach (var part in plan.Parts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            parts[part.Id] = InstrumentSynth.Render(ctx, part.Request);
        }

        own = new float[][]?[plan.Tracks.Count];
        activity = new IReadOnlyList<TimeSpanS>[plan.Tracks.Count];
        for (var i = 0; i < plan.Tracks.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var track = plan.Tracks[i];
            if (track.Defect is not null)
            {
                activity[i] = [];
                continue;
            }

            if (plan.Mixes.TryGetValue(i, out var sources))
            {
                own[i] = Mix(i, track, sources, parts);

                // A distant mic hears each source later, and a room's reverberation rings on (to -50 dB).
                var tail = ReverbT60(track.Process) * 50 / 60;
                activity[i] = PartWriter.MergeSpans(
                    sources.SelectMany(s => parts[s.PartId].Activity.Select(a => new TimeSpanS(a.Start + (s.DelayMs / 1000), Math.Min(ctx.Seconds, a.End + (s.DelayMs / 1000) + tail)))),
                    InstrumentSynth.ActivityMergeGapSeconds);
            }
            else
            {
                own[i] = Process(i, track, parts[track.PartId].Audio);
                activity[i] = parts[track.PartId].Activity;
            }
        }
    }

    public SongPlan Plan => plan;

    /// <summary>The own content of a track before levelling (what bleed levels are relative to); null for defective files.</summary>
    public float[][]? OwnContent(int track) => own[track];

    /// <summary>Adds the track's kit bleed and injected bleed to its own content, sets its peak level, and returns it with its ground truth.</summary>
    public RenderedTrack Finish(int index)
    {
        var track = plan.Tracks[index];
        var mine = own[index] ?? throw new InvalidOperationException($"{track.File} is a defective file and has no audio");
        var audio = mine.Select(c => (float[])c.Clone()).ToArray();
        var truth = new List<BleedTruth>();
        foreach (var bleed in plan.Bleeds.Where(b => b.Target == index))
        {
            var source = SynthDsp.MonoOf(own[bleed.Source]!);
            var result = BleedInjector.Inject(audio, source, plan.Context.SampleRate, bleed.Spec, mine);
            truth.Add(new BleedTruth(index, bleed.Source, bleed.Kind, Math.Round(result.DelayMs, 4), Math.Round(result.LevelDb, 2), bleed.Spec.LowpassHz > 0 ? bleed.Spec.LowpassHz : null));
        }

        if (mixTruth.TryGetValue(index, out var mix))
        {
            truth.AddRange(mix);
        }

        foreach (var (a, b) in plan.Doubles)
        {
            if (a == index || b == index)
            {
                truth.Add(new BleedTruth(index, a == index ? b : a, "hard_negative", null, null, null));
            }
        }

        if (truth.Count == 0)
        {
            truth.Add(new BleedTruth(index, -1, "none", null, null, null));
        }

        var peak = SynthDsp.Peak(audio);
        var gain = peak > 0 ? (float)(Levels.DbToAmplitude(track.PeakDb) / peak) : 1f;
        var ownScaled = mine.Select(c => (float[])c.Clone()).ToArray();
        foreach (var c in ownScaled)
        {
            SynthDsp.Scale(c, gain);
        }

        foreach (var c in audio)
        {
            SynthDsp.Scale(c, gain);
        }

        return new RenderedTrack(track, audio, ownScaled, activity[index], truth);
    }

    private float[][] Process(int index, TrackPlan track, float[] part)
    {
        var sr = plan.Context.SampleRate;
        var rng = SynthSeed.Rng(plan.Seed, "process", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var x = (float[])part.Clone();
        switch (track.Process)
        {
            case TrackProcess.KickOut:
                SynthDsp.Filter(x, Biquad.LowPass(sr, 1500));
                SynthDsp.Filter(x, Biquad.Peaking(sr, 60, 1, 4));
                x = SynthDsp.Delayed(x, (int)(0.0012 * sr));
                break;
            case TrackProcess.SnareBottom:
                SynthDsp.Filter(x, Biquad.HighPass(sr, 1800));
                SynthDsp.Scale(x, -1f);
                break;
            case TrackProcess.Amp:
                {
                    var peak = Math.Max(Levels.SamplePeak(x), 1e-9f);
                    SynthDsp.Scale(x, 1f / peak);
                    SynthDsp.Saturate(x, rng.Uniform(1.5, 6));
                    SynthDsp.Filter(x, Biquad.HighPass(sr, 90));
                    SynthDsp.Filter(x, Biquad.Peaking(sr, 1600, 1, 3));
                    SynthDsp.Filter(x, Biquad.LowPass(sr, rng.Uniform(3500, 5500)));
                    SynthDsp.Filter(x, Biquad.LowPass(sr, 7000));
                    break;
                }

            case TrackProcess.Scratch:
                {
                    SynthDsp.Filter(x, Biquad.HighPass(sr, 300));
                    SynthDsp.Filter(x, Biquad.LowPass(sr, 3000));
                    var noise = new NoiseSource(rng);
                    var level = (float)(Levels.Rms(x) * 0.02);
                    for (var i = 0; i < x.Length; i++)
                    {
                        x[i] += noise.Next() * level;
                    }

                    break;
                }
        }

        if (track.Channels == 1 && track.Side == 0)
        {
            return [x];
        }

        var (left, right) = StereoImage(x, sr, rng);
        return track.Side switch { -1 => [left], 1 => [right], _ => [left, right] };
    }

    /// <summary>A mix of parts as a microphone far from them hears it: each delayed, at its gain, panned; rooms add reverberation.</summary>
    private float[][] Mix(int index, TrackPlan track, IReadOnlyList<MixSource> sources, Dictionary<string, PartRender> parts)
    {
        var ctx = plan.Context;
        var sr = ctx.SampleRate;
        var left = new float[ctx.Frames];
        var right = new float[ctx.Frames];
        var contributions = new List<(MixSource Source, double SumSquares)>();
        foreach (var s in sources)
        {
            var part = parts[s.PartId].Audio;
            var g = Levels.DbToAmplitude(s.GainDb);
            var angle = (s.Pan + 1) * Math.PI / 4;
            var gl = (float)(g * Math.Cos(angle) * Math.Sqrt(2));
            var gr = (float)(g * Math.Sin(angle) * Math.Sqrt(2));
            var delay = (int)Math.Round(s.DelayMs * sr / 1000);
            SynthDsp.AddInto(left, part, gl, delay);
            SynthDsp.AddInto(right, part, gr, delay);
            var energy = Levels.SumOfSquares(part);
            var gainHere = track.Side switch { -1 => gl * gl, 1 => gr * gr, _ => ((gl * gl) + (gr * gr)) / 2.0 };
            contributions.Add((s, energy * gainHere));
        }

        if (ReverbT60(track.Process) is var t60 and > 0)
        {
            var wetL = SynthDsp.Reverb(left, sr, t60, 0.01);
            var wetR = SynthDsp.Reverb(right, sr, t60 * 1.07, 0.013);
            SynthDsp.AddInto(left, wetL, 0.6f);
            SynthDsp.AddInto(right, wetR, 0.6f);
        }

        float[][] result = track.Side switch { -1 => [left], 1 => [right], _ => track.Channels == 1 ? [SynthDsp.MonoOf([left, right])] : [left, right] };

        // Each source's level relative to everything the microphone hears (dry contribution vs whole signal).
        var totalSquares = result.Sum(c => Levels.SumOfSquares(c)) / result.Length;
        var kind = track.Process == TrackProcess.Ambient ? "ambient" : "kit";
        var truth = new List<BleedTruth>();
        foreach (var (source, squares) in contributions)
        {
            var sourceTrack = plan.PrimaryTrackOf(source.PartId);
            if (sourceTrack < 0 || squares <= 0 || totalSquares <= 0)
            {
                continue;
            }

            truth.Add(new BleedTruth(index, sourceTrack, kind, source.DelayMs, Math.Round(10 * Math.Log10(squares / totalSquares), 2), null));
        }

        mixTruth[index] = truth;
        return result;
    }

    private static double ReverbT60(TrackProcess process) => process switch
    {
        TrackProcess.DrumRoom => 0.7,
        TrackProcess.Ambient => 1.4,
        _ => 0,
    };

    /// <summary>Left = the signal; right = the signal through a first-order all-pass and a short delay (a wide but mono-compatible image).</summary>
    private static (float[] Left, float[] Right) StereoImage(float[] x, int sampleRate, Random rng)
    {
        var a = rng.Uniform(-0.6, 0.6);
        var delay = (int)(rng.Uniform(0.1, 0.6) * sampleRate / 1000);
        var right = new float[x.Length];
        double state = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var input = i >= delay ? x[i - delay] : 0f;
            var y = (a * input) + state;
            state = input - (a * y);
            right[i] = (float)y;
        }

        return ((float[])x.Clone(), right);
    }
}
