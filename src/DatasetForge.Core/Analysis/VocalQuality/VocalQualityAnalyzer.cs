using System.Globalization;
using DatasetForge.Audio;
using DatasetForge.Dsp;
using DatasetForge.Dsp.Resampling;

namespace DatasetForge.Analysis.VocalQuality;

/// <summary>One quality flag: raised or not, its measured value (unit in the name of the field that holds it), where to listen (seconds; -1 when nowhere in particular), and a one-line reason.</summary>
public sealed record QualityFlag(bool Raised, double Value, double AtSeconds, string Reason);

/// <summary>The signal-level flags of one track (the bleed verdict comes from the bleed detector).</summary>
public sealed record SignalQuality(QualityFlag Clipping, QualityFlag NoiseFloor, QualityFlag Hum, double HumHz, QualityFlag DcOffset);

/// <summary>
/// Signal checks of a vocal track. Clipping: runs of at least `min_run` consecutive samples at full scale, or, for
/// audio clipped and then turned down, runs at exactly the file's peak together with a spike of the amplitude
/// histogram in the top 0.1 dB (at least 4x the 0.1 dB below it). Noise floor: median RMS of the 50 ms frames in the
/// gaps between phrases (non-silent frames 25 dB or more below the track's active level, the 95th percentile).
/// Hum: per 2 s frame (0.49 Hz resolution, from the track resampled to 2 kHz), the power at each harmonic of 50 and
/// 60 Hz against the median of +-15 Hz around it; the median of that prominence over the frames (hum is steady, a
/// bass note leaking in is not) must reach 12 dB on two harmonics, or 18 dB on one. DC offset: the largest channel mean.
/// </summary>
public static class VocalQualityAnalyzer
{
    private const int HumRate = 2000;
    private const int HumFft = 4096;

