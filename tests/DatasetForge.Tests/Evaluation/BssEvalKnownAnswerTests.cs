using DatasetForge.Evaluation;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Evaluation;

/// <summary>BSS Eval cases whose answers follow from the definitions, independent of museval.</summary>
public class BssEvalKnownAnswerTests
{
    private const int Rate = 8000;
    private static readonly BssEvalOptions Options = new() { Window = Rate, Hop = Rate, FilterLength = 64 };

    private static float[][] Stereo(int frames, int seed) =>
        [Signals.Noise(frames, 0.3, seed), Signals.Noise(frames, 0.3, seed + 1000)];

    [Fact]
    public void EstimateEqualToReferenceIsPerfect()
    {
        var refs = new[] { Stereo(3 * Rate, 1), Stereo(3 * Rate, 2) };
        var result = BssEval.Evaluate(refs, refs, Options);
        for (var j = 0; j < 2; j++)
        {
            for (var t = 0; t < result.Frames; t++)
            {
                Assert.Equal(double.PositiveInfinity, result.Sdr[j][t]);
                Assert.True(result.Isr[j][t] > 150, $"ISR {result.Isr[j][t]}");
                Assert.True(result.Sir[j][t] > 150, $"SIR {result.Sir[j][t]}");
                Assert.True(result.Sar[j][t] > 150, $"SAR {result.Sar[j][t]}");
            }
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void ScaledEstimateHasSdrAndIsrOfTheScaleError(double gain)
    {
        var refs = new[] { Stereo(3 * Rate, 3), Stereo(3 * Rate, 4) };
        var ests = refs.Select(r => r.Select(c => c.Select(v => (float)(v * gain)).ToArray()).ToArray()).ToArray();
        var result = BssEval.Evaluate(refs, ests, Options);
        var expected = -20 * Math.Log10(Math.Abs(1 - gain)); // |s|^2 / |(g-1) s|^2
        for (var j = 0; j < 2; j++)
        {
            for (var t = 0; t < result.Frames; t++)
            {
                Assert.Equal(expected, result.Sdr[j][t], 1e-6);
                Assert.Equal(expected, result.Isr[j][t], 1e-6);
                Assert.True(result.Sir[j][t] > 150);
                Assert.True(result.Sar[j][t] > 150);
            }
        }
    }

    /// <summary>
    /// A delay D shorter than the filter is a pure spatial distortion: the own projection is the frame's samples
    /// shifted by D (computed from the frame alone), so ISR and SAR follow from the signals exactly.
    /// </summary>
    [Fact]
    public void DelayWithinTheFilterLengthIsSpatialDistortion()
    {
        const int delay = 10;
        var frames = 3 * Rate;
        var refs = new[] { Stereo(frames, 5), Stereo(frames, 6) };
        foreach (var channel in refs[0])
        {
            Array.Clear(channel, frames - 100, 100); // so the delayed copy fits inside the signal: e = S_D s exactly
        }

        var delayed = refs[0].Select(c => Enumerable.Repeat(0f, delay).Concat(c.Take(frames - delay)).ToArray()).ToArray();
        var ests = new[] { delayed, refs[1] };
        var result = BssEval.Evaluate(refs, ests, Options);
        var l = Options.FilterLength;
        for (var t = 0; t < result.Frames; t++)
        {
            var start = t * Rate;
            double target = 0, spatial = 0, own = 0, artifacts = 0, distortion = 0;
            foreach (var (s, e) in refs[0].Zip(delayed))
            {
                for (var n = 0; n < Rate + l - 1; n++)
                {
                    double sv = n < Rate ? s[start + n] : 0;
                    double ev = n < Rate ? e[start + n] : 0;
                    double pj = n >= delay && n - delay < Rate ? s[start + n - delay] : 0; // frame-local shift
                    target += sv * sv;
                    distortion += (ev - sv) * (ev - sv);
                    spatial += (pj - sv) * (pj - sv);
                    own += pj * pj;
                    artifacts += (ev - pj) * (ev - pj);
                }
            }

            Assert.Equal(10 * Math.Log10(target / distortion), result.Sdr[0][t], 1e-9);
            Assert.Equal(10 * Math.Log10(target / spatial), result.Isr[0][t], 1e-4);
            Assert.Equal(10 * Math.Log10(own / artifacts), result.Sar[0][t], 1e-4);
            Assert.True(result.Sir[0][t] > 100, $"SIR {result.Sir[0][t]}");
        }

        Assert.InRange(result.Isr[0][1], -3.5, -2.5); // white noise: |shift(s) - s|^2 ~ 2 |s|^2
    }

    [Fact]
    public void SilentFrameIsNaNForEverySource()
    {
        var refs = new[] { Stereo(3 * Rate, 7), Stereo(3 * Rate, 8) };
        foreach (var channel in refs[1])
        {
            Array.Clear(channel, Rate, Rate); // second frame of the second reference is silent
        }

        var ests = refs.Select(r => r.Select(c => c.Select(v => v * 0.9f).ToArray()).ToArray()).ToArray();
        ests[0][0][10] += 0.1f;
        var result = BssEval.Evaluate(refs, ests, Options);
        Assert.Equal(3, result.Frames);
        for (var j = 0; j < 2; j++)
        {
            Assert.True(double.IsNaN(result.Sdr[j][1]) && double.IsNaN(result.Isr[j][1]) && double.IsNaN(result.Sir[j][1]) && double.IsNaN(result.Sar[j][1]));
            Assert.False(double.IsNaN(result.Sdr[j][0]));
            Assert.False(double.IsNaN(result.Sdr[j][2]));
        }

        Assert.False(double.IsNaN(result.MedianSdr(0)));
    }

    [Fact]
    public void PartialLastFrameIsDroppedAndEstimatesArePaddedOrTruncated()
    {
        var frames = (2 * Rate) + (Rate / 2);
        var refs = new[] { Stereo(frames, 9), Stereo(frames, 10) };
        var longer = refs[0].Select(c => c.Concat(Enumerable.Repeat(0.5f, 100)).ToArray()).ToArray();
        var shorter = refs[1].Select(c => c.Take((2 * Rate) - 100).ToArray()).ToArray(); // zero-padded back to length
        var result = BssEval.Evaluate(refs, [longer, shorter], Options);
        Assert.Equal(2, result.Frames);
        Assert.Equal(2, BssEval.FrameCount(frames, Rate, Rate));
        Assert.Equal(1, BssEval.FrameCount(Rate / 2, Rate, Rate));
        Assert.Equal(double.PositiveInfinity, result.Sdr[0][0]); // the extra samples were cut off
        Assert.Equal(double.PositiveInfinity, result.Sdr[1][0]);
        Assert.True(double.IsFinite(result.Sdr[1][1]));          // 100 zero-padded samples at the end of frame 1
    }

    [Fact]
    public void MonoAndDuplicatedChannelsAndManySourcesWork()
    {
        var frames = 2 * Rate;
        var mono = Enumerable.Range(0, 3).Select(i => new[] { Signals.Noise(frames, 0.3, 20 + i) }).ToArray();
        var monoEst = mono.Select(r => new[] { r[0].Select((v, i) => v + (0.05f * mono[(Array.IndexOf(mono, r) + 1) % 3][0][i])).ToArray() }).ToArray();
        var monoResult = BssEval.Evaluate(mono, monoEst, Options);
        Assert.Equal(3, monoResult.Sources);
        Assert.All(monoResult.Sir.SelectMany(x => x), v => Assert.InRange(v, 20, 35)); // 0.05 leakage: ~26 dB

        // A mono stem stored as stereo (both channels equal) makes the Gram matrix singular; museval regularizes,
        // we drop the dependent channel: the projection, and so the metrics, are unchanged.
        var dup = new[] { new[] { mono[0][0], (float[])mono[0][0].Clone() }, Stereo(frames, 30) };
        var dupEst = new[] { new[] { monoEst[0][0], (float[])monoEst[0][0].Clone() }, dup[1].Select(c => c.Select(v => v * 0.8f).ToArray()).ToArray() };
        var dupResult = BssEval.Evaluate(dup, dupEst, Options);
        Assert.All(dupResult.Sdr.SelectMany(x => x), v => Assert.True(double.IsFinite(v)));
        Assert.All(dupResult.Sar.SelectMany(x => x), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void SilentReferenceOrEstimateIsRefusedByName()
    {
        var refs = new[] { Stereo(Rate, 1), new[] { new float[Rate], new float[Rate] } };
        var error = Assert.Throws<ArgumentException>(() => BssEval.Evaluate(refs, refs, Options, ["vocals", "bass"]));
        Assert.Contains("'bass'", error.Message);
        Assert.Contains("silent", error.Message);
    }

    [Fact]
    public void UsdrAndSiSdrKnownAnswers()
    {
        var s = Stereo(Rate, 40);
        var half = s.Select(c => c.Select(v => v * 0.5f).ToArray()).ToArray();
        var energy = s.Sum(c => c.Sum(v => (double)v * v));
        Assert.Equal(10 * Math.Log10((energy + 1e-7) / ((0.25 * energy) + 1e-7)), SeparationMetrics.Usdr(s, half), 1e-6);

        // SI-SDR ignores scale: e = 3 (s + n) and e = s + n score the same; independent noise n of a third of the
        // signal's amplitude (0.1 x 1.0 against 0.3) scores about 20 log10(3) = 9.5 dB.
        var noisy = s.Select((c, ch) => c.Select((v, i) => v + (0.1f * Signals.Noise(Rate, 1, 50 + ch)[i])).ToArray()).ToArray();
        var scaled = noisy.Select(c => c.Select(v => 3 * v).ToArray()).ToArray();
        Assert.Equal(SeparationMetrics.SiSdr(s, noisy), SeparationMetrics.SiSdr(s, scaled), 1e-6);
        Assert.InRange(SeparationMetrics.SiSdr(s, noisy), 8.5, 10.5);
        Assert.True(SeparationMetrics.SiSdr(s, half) > 100);
    }
}
