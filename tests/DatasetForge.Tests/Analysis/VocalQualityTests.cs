using DatasetForge.Analysis;
using DatasetForge.Analysis.VocalQuality;
using DatasetForge.Audio;

namespace DatasetForge.Tests.Analysis;

public sealed class VocalQualityTests
{
    private const int Rate = 16000;
    private static readonly VocalQualityOptions Options = new();

    /// <summary>Sung phrases: 1.5 s of a 220 Hz harmonic tone with vibrato, then 1 s of digital silence, repeated for 10 s.</summary>
    private static float[] Phrases(double amplitude = 0.3)
    {
        var x = new float[10 * Rate];
        var phase = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var t = (double)i / Rate;
            phase += 2 * Math.PI * 220 * (1 + (0.01 * Math.Sin(2 * Math.PI * 5.5 * t))) / Rate;
            if (t % 2.5 < 1.5)
            {
                x[i] = (float)(amplitude * (Math.Sin(phase) + (0.5 * Math.Sin(2 * phase)) + (0.25 * Math.Sin(3 * phase))) / 1.75);
            }
        }

        return x;
    }

    private static AudioBuffer Buffer(float[] x) => new(Rate, [x]);

    private static float[] Add(float[] x, Func<int, double> f) => x.Select((v, i) => (float)(v + f(i))).ToArray();

    [Fact]
    public void A_clean_vocal_raises_no_flag()
    {
        var q = VocalQualityAnalyzer.Analyze(Buffer(Add(Phrases(), i => 1e-5 * Math.Sin(i * 1.7))), Options);
        Assert.False(q.Clipping.Raised, q.Clipping.Reason);
        Assert.False(q.NoiseFloor.Raised, q.NoiseFloor.Reason);
        Assert.False(q.Hum.Raised, q.Hum.Reason);
        Assert.False(q.DcOffset.Raised, q.DcOffset.Reason);
        Assert.InRange(q.NoiseFloor.Value, -110, -90);
    }

    [Fact]
    public void Clipping_at_full_scale_and_clipped_then_turned_down_are_both_found()
    {
        var hot = Phrases(0.3).Select(v => Math.Clamp(v * 5f, -1f, 1f)).ToArray();
        var q = VocalQualityAnalyzer.Clipping(Buffer(hot), Options);
        Assert.True(q.Raised, q.Reason);
        Assert.Contains("full scale", q.Reason);
        Assert.InRange(q.AtSeconds, 0, 0.1);

        var turnedDown = hot.Select(v => v * 0.5f).ToArray();
        var d = VocalQualityAnalyzer.Clipping(Buffer(turnedDown), Options);
        Assert.True(d.Raised, d.Reason);
        Assert.Contains("turned down", d.Reason);

        // A loud but unclipped vocal peaks once: no spike at the peak.
        var loud = Phrases(0.9);
        Assert.False(VocalQualityAnalyzer.Clipping(Buffer(loud), Options).Raised);
    }

    [Fact]
    public void Noise_between_phrases_is_measured_in_the_gaps()
    {
        var noisy = Add(Phrases(), i => 0.005 * Math.Sin(i * 2.39996) * Math.Cos(i * 0.7071)); // about -49 dBFS
        var q = VocalQualityAnalyzer.NoiseFloor(Buffer(noisy), Options);
        Assert.True(q.Raised, q.Reason);
        Assert.InRange(q.Value, -55, -49);
        Assert.Contains("gaps between phrases", q.Reason);
        var t = q.AtSeconds % 2.5;
        Assert.InRange(t, 1.5, 2.5);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(60)]
    public void Mains_hum_is_found_at_its_frequency(double mains)
    {
        var hum = Add(Phrases(), i => 0.003 * (Math.Sin(2 * Math.PI * mains * i / Rate) + (0.5 * Math.Sin(2 * Math.PI * 3 * mains * i / Rate))));
        var q = VocalQualityAnalyzer.Hum(Buffer(hum), Options, out var hz);
        Assert.True(q.Raised, q.Reason);
        Assert.Equal(mains, hz);
    }

    [Fact]
    public void Dc_offset_is_flagged_above_its_limit()
    {
        var q = VocalQualityAnalyzer.DcOffset(Buffer(Add(Phrases(), _ => 0.01)), Options);
        Assert.True(q.Raised, q.Reason);
        Assert.Equal(-40, q.Value, 0.5);
        Assert.False(VocalQualityAnalyzer.DcOffset(Buffer(Phrases()), Options).Raised);
    }
}
