using DatasetForge.Dsp;

namespace DatasetForge.Loudness;

/// <summary>
/// What <see cref="LoudnessMeter"/> measured. Loudness values are LUFS, -infinity when undefined (integrated: no
/// block passes the gates; momentary: shorter than 400 ms; short-term: shorter than 3 s). Peaks are linear
/// (1.0 = full scale), the largest over all channels; <see cref="TruePeak"/> is NaN when true peak was not measured.
/// </summary>
public sealed record LoudnessResult(
    int SampleRate,
    int Channels,
    long Frames,
    double IntegratedLufs,
    double MaxMomentaryLufs,
    double MaxShortTermLufs,
    double SamplePeak,
    double TruePeak,
    IReadOnlyList<double> ChannelSamplePeaks,
    IReadOnlyList<double> ChannelTruePeaks,
    long Blocks,
    long BlocksAboveAbsoluteGate,
    long BlocksInIntegrated)
{
    public double DurationSeconds => (double)Frames / SampleRate;

    public bool HasIntegrated => !double.IsNegativeInfinity(IntegratedLufs);

    public double SamplePeakDbfs => Levels.AmplitudeToDb(SamplePeak);

    public double TruePeakDbtp => double.IsNaN(TruePeak) ? double.NaN : Levels.AmplitudeToDb(TruePeak);
}
