using System.Numerics.Tensors;
using DatasetForge.Dsp;

namespace DatasetForge.Analysis.Bleed;

/// <summary>
/// Finds microphone leakage between the raw tracks of one song. Tracks are folded to mono at the analysis rate
/// (16 kHz) and cut into Hann frames (2048 samples, hop 1024). Two complementary detectors per ordered pair
/// (target, source):
/// <list type="bullet">
/// <item>(a) band-energy regression where the target's own instrument is silent: among the frames where the source
/// plays, those where the target is quietest relative to it (25%) are where any leakage is exposed; there the
/// target's log band energies must follow the source's frame by frame. The correlation of the two (band means
/// removed) is compared with the same statistic for the source circularly shifted in time (16 shifts): a z-score.
/// This detector cannot tell a leaked copy from a part that merely plays along (a doubled vocal follows its twin's
/// phrasing too); detector (b) can.</item>
/// <item>(b) GCC-PHAT over the quiet frames and over all frames (lags 0..50 ms, target later than source): leakage is
/// one signal at one delay, so the phase-transform correlation has one sharp peak; its peak-to-sidelobe ratio and
/// delay (parabolic sub-sample). Then, for the best candidates, the source is shifted by that delay and the
/// magnitude-squared coherence and the transfer function are measured band by band over the quiet frames: a doubled
/// vocal or a bass playing with the kick has no stable phase relation, so its coherence stays low.</item>
/// </list>
/// The transfer function (least squares over the quiet frames, per band) gives the leakage level: the
/// source's band powers through |H|^2, relative to the target's power minus that leakage. A logistic model
/// (<see cref="BleedCalibration"/>) turns the features into pair probabilities, and the best pair's into the track's.
/// Cost: two STFT passes per track, one complex multiply-accumulate per pair and bin per frame, and one more STFT pass
/// over the quiet frames per candidate pair.
/// </summary>
public sealed class BleedDetector
{
    private const double Tiny = 1e-20;
    private readonly BleedOptions options;
    private readonly BleedCalibration calibration;

