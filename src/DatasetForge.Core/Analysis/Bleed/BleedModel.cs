using DatasetForge.Audio;
using DatasetForge.Dsp.Resampling;

namespace DatasetForge.Analysis.Bleed;

/// <summary>
/// A raw track as the bleed detector sees it: its file name, label and level-1 instrument (for grouping), the track
/// folded to mono (mean of its channels) at the analysis rate, and the mean over channels of its mean square at the
/// original rate (the power its own content and any leakage share).
/// </summary>
public sealed record BleedTrackInput(string File, string Label, string Instrument, float[] Signal, double ChannelPower)
{
    /// <summary>
    /// The resampler design for analysis signals: flat to 80% of the lower Nyquist with 60 dB rejection (half the
    /// taps of the render's default; the detectors look at 0..6.4 kHz at 16 kHz and aliases 60 dB down change nothing).
    /// </summary>
    public static ResamplerQuality AnalysisQuality { get; } = new(0.8, 60);

    /// <summary>Folds and resamples a track's audio (any rate, any channel count) for the detector.</summary>
    public static BleedTrackInput FromAudio(string file, string label, string instrument, AudioBuffer audio, int analysisRate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var mono = new float[audio.Frames];
        double power = 0;
        foreach (var channel in audio.Channels)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(mono, channel, mono);
            power += Dsp.Levels.SumOfSquares(channel);
        }

        System.Numerics.Tensors.TensorPrimitives.Multiply(mono, 1f / audio.ChannelCount, mono);
        power /= Math.Max(1.0, (double)audio.Frames * audio.ChannelCount);
        var signal = audio.SampleRate == analysisRate
            ? mono
            : Resampler.Resample(new AudioBuffer(audio.SampleRate, [mono]), analysisRate, AnalysisQuality).Channels[0];
        return new BleedTrackInput(file, label, instrument, signal, power);
    }
}

/// <summary>What a detected relation is: leakage, or the same source recorded twice (DI and amp, L/R pair, a duplicate), or nothing.</summary>
public enum BleedRelation
{
    None,
    Bleed,
    SameSource,
}

/// <summary>
/// The evidence that <see cref="File"/> carries <see cref="Source"/>: the probability (calibrated), the leakage level
/// relative to the target's own content (dB), the delay (ms, target later than source), and the detectors' features:
/// GCC-PHAT peak-to-sidelobe ratio over the frames where the target is quiet and over all frames, the coherence after
/// delay compensation, and the band-energy regression's correlation and its z-score against time-shifted sources.
/// </summary>
public sealed record BleedPairResult(
    string File,
    string Source,
    double Probability,
    double LevelDb,
    double DelayMs,
    double PsrQuiet,
    double PsrAll,
    double Coherence,
    double EnergyR,
    double EnergyZ,
    BleedRelation Relation,
    bool Harmful,
    int Rank);

/// <summary>A track's verdict: probability of leakage from other tracks of the song, its level and delay, the likely sources (most likely first), and whether it matters.</summary>
public sealed record BleedTrackResult(
    string File,
    string Label,
    string Instrument,
    double Probability,
    double LevelDb,
    double DelayMs,
    IReadOnlyList<string> Sources,
    bool Detected,
    bool Harmful,
    BleedPairResult? Top,
    double ExcerptStartSeconds,
    double ExcerptEndSeconds);

/// <summary>Every track's verdict and every pair's evidence for one song.</summary>
public sealed record BleedSongResult(IReadOnlyList<BleedTrackResult> Tracks, IReadOnlyList<BleedPairResult> Pairs)
{
    /// <summary>True when some track carries harmful leakage.</summary>
    public bool HasBleed => Tracks.Any(t => t.Detected && t.Harmful);
}

/// <summary>The features the calibration weighs, in order.</summary>
public static class BleedFeatures
{
    public static readonly IReadOnlyList<string> Names = ["log_psr_quiet", "log_psr_all", "coherence", "coherent_psr", "energy_z", "energy_r"];

    /// <summary>
    /// The model's inputs: log(1 + PSR) over the quiet frames and over all frames, the coherence after delay
    /// compensation, their product (a sharp correlation peak counts only when the aligned signals are also coherent),
    /// the energy detector's z-score (/10, clipped to [-1, 5]) and correlation.
    /// </summary>
    public static double[] Vector(double psrQuiet, double psrAll, double coherence, double energyZ, double energyR)
    {
        var logPsr = Math.Log(1 + Math.Max(0, psrQuiet));
        var c = Math.Clamp(coherence, 0, 1);
        return [logPsr, Math.Log(1 + Math.Max(0, psrAll)), c, c * logPsr, Math.Clamp(energyZ, -10, 50) / 10, Math.Clamp(energyR, -1, 1)];
    }
}
