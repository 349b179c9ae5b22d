using DatasetForge.Audio;
using DatasetForge.Dsp;

namespace DatasetForge.Synth;

/// <summary>
/// Renders one instrument part of a song: mono, at the context's sample rate and length, musically timed (the
/// song's tempo, key, chords and sections), with the activity ground truth. Pure: the same request and context
/// give the same samples. This is the entry point the bleed benchmark uses to make clean tracks.
/// </summary>
public static class InstrumentSynth
{
    /// <summary>Silences shorter than this inside a part do not split its activity.</summary>
    public const double ActivityMergeGapSeconds = 0.5;

    /// <summary>Peak level parts are rendered at (tracks are re-levelled when written).</summary>
    public const float PartPeak = 0.5f;

    public static PartRender Render(MusicalContext context, PartRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var w = new PartWriter(context, request);
        switch (request.Kind)
        {
            case InstrumentKind.Kick:
            case InstrumentKind.Snare:
            case InstrumentKind.HiHat:
            case InstrumentKind.Ride:
            case InstrumentKind.Crash:
            case InstrumentKind.Tom:
            case InstrumentKind.KickTrigger:
                Drums.RenderKitPiece(w);
                break;
            case InstrumentKind.DrumLoop:
                Drums.RenderLoop(w);
                break;
            case InstrumentKind.Shaker:
            case InstrumentKind.Tambourine:
            case InstrumentKind.Conga:
            case InstrumentKind.Bongo:
            case InstrumentKind.Claps:
                Drums.RenderPercussion(w);
                break;
            case InstrumentKind.Marimba:
            case InstrumentKind.Glockenspiel:
                Tonal.RenderMallets(w);
                break;
            case InstrumentKind.ElectricBass:
            case InstrumentKind.SynthBass:
            case InstrumentKind.DoubleBass:
                Tonal.RenderBass(w);
                break;
            case InstrumentKind.ElectricGuitar:
            case InstrumentKind.AcousticGuitar:
                Tonal.RenderGuitar(w);
                break;
            case InstrumentKind.Piano:
            case InstrumentKind.ElectricPiano:
            case InstrumentKind.Organ:
                Tonal.RenderKeys(w);
                break;
            case InstrumentKind.SynthPad:
            case InstrumentKind.SynthLead:
                Tonal.RenderSynth(w);
                break;
            case InstrumentKind.StringSection:
            case InstrumentKind.Violin:
            case InstrumentKind.Cello:
            case InstrumentKind.Trumpet:
            case InstrumentKind.Trombone:
            case InstrumentKind.BrassSection:
            case InstrumentKind.Saxophone:
            case InstrumentKind.Flute:
            case InstrumentKind.Clarinet:
                Tonal.RenderSustained(w);
                break;
            case InstrumentKind.LeadVocal:
            case InstrumentKind.BackingVocal:
                Voice.Render(w);
                break;
            case InstrumentKind.Sfx:
                Effects.RenderSfx(w);
                break;
            case InstrumentKind.Click:
                Effects.RenderClick(w);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "unknown instrument");
        }

        return w.Finish();
    }

    /// <summary>
    /// One clean track for a caller that has no song: a random musical context from <paramref name="seed"/>, the
    /// instrument playing in all sections but one (so it has a silence), at <paramref name="sampleRate"/>.
    /// </summary>
    public static (AudioBuffer Audio, IReadOnlyList<TimeSpanS> Activity, MusicalContext Context) CleanTrack(InstrumentKind kind, int seed, int sampleRate = 44100,
        double seconds = 20)
    {
        var context = MusicalContext.Create(SynthSeed.Derive(seed, "context"), sampleRate, seconds);
        var rng = SynthSeed.Rng(seed, "arrangement", kind.ToString());
        var active = Enumerable.Repeat(true, context.Sections.Count).ToArray();
        if (active.Length >= 3)
        {
            active[rng.Next(1, active.Length)] = false;
        }

        var render = Render(context, new PartRequest(kind, SynthSeed.Derive(seed, "composition"), SynthSeed.Derive(seed, "performance", kind.ToString()))
        {
            ActiveSections = active,
            Groove = (GrooveStyle)rng.Next(Enum.GetValues<GrooveStyle>().Length),
            Toms = 2,
        });
        return (new AudioBuffer(sampleRate, [render.Audio]), render.Activity, context);
    }
}