    public BleedDetector(BleedOptions options, BleedCalibration calibration)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.calibration = calibration ?? throw new ArgumentNullException(nameof(calibration));
    }

    public BleedOptions Options => options;

    /// <summary>Labels (level-1 instruments) whose tracks never count as harmful targets: not part of any stem.</summary>
    public Func<string, bool> IsExcluded { get; init; } = instrument => instrument is "unused" or "ambient_mic" or "unknown";

    public BleedSongResult Analyze(IReadOnlyList<BleedTrackInput> tracks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        var n = tracks.Count;
        if (n < 2)
        {
            return new BleedSongResult(tracks.Select(t => Empty(t)).ToList(), []);
        }

        var size = options.FftSize;
        var hop = size / 2;
        var rate = options.AnalysisRate;
        var length = tracks.Max(t => t.Signal.Length);
        var frames = length >= size ? 1 + ((length - size) / hop) : 1;
        var fft = new RealFft(size);
        var bins = fft.Bins;
        var window = Windows.Hann(size).Select(v => (float)v).ToArray();
        var bandOf = BandOfBins(bins, rate, size, options.Bands, options.MinBandHz);
        var bandCount = options.Bands;

        // Pass 1: band energies and frame energies of every track.
        var bandEnergy = new float[n][];
        var frameEnergy = new double[n][];
        var stftTotal = new double[n];
        var re = new float[bins];
        var im = new float[bins];
        var frame = new float[size];
        for (var t = 0; t < n; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bandEnergy[t] = new float[frames * bandCount];
            frameEnergy[t] = new double[frames];
            for (var f = 0; f < frames; f++)
            {
                if (!Frame(tracks[t].Signal, f * hop, window, frame))
                {
                    continue;
                }

                fft.Forward(frame, re, im);
                double total = 0;
                var bands = bandEnergy[t].AsSpan(f * bandCount, bandCount);
                for (var k = 1; k < bins; k++)
                {
                    var p = (re[k] * re[k]) + (im[k] * im[k]);
                    total += p;
                    bands[bandOf[k]] += p;
                }

                frameEnergy[t][f] = total;
                stftTotal[t] += total;
            }
        }

        // Where each source plays (within the active range of its loud frames), and log band energies.
        var floors = new double[n];
        var logBands = new float[n][];
        for (var t = 0; t < n; t++)
        {
            var sorted = frameEnergy[t].Order().ToArray();
            floors[t] = Activity.BsrnnActivityDetector.Quantile(sorted, 0.9) * Math.Pow(10, -options.SourceActiveRangeDb / 10);
            logBands[t] = bandEnergy[t].Select(e => (float)Math.Log(e + Tiny)).ToArray();
        }

        // Quiet frames per ordered pair: source active, target quietest relative to it, target not digitally silent.
        var quiet = new bool[n * n][];
        var quietCount = new int[n * n];
        for (var t = 0; t < n; t++)
        {
            for (var s = 0; s < n; s++)
            {
                if (s != t)
                {
                    quiet[(t * n) + s] = QuietFrames(frameEnergy[t], frameEnergy[s], floors[s], 0, out quietCount[(t * n) + s]);
                }
            }
        }

        // Pass 2: cross-spectra, all frames (unordered pairs) and quiet frames (ordered pairs).
        var spectraRe = new float[n][];
        var spectraIm = new float[n][];
        var negIm = new float[n][];
        for (var t = 0; t < n; t++)
        {
            spectraRe[t] = new float[bins];
            spectraIm[t] = new float[bins];
            negIm[t] = new float[bins];
        }

        var allRe = new float[n * n][];
        var allIm = new float[n * n][];
        var quietRe = new float[n * n][];
        var quietIm = new float[n * n][];
        for (var a = 0; a < n; a++)
        {
            for (var b = 0; b < n; b++)
            {
                if (a == b)
                {
                    continue;
                }

                if (a < b)
                {
                    allRe[(a * n) + b] = new float[bins];
                    allIm[(a * n) + b] = new float[bins];
                }

                quietRe[(a * n) + b] = new float[bins];
                quietIm[(a * n) + b] = new float[bins];
            }
        }

        var productRe = new float[bins];
        var productIm = new float[bins];
        var live = new bool[n];
        for (var f = 0; f < frames; f++)
        {
            if ((f & 63) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            for (var t = 0; t < n; t++)
            {
                live[t] = frameEnergy[t][f] > 0;
                if (live[t])
                {
                    Frame(tracks[t].Signal, f * hop, window, frame);
                    fft.Forward(frame, spectraRe[t], spectraIm[t]);
                    TensorPrimitives.Negate(spectraIm[t], negIm[t]);
                }
            }

            for (var a = 0; a < n; a++)
            {
                if (!live[a])
                {
                    continue;
                }

                for (var b = a + 1; b < n; b++)
                {
                    if (!live[b])
                    {
                        continue;
                    }

                    // Xa conj(Xb) = (ra rb + ia ib) + i (ia rb - ra ib)
                    TensorPrimitives.Multiply(spectraRe[a], spectraRe[b], productRe);
                    TensorPrimitives.FusedMultiplyAdd(spectraIm[a], spectraIm[b], productRe, productRe);
                    TensorPrimitives.Multiply(spectraIm[a], spectraRe[b], productIm);
                    TensorPrimitives.FusedMultiplyAdd(spectraRe[a], negIm[b], productIm, productIm);
                    var ab = (a * n) + b;
                    TensorPrimitives.Add(allRe[ab], productRe, allRe[ab]);
                    TensorPrimitives.Add(allIm[ab], productIm, allIm[ab]);
                    if (quiet[ab][f])
                    {
                        TensorPrimitives.Add(quietRe[ab], productRe, quietRe[ab]);
                        TensorPrimitives.Add(quietIm[ab], productIm, quietIm[ab]);
                    }

                    var ba = (b * n) + a;
                    if (quiet[ba][f])
                    {
                        TensorPrimitives.Add(quietRe[ba], productRe, quietRe[ba]);
                        TensorPrimitives.Subtract(quietIm[ba], productIm, quietIm[ba]);
                    }
                }
            }
        }

        // GCC-PHAT and the energy detector for every ordered pair.
        var maxLag = (int)Math.Round(options.MaxDelayMs * rate / 1000);
        var exclusion = Math.Max(1, (int)Math.Round(0.001 * rate));
        var features = new PairFeatures[n * n];
        var lagBuffer = new float[size];
        var phatRe = new float[bins];
        var phatIm = new float[bins];
        for (var t = 0; t < n; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var s = 0; s < n; s++)
            {
                if (s == t)
                {
                    continue;
                }

                var ts = (t * n) + s;
                var (sharedRe, sharedIm, conjugate) = t < s ? (allRe[ts], allIm[ts], false) : (allRe[(s * n) + t], allIm[(s * n) + t], true);
                var (psrAll, delayAll) = Gcc(fft, sharedRe, sharedIm, conjugate, maxLag, exclusion, phatRe, phatIm, lagBuffer);
                var (psrQuiet, delayQuiet) = quietCount[ts] >= 4
                    ? Gcc(fft, quietRe[ts], quietIm[ts], false, maxLag, exclusion, phatRe, phatIm, lagBuffer)
                    : (0.0, 0.0);
                var (r, z) = EnergyDetector(logBands[t], logBands[s], frameEnergy[t], frameEnergy[s], floors[s], frames, bandCount);
                features[ts] = new PairFeatures
                {
                    PsrAll = psrAll,
                    PsrQuiet = psrQuiet,
                    DelaySamples = psrQuiet >= psrAll ? delayQuiet : delayAll,
                    EnergyR = r,
                    EnergyZ = z,
                };
            }
        }

        // Delay-compensated coherence and transfer function for each target's best candidates.
        var sourceBandTotals = new double[n][];
        for (var t = 0; t < n; t++)
        {
            sourceBandTotals[t] = new double[bandCount];
            for (var f = 0; f < frames; f++)
            {
                for (var b = 0; b < bandCount; b++)
                {
                    sourceBandTotals[t][b] += bandEnergy[t][(f * bandCount) + b];
                }
            }
        }

        for (var t = 0; t < n; t++)
        {
            var candidates = Enumerable.Range(0, n).Where(s => s != t)
                .OrderByDescending(s => Math.Max(features[(t * n) + s].PsrQuiet, features[(t * n) + s].PsrAll)).ThenBy(s => s)
                .Take(options.MaxCandidates).ToList();
            foreach (var s in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ts = (t * n) + s;
                var (coherence, bleedStft) = Compensated(tracks[t].Signal, tracks[s].Signal, quiet[ts], features[ts].DelaySamples, fft, window, hop, frames,
                    bandOf, bandCount, sourceBandTotals[s]);
                features[ts].Coherence = coherence;
                features[ts].Candidate = true;

                // STFT units -> the target's mono time-domain units, then relative to the target's own content.
                var meanSquare = Levels.SumOfSquares(tracks[t].Signal) / Math.Max(1, tracks[t].Signal.Length);
                var bleedPower = stftTotal[t] > 0 ? bleedStft * meanSquare / stftTotal[t] : 0;
                var own = tracks[t].ChannelPower - bleedPower;
                features[ts].LevelDb = bleedPower <= 0 ? Levels.FloorDb
                    : own <= bleedPower * 0.01 ? 20 : Math.Min(20, 10 * Math.Log10(bleedPower / own));
            }
        }

        return Decide(tracks, features, quiet, frames, hop, rate);
    }

    private BleedSongResult Decide(IReadOnlyList<BleedTrackInput> tracks, PairFeatures[] features, bool[][] quiet, int frames, int hop, int rate)
    {
        var n = tracks.Count;
        var pairs = new List<BleedPairResult>();
        var results = new List<BleedTrackResult>();
        var related = new bool[n * n];
        for (var a = 0; a < n; a++)
        {
            for (var b = 0; b < n; b++)
            {
                if (a != b)
                {
                    var f = features[(a * n) + b];
                    related[(a * n) + b] = calibration.Pair.Probability(BleedFeatures.Vector(f.PsrQuiet, f.PsrAll, f.Coherence, f.EnergyZ, f.EnergyR)) >= options.Threshold;
                }
            }
        }

        for (var t = 0; t < n; t++)
        {
            var mine = new List<(int Source, double Logit, double P, PairFeatures F)>();
            for (var s = 0; s < n; s++)
            {
                if (s == t)
                {
                    continue;
                }

                var f = features[(t * n) + s];
                var x = BleedFeatures.Vector(f.PsrQuiet, f.PsrAll, f.Coherence, f.EnergyZ, f.EnergyR);
                var logit = calibration.Pair.Logit(x);
                mine.Add((s, logit, LogisticModel.Sigmoid(logit), f));
            }

            var ranked = mine.OrderByDescending(m => m.Logit).ThenBy(m => m.Source).ToList();
            var trackPairs = new List<BleedPairResult>();
            for (var rank = 0; rank < ranked.Count; rank++)
            {
                var (s, _, p, f) = ranked[rank];
                var relation = p < options.Threshold ? BleedRelation.None
                    : f.Candidate && f.LevelDb >= options.SameSourceDb ? BleedRelation.SameSource : BleedRelation.Bleed;
                var harmful = relation == BleedRelation.Bleed && !IsExcluded(tracks[t].Instrument) && !SameKit(tracks[t], tracks[s]);
                trackPairs.Add(new BleedPairResult(tracks[t].File, tracks[s].File, p, f.Candidate ? f.LevelDb : double.NaN,
                    f.DelaySamples * 1000.0 / rate, f.PsrQuiet, f.PsrAll, f.Coherence, f.EnergyR, f.EnergyZ, relation, harmful, rank + 1));
            }

            pairs.AddRange(trackPairs);

            // The track: Platt scaling of the best non-duplicate pair's logit.
            var leaks = ranked.Where((m, i) => trackPairs[i].Relation != BleedRelation.SameSource).ToList();
            var best = leaks.Count > 0 ? leaks[0] : ranked[0];
            var probability = calibration.Track.Probability([best.Logit]);
            var bestPair = trackPairs.First(p => p.Source == tracks[best.Source].File);
            var detectedPairs = trackPairs.Where(p => p.Relation == BleedRelation.Bleed).ToList();
            var detected = probability >= options.Threshold && detectedPairs.Count > 0;
            // Total leakage: the detected sources' levels summed, except a source that is itself related to one already
            // counted (a DI and its amp, one kit heard through another mic): that leak is the same signal counted twice.
            var counted = new List<int>();
            foreach (var p in detectedPairs)
            {
                var s = tracks.ToList().FindIndex(x => x.File == p.Source);
                if (!counted.Any(c => related[(c * n) + s] || related[(s * n) + c]))
                {
                    counted.Add(s);
                }
            }

            var levelDb = detectedPairs.Count > 0
                ? SumLevels(detectedPairs.Where(p => counted.Contains(tracks.ToList().FindIndex(x => x.File == p.Source))).Select(p => p.LevelDb))
                : bestPair.LevelDb;
            var sources = (detectedPairs.Count > 0 ? detectedPairs : [bestPair]).Take(3).Select(p => p.Source).ToList();
            var (excerptStart, excerptEnd) = Excerpt(quiet[(t * n) + best.Source], frames, hop, rate, tracks[t].Signal.Length);
            results.Add(new BleedTrackResult(tracks[t].File, tracks[t].Label, tracks[t].Instrument, probability, levelDb, bestPair.DelayMs, sources,
                detected, detected && detectedPairs.Any(p => p.Harmful), bestPair, excerptStart, excerptEnd));
        }

        return new BleedSongResult(results, pairs);
    }

    private bool SameKit(BleedTrackInput a, BleedTrackInput b) => a.Instrument == b.Instrument && options.KitGroups.Contains(a.Instrument);

    private static double SumLevels(IEnumerable<double> levels)
    {
        var total = levels.Where(double.IsFinite).Sum(l => Math.Pow(10, l / 10));
        return total > 0 ? 10 * Math.Log10(total) : Levels.FloorDb;
    }

    /// <summary>The 5 s window holding the most frames where the target is quiet and the source plays (where the leakage is heard).</summary>
    private static (double Start, double End) Excerpt(bool[] quiet, int frames, int hop, int rate, int length)
    {
        var span = Math.Max(1, (int)(5.0 * rate / hop) - 1);
        var best = 0;
        var bestCount = -1;
        var count = 0;
        for (var f = 0; f < frames; f++)
        {
            count += quiet[f] ? 1 : 0;
            if (f >= span)
            {
                count -= quiet[f - span] ? 1 : 0;
            }

            if (count > bestCount)
            {
                bestCount = count;
                best = Math.Max(0, f - span + 1);
            }
        }

        var start = (double)best * hop / rate;
        var end = Math.Min((double)length / rate, start + 5.0);
        return (Math.Round(start, 3), Math.Round(Math.Max(start, end), 3));
    }

    private bool[] QuietFrames(double[] target, double[] source, double floor, int shift, out int count)
    {
        var frames = target.Length;
        var result = new bool[frames];
        count = 0;
        var ratios = new double[frames];
        var active = 0;
        for (var f = 0; f < frames; f++)
        {
            var s = source[(f + shift) % frames];
            if (s > floor && s > 0 && target[f] > 0)
            {
                ratios[active++] = Math.Log(target[f]) - Math.Log(s);
            }
        }

        if (active < 4)
        {
            return result;
        }

        var threshold = Select.Quantile(ratios.AsSpan(0, active), options.QuietFraction);
        for (var f = 0; f < frames; f++)
        {
            var s = source[(f + shift) % frames];
            if (s > floor && s > 0 && target[f] > 0 && Math.Log(target[f]) - Math.Log(s) <= threshold)
            {
                result[f] = true;
                count++;
            }
        }

        return result;
    }

    /// <summary>Detector (a) (log band energies in, one row of bands per frame): correlation of log band energies over the quiet frames, and its z-score against circular time shifts of the source.</summary>
    private (double R, double Z) EnergyDetector(float[] target, float[] source, double[] targetFrames, double[] sourceFrames, double floor, int frames, int bands)
    {
        var r = Correlation(target, source, targetFrames, sourceFrames, floor, frames, bands, 0);
        if (double.IsNaN(r) || frames < 16)
        {
            return (0, 0);
        }

        var nulls = new List<double>();
        for (var k = 1; k <= options.NullShifts; k++)
        {
            var shift = (int)((long)frames * k / (options.NullShifts + 1));
            var v = Correlation(target, source, targetFrames, sourceFrames, floor, frames, bands, shift);
            if (!double.IsNaN(v))
            {
                nulls.Add(Math.Atanh(Math.Clamp(v, -0.999, 0.999)));
            }
        }

        if (nulls.Count < 2)
        {
            return (r, 0);
        }

        var mean = nulls.Average();
        var sd = Math.Sqrt(nulls.Sum(v => (v - mean) * (v - mean)) / (nulls.Count - 1));
        var z = (Math.Atanh(Math.Clamp(r, -0.999, 0.999)) - mean) / Math.Max(sd, 0.05);
        return (r, z);
    }

    private double Correlation(float[] target, float[] source, double[] targetFrames, double[] sourceFrames, double floor, int frames, int bands, int shift)
    {
        var selected = QuietFrames(targetFrames, sourceFrames, floor, shift, out var count);
        if (count < 8)
        {
            return double.NaN;
        }

        var meanT = new double[bands];
        var meanS = new double[bands];
        for (var f = 0; f < frames; f++)
        {
            if (!selected[f])
            {
                continue;
            }

            var g = (f + shift) % frames;
            for (var b = 0; b < bands; b++)
            {
                meanT[b] += target[(f * bands) + b];
                meanS[b] += source[(g * bands) + b];
            }
        }

        for (var b = 0; b < bands; b++)
        {
            meanT[b] /= count;
            meanS[b] /= count;
        }

        double sxy = 0, sxx = 0, syy = 0;
        for (var f = 0; f < frames; f++)
        {
            if (!selected[f])
            {
                continue;
            }

            var g = (f + shift) % frames;
            for (var b = 0; b < bands; b++)
            {
                var x = target[(f * bands) + b] - meanT[b];
                var y = source[(g * bands) + b] - meanS[b];
                sxy += x * y;
                sxx += x * x;
                syy += y * y;
            }
        }

        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    /// <summary>GCC-PHAT of an accumulated cross-spectrum: peak-to-sidelobe ratio over lags -max..max and the delay of the peak in 0..max (samples, sub-sample).</summary>
    private static (double Psr, double Delay) Gcc(RealFft fft, float[] crossRe, float[] crossIm, bool conjugate, int maxLag, int exclusion,
        float[] phatRe, float[] phatIm, float[] lags)
    {
        var bins = fft.Bins;
        var any = false;
        for (var k = 0; k < bins; k++)
        {
            var r = crossRe[k];
            var i = conjugate ? -crossIm[k] : crossIm[k];
            var magnitude = MathF.Sqrt((r * r) + (i * i));
            if (magnitude > 1e-30f && k > 0)
            {
                phatRe[k] = r / magnitude;
                phatIm[k] = i / magnitude;
                any = true;
            }
            else
            {
                phatRe[k] = 0;
                phatIm[k] = 0;
            }
        }

        if (!any)
        {
            return (0, 0);
        }

        fft.Inverse(phatRe, phatIm, lags);
        var size = fft.Size;
        float Lag(int l) => lags[l >= 0 ? l : size + l];
        var peak = 0;
        var peakValue = float.MinValue;
        for (var l = 0; l <= maxLag; l++)
        {
            if (Lag(l) > peakValue)
            {
                peakValue = Lag(l);
                peak = l;
            }
        }

        double sum = 0, sumSquares = 0;
        var count = 0;
        for (var l = -maxLag; l <= maxLag; l++)
        {
            if (Math.Abs(l - peak) <= exclusion)
            {
                continue;
            }

            var v = Lag(l);
            sum += v;
            sumSquares += (double)v * v;
            count++;
        }

        var mean = sum / count;
        var sd = Math.Sqrt(Math.Max(sumSquares / count - (mean * mean), 1e-30));
        var psr = (peakValue - mean) / sd;
        double fraction = 0;
        if (peak > -maxLag && peak < maxLag)
        {
            double a = Lag(peak - 1), b = peakValue, c = Lag(peak + 1);
            var denominator = a - (2 * b) + c;
            fraction = denominator < 0 ? Math.Clamp(0.5 * (a - c) / denominator, -0.5, 0.5) : 0;
        }

        return (psr, Math.Max(0, peak + fraction));
    }

    /// <summary>Coherence (band mean weighted by source power) and leakage power (STFT units, over the whole track) after shifting the source by the delay, over the quiet frames.</summary>
    private static (double Coherence, double BleedStft) Compensated(float[] target, float[] source, bool[] quiet, double delay, RealFft fft, float[] window,
        int hop, int frames, int[] bandOf, int bands, double[] sourceBandTotals)
    {
        var size = fft.Size;
        var bins = fft.Bins;
        var whole = (int)Math.Floor(delay);
        var fraction = delay - whole;
        var rotateRe = new float[bins];
        var rotateIm = new float[bins];
        for (var k = 0; k < bins; k++)
        {
            // A further delay of `fraction` samples: multiply by exp(-i w fraction).
            var w = 2 * Math.PI * k / size * fraction;
            rotateRe[k] = (float)Math.Cos(w);
            rotateIm[k] = (float)-Math.Sin(w);
        }

        var crossRe = new double[bands];
        var crossIm = new double[bands];
        var powerT = new double[bands];
        var powerS = new double[bands];
        var frame = new float[size];
        var tr = new float[bins];
        var ti = new float[bins];
        var sr = new float[bins];
        var si = new float[bins];
        for (var f = 0; f < frames; f++)
        {
            if (!quiet[f])
            {
                continue;
            }

            Frame(target, f * hop, window, frame);
            fft.Forward(frame, tr, ti);
            Frame(source, (f * hop) - whole, window, frame);
            fft.Forward(frame, sr, si);
            for (var k = 1; k < bins; k++)
            {
                var xr = (sr[k] * rotateRe[k]) - (si[k] * rotateIm[k]);
                var xi = (sr[k] * rotateIm[k]) + (si[k] * rotateRe[k]);
                var b = bandOf[k];
                crossRe[b] += (tr[k] * xr) + (ti[k] * xi);
                crossIm[b] += (ti[k] * xr) - (tr[k] * xi);
                powerT[b] += (tr[k] * tr[k]) + (ti[k] * ti[k]);
                powerS[b] += (xr * xr) + (xi * xi);
            }
        }

        double coherence = 0, weight = 0, bleed = 0;
        for (var b = 0; b < bands; b++)
        {
            if (powerS[b] <= 0 || powerT[b] <= 0)
            {
                continue;
            }

            var c = ((crossRe[b] * crossRe[b]) + (crossIm[b] * crossIm[b])) / (powerT[b] * powerS[b]);
            coherence += c * powerS[b];
            weight += powerS[b];
            // |H| from the cross-spectrum's magnitude: leakage through a room or a stereo image is not zero-phase.
            var h = Math.Sqrt((crossRe[b] * crossRe[b]) + (crossIm[b] * crossIm[b])) / powerS[b];
            bleed += h * h * sourceBandTotals[b];
        }

        return (weight > 0 ? coherence / weight : 0, bleed);
    }

    /// <summary>Windowed frame of `signal` starting at `start` (zeros outside); false when it is all zero.</summary>
    private static bool Frame(float[] signal, int start, float[] window, float[] frame)
    {
        var size = frame.Length;
        Array.Clear(frame);
        var from = Math.Max(0, start);
        var to = Math.Min(signal.Length, start + size);
        if (to <= from)
        {
            return false;
        }

        var span = signal.AsSpan(from, to - from);
        if (TensorPrimitives.MaxMagnitude(span) == 0)
        {
            return false;
        }

        TensorPrimitives.Multiply(span, window.AsSpan(from - start, to - from), frame.AsSpan(from - start, to - from));
        return true;
    }

    /// <summary>Band index of every bin: log-spaced edges from minHz to Nyquist; bins below minHz join band 0.</summary>
    internal static int[] BandOfBins(int bins, int rate, int size, int bands, double minHz)
    {
        var result = new int[bins];
        var nyquist = rate / 2.0;
        for (var k = 0; k < bins; k++)
        {
            var hz = (double)k * rate / size;
            var position = hz <= minHz ? 0 : Math.Log(hz / minHz) / Math.Log(nyquist / minHz) * bands;
            result[k] = Math.Clamp((int)position, 0, bands - 1);
        }

        return result;
    }

    private static BleedTrackResult Empty(BleedTrackInput t) =>
        new(t.File, t.Label, t.Instrument, 0, Levels.FloorDb, 0, [], false, false, null, 0, 0);

    private sealed class PairFeatures
    {
        public double PsrAll { get; init; }

        public double PsrQuiet { get; init; }

        public double DelaySamples { get; init; }

        public double EnergyR { get; init; }

        public double EnergyZ { get; init; }

        public double Coherence { get; set; }

        public double LevelDb { get; set; } = double.NaN;

        public bool Candidate { get; set; }
    }
}
