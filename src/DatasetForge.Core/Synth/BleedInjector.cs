using DatasetForge.Audio;
using DatasetForge.Dsp;

namespace DatasetForge.Synth;

/// <summary>
/// How another source leaks into a track: a pure delay, a low-pass (zero-phase 2nd-order Butterworth run forward
/// and backward, so it adds no delay of its own and is -6 dB at <see cref="LowpassHz"/>; 0 = no filter), and the
/// level of the leaked signal relative to the track's own content (RMS over the whole file, all channels).
/// </summary>
public sealed record BleedSpec(double DelayMs, double LevelDb, double LowpassHz);

/// <summary>What was added: the delay rounded to whole samples, the linear gain applied, the level reached, and the added signal (mono; it went into every channel).</summary>
public sealed record BleedResult(int DelaySamples, double DelayMs, double Gain, double LevelDb, float[] Bleed);

/// <summary>Adds microphone bleed to a track, with exact ground truth. Used by the library generator and the bleed benchmark.</summary>
public static class BleedInjector
{
    /// <summary>The source delayed by <paramref name="delayMs"/> (rounded to whole samples) and low-passed; not scaled.</summary>
    public static float[] Shape(ReadOnlySpan<float> source, int sampleRate, double delayMs, double lowpassHz, int length, out int delaySamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delayMs);
        delaySamples = (int)Math.Round(delayMs * sampleRate / 1000.0);
        var shaped = new float[length];
        SynthDsp.AddInto(shaped, source, 1f, delaySamples);
        if (lowpassHz > 0)
        {
            if (lowpassHz >= sampleRate / 2.0)
            {
                throw new ArgumentOutOfRangeException(nameof(lowpassHz), $"{lowpassHz} Hz is above the Nyquist frequency of {sampleRate} Hz audio.");
            }

            SynthDsp.FiltFilt(shaped, Biquad.LowPass(sampleRate, lowpassHz));
        }

        return shaped;
    }

    /// <summary>
    /// Adds <paramref name="source"/> (mono) to every channel of <paramref name="target"/>, shaped by
    /// <paramref name="spec"/> and scaled so that its RMS is <see cref="BleedSpec.LevelDb"/> relative to the RMS of
    /// <paramref name="ownContent"/> (the track's own instrument; defaults to <paramref name="target"/> as passed in).
    /// </summary>
    public static BleedResult Inject(float[][] target, ReadOnlySpan<float> source, int sampleRate, BleedSpec spec, float[][]? ownContent = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(spec);
        if (!double.IsFinite(spec.LevelDb))
        {
            throw new ArgumentOutOfRangeException(nameof(spec), "bleed level must be finite");
        }

        var length = target[0].Length;
        var shaped = Shape(source, sampleRate, spec.DelayMs, spec.LowpassHz, length, out var delaySamples);
        var ownRms = SynthDsp.Rms(ownContent ?? target);
        var shapedRms = Levels.Rms(shaped);
        if (ownRms <= 0 || shapedRms <= 0)
        {
            throw new InvalidOperationException("cannot set a relative bleed level: the track or the source is silent");
        }

        var gain = ownRms * Levels.DbToAmplitude(spec.LevelDb) / shapedRms;
        var g = (float)gain;
        for (var i = 0; i < shaped.Length; i++)
        {
            shaped[i] *= g;
        }

        foreach (var channel in target)
        {
            SynthDsp.AddInto(channel, shaped, 1f);
        }

        var level = 20 * Math.Log10(Levels.Rms(shaped) / ownRms);
        return new BleedResult(delaySamples, delaySamples * 1000.0 / sampleRate, gain, level, shaped);
    }

    /// <summary>Convenience over planar buffers: <paramref name="target"/> is modified in place.</summary>
    public static BleedResult Inject(AudioBuffer target, AudioBuffer source, BleedSpec spec, AudioBuffer? ownContent = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        if (source.SampleRate != target.SampleRate)
        {
            throw new ArgumentException($"source rate {source.SampleRate} Hz differs from target rate {target.SampleRate} Hz", nameof(source));
        }

        return Inject(target.Channels, SynthDsp.MonoOf(source.Channels), target.SampleRate, spec, ownContent?.Channels);
    }
}