/// <summary>The part being rendered: its buffer, its random sources and its activity spans.</summary>
internal sealed class PartWriter
{
    private readonly List<TimeSpanS> spans = [];

    public PartWriter(MusicalContext context, PartRequest request)
    {
        Context = context;
        Request = request;
        Audio = new float[context.Frames];
        Composition = new Random(request.CompositionSeed);
        Performance = new Random(request.PerformanceSeed);
        Noise = new NoiseSource(request.PerformanceSeed ^ 0x5bd1e995);
    }

    public MusicalContext Context { get; }

    public PartRequest Request { get; }

    public float[] Audio { get; }

    public Random Composition { get; }

    public Random Performance { get; }

    public NoiseSource Noise;

    public int SampleRate => Context.SampleRate;

    public int Frame(double seconds) => (int)Math.Round(seconds * SampleRate);

    /// <summary>Timing deviation of one note, in seconds.</summary>
    public double Jitter() => Performance.Uniform(-1, 1) * Request.TimingJitterMs / 1000.0;

    public double Tuning => Math.Pow(2, Request.TuningCents / 1200.0);

    /// <summary>The part buffer from <paramref name="start"/> seconds, at most <paramref name="seconds"/> long (empty if outside).</summary>
    public Span<float> Region(double start, double seconds)
    {
        var s = Frame(Math.Max(0, start));
        if (s >= Audio.Length)
        {
            return Span<float>.Empty;
        }

        var n = Math.Min((int)Math.Ceiling(seconds * SampleRate), Audio.Length - s);
        return n <= 0 ? Span<float>.Empty : Audio.AsSpan(s, n);
    }

    public void Mark(double start, double end)
    {
        start = Math.Max(0, start);
        end = Math.Min(Context.Seconds, end);
        if (end > start)
        {
            spans.Add(new TimeSpanS(start, end));
        }
    }

    /// <summary>The bars the part plays: every bar of every active section.</summary>
    public IEnumerable<int> ActiveBars()
    {
        for (var s = 0; s < Context.Sections.Count; s++)
        {
            if (!Request.IsActive(s))
            {
                continue;
            }

            var section = Context.Sections[s];
            for (var b = section.StartBar; b < section.StartBar + section.Bars; b++)
            {
                yield return b;
            }
        }
    }

    public bool BarActive(int bar)
    {
        if (bar < 0 || bar >= Context.Bars)
        {
            return false;
        }

        for (var s = 0; s < Context.Sections.Count; s++)
        {
            var section = Context.Sections[s];
            if (bar >= section.StartBar && bar < section.StartBar + section.Bars)
            {
                return Request.IsActive(s);
            }
        }

        return false;
    }

    public PartRender Finish()
    {
        var peak = Levels.SamplePeak(Audio);
        if (peak > 0)
        {
            SynthDsp.Scale(Audio, InstrumentSynth.PartPeak / peak);
        }

        return new PartRender(Audio, MergeSpans(spans, InstrumentSynth.ActivityMergeGapSeconds));
    }

    public static List<TimeSpanS> MergeSpans(IEnumerable<TimeSpanS> input, double gap)
    {
        var result = new List<TimeSpanS>();
        foreach (var span in input.OrderBy(s => s.Start))
        {
            if (result.Count > 0 && span.Start - result[^1].End < gap)
            {
                var last = result[^1];
                result[^1] = new TimeSpanS(last.Start, Math.Max(last.End, span.End));
            }
            else
            {
                result.Add(span);
            }
        }

        return result.Select(s => new TimeSpanS(Math.Round(s.Start, 3), Math.Round(s.End, 3))).ToList();
    }
}
