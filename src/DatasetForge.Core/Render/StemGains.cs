using DatasetForge.Dsp;
using DatasetForge.Hierarchy;
using DatasetForge.Loudness;

namespace DatasetForge.Render;

/// <summary>Normalization gains of a stem from its raw measurement. Pure functions.</summary>
public static class StemGains
{
    /// <summary>
    /// Gain (dB) that brings blocks of these energies to <paramref name="targetLufs"/> integrated loudness. The first
    /// guess (target minus the measured loudness) is refined by re-gating at the gained level, because a gain moves
    /// quiet blocks across the absolute gate (-70 LUFS) and so shifts the relative gate; the result meets the target
    /// to well under 0.001 LU whenever the loudness at that gain is defined. Null when no block passes the gates.
    /// </summary>
    public static double? ToLoudness(IReadOnlyList<double> blockEnergies, double targetLufs)
    {
        var measured = LoudnessMeter.IntegratedFromBlocks(blockEnergies);
        if (double.IsNegativeInfinity(measured))
        {
            return null;
        }

        var gain = targetLufs - measured;
        var best = gain;
        var bestError = double.PositiveInfinity;
        for (var i = 0; i < 32; i++)
        {
            var at = LoudnessMeter.IntegratedFromBlocks(blockEnergies, gain);
            var error = double.IsNegativeInfinity(at) ? double.PositiveInfinity : targetLufs - at;
            if (Math.Abs(error) < bestError)
            {
                bestError = Math.Abs(error);
                best = gain;
            }

            if (Math.Abs(error) < 1e-9 || double.IsInfinity(error))
            {
                break;
            }

            gain += error;
        }

        return best;
    }

    /// <summary>What to do with an independent stem: its gain (dB) and status (ok, silent, too_short).</summary>
    public static (double GainDb, string Status) For(StemNormalization normalization, IReadOnlyList<double> blockEnergies, double samplePeak, long frames, int sampleRate, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (frames < options.MinSeconds * sampleRate)
        {
            return (0, "too_short");
        }

        if (normalization == StemNormalization.Peak)
        {
            var peakDb = Levels.AmplitudeToDb(samplePeak);
            return double.IsNegativeInfinity(peakDb) || peakDb < options.SilenceFloorDb ? (0, "silent") : (options.PeakDbfs - peakDb, "ok");
        }

        var lufs = LoudnessMeter.IntegratedFromBlocks(blockEnergies);
        if (double.IsNegativeInfinity(lufs) || lufs < options.SilenceFloorDb)
        {
            return (0, "silent");
        }

        return ToLoudness(blockEnergies, options.TargetLufs) is { } gain ? (gain, "ok") : (0, "silent");
    }
}