    public static SignalQuality Analyze(AudioBuffer audio, VocalQualityOptions options)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(options);
        var hum = Hum(audio, options, out var humHz);
        return new SignalQuality(Clipping(audio, options), NoiseFloor(audio, options), hum, humHz, DcOffset(audio, options));
    }

    public static QualityFlag Clipping(AudioBuffer audio, VocalQualityOptions options)
    {
        var peak = 0f;
        foreach (var c in audio.Channels)
        {
            peak = Math.Max(peak, Levels.SamplePeak(c));
        }

        if (peak <= 0)
        {
            return new QualityFlag(false, 0, -1, "digital silence");
        }

        var fullScale = (float)options.FullScale;
        var (runs, first) = Runs(audio, fullScale, options.MinRun);
        if (runs >= options.MinRuns)
        {
            return new QualityFlag(true, runs, first, Invariant($"{runs} runs of {options.MinRun}+ samples at full scale (first at {first:F2} s)"));
        }

        // Clipped, then attenuated: many samples sit exactly at the (lower) peak.
        var level = peak * (1 - 1e-6f);
        var (peakRuns, peakFirst) = Runs(audio, level, options.MinRun);
        var spike = Spike(audio, peak);
        if (peakRuns >= options.MinRuns && spike >= 4)
        {
            return new QualityFlag(true, peakRuns, peakFirst,
                Invariant($"{peakRuns} runs of {options.MinRun}+ samples flat at the peak ({Levels.AmplitudeToDb(peak):F1} dBFS; top 0.1 dB of the histogram {spike:F0}x the next): clipped, then turned down"));
        }

        return new QualityFlag(false, Math.Max(runs, 0), -1,
            Invariant($"no clipping: {runs} full-scale runs, peak {Levels.AmplitudeToDb(peak):F1} dBFS, histogram top/next {spike:F1}"));
    }

    public static QualityFlag NoiseFloor(AudioBuffer audio, VocalQualityOptions options)
    {
        var frame = Math.Max(1, (int)Math.Round(options.FrameSeconds * audio.SampleRate));
        var count = audio.Frames / frame;
        var levels = new List<(int Frame, double Db)>();
        for (var f = 0; f < count; f++)
        {
            double sum = 0;
            foreach (var c in audio.Channels)
            {
                sum += Levels.SumOfSquares(c.AsSpan(f * frame, frame));
            }

            if (sum > 0)
            {
                levels.Add((f, Levels.PowerToDb(sum / ((double)frame * audio.ChannelCount))));
            }
        }

        if (levels.Count == 0)
        {
            return new QualityFlag(false, Levels.FloorDb, -1, "digital silence");
        }

        var sorted = levels.Select(l => l.Db).Order().ToList();
        var active = Activity.BsrnnActivityDetector.Quantile(sorted, 0.95);
        var gaps = levels.Where(l => l.Db <= active - options.GapBelowActiveDb).ToList();
        var gapSeconds = gaps.Count * options.FrameSeconds;
        if (gapSeconds < 1)
        {
            return new QualityFlag(false, double.NaN, -1,
                Invariant($"no gaps between phrases to measure ({gapSeconds:F2} s of frames {options.GapBelowActiveDb:F0} dB below the active level {active:F1} dBFS)"));
        }

        var floor = Activity.BsrnnActivityDetector.Quantile(gaps.Select(g => g.Db).Order().ToList(), 0.5);
        var at = gaps.OrderBy(g => Math.Abs(g.Db - floor)).First().Frame * options.FrameSeconds;
        var raised = floor > options.NoiseFloorDbfs;
        return new QualityFlag(raised, floor, at,
            Invariant($"noise floor {floor:F1} dBFS in {gapSeconds:F1} s of gaps between phrases ({(raised ? "above" : "below")} {options.NoiseFloorDbfs:F0} dBFS; active level {active:F1} dBFS)"));
    }

    public static QualityFlag Hum(AudioBuffer audio, VocalQualityOptions options, out double humHz)
    {
        humHz = 0;
        var mono = new float[audio.Frames];
        foreach (var c in audio.Channels)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(mono, c, mono);
        }

        var low = audio.SampleRate == HumRate ? mono : Resampler.Resample(new AudioBuffer(audio.SampleRate, [mono]), HumRate, Bleed.BleedTrackInput.AnalysisQuality).Channels[0];
        if (low.Length < HumFft)
        {
            return new QualityFlag(false, 0, -1, "too short to measure hum");
        }

        // Per 2 s frame (0.49 Hz bins), each harmonic's prominence; hum is steady, so what counts is its median over
        // the frames: a bass note near 49 or 62 Hz leaking into the vocal mic comes and goes.
        var fft = new RealFft(HumFft);
        var window = Windows.Hann(HumFft).Select(v => (float)v).ToArray();
        var power = new double[fft.Bins];
        var re = new float[fft.Bins];
        var im = new float[fft.Bins];
        var frame = new float[HumFft];
        var binHz = (double)HumRate / HumFft;
        var prominences = new Dictionary<double, List<double>[]>
        {
            [50.0] = Enumerable.Range(0, options.HumHarmonics).Select(_ => new List<double>()).ToArray(),
            [60.0] = Enumerable.Range(0, options.HumHarmonics).Select(_ => new List<double>()).ToArray(),
        };
        for (var start = 0; start + HumFft <= low.Length; start += HumFft / 2)
        {
            if (System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(low.AsSpan(start, HumFft)) == 0)
            {
                continue; // edited-out silence has no hum to measure
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(low.AsSpan(start, HumFft), window, frame);
            fft.Forward(frame, re, im);
            for (var k = 0; k < fft.Bins; k++)
            {
                power[k] = (re[k] * re[k]) + (im[k] * im[k]);
            }

            foreach (var (f0, lists) in prominences)
            {
                for (var h = 1; h <= options.HumHarmonics; h++)
                {
                    lists[h - 1].Add(Prominence(power, h * f0, binHz));
                }
            }
        }

        var best = (Hz: 0.0, Count: 0, Prominence: double.NegativeInfinity);
        foreach (var (f0, lists) in prominences)
        {
            var count = 0;
            var strongest = double.NegativeInfinity;
            foreach (var list in lists.Where(l => l.Count > 0))
            {
                var median = Activity.BsrnnActivityDetector.Quantile(list.Order().ToList(), 0.5);
                strongest = Math.Max(strongest, median);
                if (median >= options.HumProminenceDb)
                {
                    count++;
                }
            }

            if (count > best.Count || (count == best.Count && strongest > best.Prominence))
            {
                best = (f0, count, strongest);
            }
        }

        humHz = best.Hz;
        var raised = best.Count >= 2 || best.Prominence >= options.HumProminenceDb + 6;
        return new QualityFlag(raised, Math.Round(best.Prominence, 2), raised ? 0 : -1,
            Invariant($"{best.Count} of {options.HumHarmonics} harmonics of {best.Hz:F0} Hz stand {options.HumProminenceDb:F0}+ dB above their neighbourhood (strongest {best.Prominence:F1} dB){(raised ? ": mains hum" : string.Empty)}"));
    }

    public static QualityFlag DcOffset(AudioBuffer audio, VocalQualityOptions options)
    {
        var worst = audio.Channels.Select(c => Math.Abs(Levels.Mean(c))).Max();
        var db = Levels.AmplitudeToDb(worst);
        db = double.IsNegativeInfinity(db) ? Levels.FloorDb : db;
        var raised = db > options.DcOffsetDbfs;
        return new QualityFlag(raised, db, raised ? 0 : -1,
            Invariant($"DC offset {db:F1} dBFS (mean {worst:E2}; {(raised ? "above" : "below")} {options.DcOffsetDbfs:F0} dBFS)"));
    }

    private static double Prominence(double[] power, double hz, double binHz)
    {
        var center = (int)Math.Round(hz / binHz);
        var reach = (int)Math.Round(15 / binHz);
        if (center + reach >= power.Length)
        {
            return double.NegativeInfinity;
        }

        var peak = Math.Max(power[center], Math.Max(power[center - 1], power[center + 1]));

        // A line at the mains frequency, not the skirt of a stronger one next to it (a bass note at 49 or 62 Hz).
        for (var d = 2; d <= 8; d++)
        {
            if (power[center - d] > peak || power[center + d] > peak)
            {
                return 0;
            }
        }

        var around = new List<double>();
        for (var k = center - reach; k <= center + reach; k++)
        {
            if (k > 0 && Math.Abs(k - center) > 4)
            {
                around.Add(power[k]);
            }
        }

        around.Sort();
        var median = around.Count == 0 ? 0 : around[around.Count / 2];
        return peak <= 0 ? double.NegativeInfinity : median <= 0 ? 60 : 10 * Math.Log10(peak / median);
    }

    /// <summary>Number of runs of at least <paramref name="minRun"/> consecutive samples with |x| >= level (any channel), and the time of the first.</summary>
    private static (int Runs, double First) Runs(AudioBuffer audio, float level, int minRun)
    {
        var runs = 0;
        var first = double.MaxValue;
        foreach (var c in audio.Channels)
        {
            var length = 0;
            for (var i = 0; i <= c.Length; i++)
            {
                if (i < c.Length && Math.Abs(c[i]) >= level)
                {
                    length++;
                    continue;
                }

                if (length >= minRun)
                {
                    runs++;
                    first = Math.Min(first, (double)(i - length) / audio.SampleRate);
                }

                length = 0;
            }
        }

        return (runs, runs == 0 ? -1 : first);
    }

    /// <summary>Samples in the top 0.1 dB below the peak divided by those in the 0.1 dB below that.</summary>
    private static double Spike(AudioBuffer audio, float peak)
    {
        var top = peak * Math.Pow(10, -0.1 / 20);
        var next = peak * Math.Pow(10, -0.2 / 20);
        long a = 0, b = 0;
        foreach (var c in audio.Channels)
        {
            foreach (var x in c)
            {
                var v = Math.Abs(x);
                if (v >= top)
                {
                    a++;
                }
                else if (v >= next)
                {
                    b++;
                }
            }
        }

        return a / Math.Max(1.0, b);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
