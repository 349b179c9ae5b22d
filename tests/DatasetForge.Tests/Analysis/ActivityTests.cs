using DatasetForge.Analysis;
using DatasetForge.Analysis.Activity;

namespace DatasetForge.Tests.Analysis;

/// <summary>BSRNN SAD and the MixIT clip filter on hand-made signals whose answer is known segment by segment.</summary>
public sealed class ActivityTests
{
    private const int Rate = 1000;

    /// <summary>A constant-power signal: a square wave of +-a has mean square a^2 in every chunk.</summary>
    private static float[] Level(double seconds, double amplitude)
    {
        var x = new float[(int)Math.Round(seconds * Rate)];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)((i % 2 == 0 ? 1 : -1) * amplitude);
        }

        return x;
    }

    private static float[] Concat(params float[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public void Segments_are_salient_when_more_than_half_their_chunks_pass_the_threshold()
    {
        // 12 s loud (ms 0.25), 6 s digital silence, 12 s quiet (ms 1e-4 < gamma): threshold = gamma = 1e-3.
        var x = Concat(Level(12, 0.5), Level(6, 0), Level(12, 0.01));
        var result = BsrnnActivityDetector.Detect([x], Rate, new SadOptions());

        // 6 s segments, 3 s hop, whole segments only: starts 0, 3, ..., 24.
        Assert.Equal(Enumerable.Range(0, 9).Select(k => 3.0 * k), result.Segments.Select(s => s.StartSeconds));
        Assert.All(result.Segments, s => Assert.Equal(6, s.EndSeconds - s.StartSeconds, 9));
        Assert.Equal(1e-3, result.Threshold);

        // [0,6) [3,9) [6,12) loud; [9,15) has exactly 5 loud chunks of 10: 50% is not "more than 50%".
        Assert.Equal([true, true, true, false, false, false, false, false, false], result.Segments.Select(s => s.Salient));
        Assert.Equal([1, 1, 1, 0.5, 0, 0, 0, 0, 0], result.Segments.Select(s => s.ActiveFraction));
    }

    [Fact]
    public void Six_loud_chunks_of_ten_make_a_segment_salient()
    {
        // Loud for 3.6 s then silent: segment [0, 6) has chunks 0..5 loud (6 of 10).
        var x = Concat(Level(3.6, 0.5), Level(8.4, 0));
        var result = BsrnnActivityDetector.Detect([x], Rate, new SadOptions());
        Assert.Equal([0.6, 0.1, 0], result.Segments.Take(3).Select(s => s.ActiveFraction));
        Assert.Equal([true, false, false], result.Segments.Take(3).Select(s => s.Salient));
    }

    [Fact]
    public void The_quantile_sets_the_threshold_when_it_is_above_gamma()
    {
        // Everything is above gamma, but the quietest 30% (ms 0.01) sit below the 15% quantile's neighbours:
        // 9 s at ms 0.01 then 21 s at ms 0.25 -> chunk energies: 9 s worth of 0.01, the rest 0.25.
        var x = Concat(Level(9, 0.1), Level(21, 0.5));
        var result = BsrnnActivityDetector.Detect([x], Rate, new SadOptions());

        // Chunks (every segment's 10, overlapping): [0,6) 10 quiet, [3,9) 10 quiet, [6,12) 5+5, [9,15)... 10 loud each.
        // 9 segments x 10 chunks = 90; 25 quiet ones (28%) -> the 15% quantile is 0.01 > gamma.
        Assert.Equal(0.01, result.Threshold, 6);
        Assert.Equal([false, false, false, true, true, true, true, true, true], result.Segments.Select(s => s.Salient));
    }

    [Fact]
    public void Silent_chunks_get_epsilon_and_a_silent_track_has_nothing_salient()
    {
        var silent = BsrnnActivityDetector.Detect([new float[30 * Rate]], Rate, new SadOptions());
        Assert.All(silent.Segments, s => Assert.False(s.Salient));
        Assert.Equal(1e-5, BsrnnActivityDetector.ChunkEnergy([new float[100]], 0, 100, new SadOptions()));

        // In dB: epsilon -> -50 dB, gamma -> -30 dB (power), and the same decisions as in linear scale.
        var db = new SadOptions { Scale = SadScale.Db };
        Assert.Equal(-50, BsrnnActivityDetector.ChunkEnergy([new float[100]], 0, 100, db), 9);
        var x = Concat(Level(12, 0.5), Level(6, 0), Level(12, 0.01));
        Assert.Equal(BsrnnActivityDetector.Detect([x], Rate, new SadOptions()).Segments.Select(s => s.Salient),
            BsrnnActivityDetector.Detect([x], Rate, db).Segments.Select(s => s.Salient));
        Assert.Equal(-30, BsrnnActivityDetector.Detect([x], Rate, db).Threshold, 9);
    }

    [Fact]
    public void Rms_energy_moves_gamma_to_minus_sixty_dbfs()
    {
        // 6 s of silence (so the 15% quantile is epsilon and the threshold gamma), then amplitude 0.01 (-40 dBFS):
        // below gamma as a mean square (1e-4 < 1e-3), above it as an RMS (0.01 > 1e-3).
        var x = Concat(Level(6, 0), Level(24, 0.01));
        Assert.All(BsrnnActivityDetector.Detect([x], Rate, new SadOptions()).Segments, s => Assert.False(s.Salient));
        var rms = BsrnnActivityDetector.Detect([x], Rate, new SadOptions { Energy = SadEnergy.Rms });
        Assert.Equal(1e-3, rms.Threshold);
        Assert.Equal([false, false, true, true, true, true, true, true, true], rms.Segments.Select(s => s.Salient));
    }

    [Fact]
    public void Energy_is_averaged_over_channels()
    {
        // One channel at ms 1.6e-3 (after 6 s of silence), the other silent: 8e-4 on average, below gamma.
        var loud = Concat(Level(6, 0), Level(24, 0.04));
        var result = BsrnnActivityDetector.Detect([loud, new float[loud.Length]], Rate, new SadOptions());
        Assert.All(result.Segments, s => Assert.False(s.Salient));
        Assert.Equal([false, false, true, true, true, true, true, true, true],
            BsrnnActivityDetector.Detect([loud, loud], Rate, new SadOptions()).Segments.Select(s => s.Salient));
    }

    [Fact]
    public void A_constant_track_above_gamma_has_nothing_salient_because_nothing_exceeds_its_own_quantile()
    {
        // A property of the algorithm as published: the threshold is a quantile of the track's own chunk energies.
        var x = Level(30, 0.5);
        var result = BsrnnActivityDetector.Detect([x], Rate, new SadOptions());
        Assert.Equal(0.25, result.Threshold, 6);
        Assert.All(result.Segments, s => Assert.False(s.Salient));
    }

    [Fact]
    public void Chunks_partition_segments_that_do_not_divide_evenly()
    {
        // 1003 frames per segment at 10 chunks: boundaries floor(j * 1003 / 10) = 0, 100, 200, ..., 902, 1003.
        var options = new SadOptions { SegmentSeconds = 1.003, Overlap = 0.5 };
        var x = new float[1003];
        x[1002] = 1; // one sample in the last chunk (101 frames): ms 1/101 > gamma
        var result = BsrnnActivityDetector.Detect([x], Rate, options);
        var segment = Assert.Single(result.Segments);
        Assert.Equal(0.1, segment.ActiveFraction, 9);
        Assert.Equal(1.0 / 101, BsrnnActivityDetector.ChunkEnergy([x], 902, 1003, options), 12);
    }

    [Fact]
    public void Quantile_interpolates_linearly_like_numpy()
    {
        double[] v = [1, 2, 3, 4, 10];
        Assert.Equal(1.6, BsrnnActivityDetector.Quantile(v, 0.15), 12); // numpy.quantile([1,2,3,4,10], 0.15) = 1.6
        Assert.Equal(3, BsrnnActivityDetector.Quantile(v, 0.5), 12);
        Assert.Equal(10, BsrnnActivityDetector.Quantile(v, 1), 12);
        Assert.Equal(7, BsrnnActivityDetector.Quantile(v, 0.875), 12);
    }

    [Fact]
    public void Mixit_drops_clips_with_more_than_five_silent_seconds()
    {
        // 30 s: loud 0-4 s, silent 4-10 s, loud 10-15 s, silent 15-20 s, loud 20-30 s.
        var x = Concat(Level(4, 0.5), Level(6, 0), Level(5, 0.5), Level(5, 0.0001), Level(10, 0.5));
        var result = MixitClipFilter.Detect([x], Rate, new MixitOptions());
        Assert.Equal([0.0, 5, 10, 15, 20], result.Segments.Select(s => s.StartSeconds));

        // Silent seconds per clip: [0,10) 6 -> dropped; [5,15) 5 -> kept (not more than 5); [10,20) 5 -> kept;
        // [15,25) 5 (-80 dBFS is below -60) -> kept; [20,30) 0 -> kept.
        Assert.Equal([false, true, true, true, true], result.Segments.Select(s => s.Salient));
        Assert.Equal([0.4, 0.5, 0.5, 0.5, 1], result.Segments.Select(s => s.ActiveFraction));

        // A -50 dBFS interval is not silent at -60, is at -40.
        var quiet = Level(10, Math.Pow(10, -50 / 20.0));
        Assert.True(MixitClipFilter.Detect([quiet], Rate, new MixitOptions()).Segments.Single().Salient);
        Assert.False(MixitClipFilter.Detect([quiet], Rate, new MixitOptions { SilenceDbfs = -40 }).Segments.Single().Salient);
    }

    [Fact]
    public void Tracks_shorter_than_a_segment_have_no_segments()
    {
        Assert.Empty(BsrnnActivityDetector.Detect([Level(5, 0.5)], Rate, new SadOptions()).Segments);
        Assert.Empty(MixitClipFilter.Detect([Level(9, 0.5)], Rate, new MixitOptions()).Segments);
    }

    [Fact]
    public void Default_preset_loads_and_a_bad_value_names_the_key()
    {
        var options = AnalysisOptions.Load();
        Assert.Equal(new SadOptions(), options.Sad);
        Assert.Equal(new MixitOptions(), options.Mixit);
        Assert.Equal(-30, options.Saliency.ThresholdDbfs);
        using var temp = new TestSupport.TempDir();
        var bad = temp.File("bad.yaml");
        File.WriteAllText(bad, "sad:\n  chunks: 0\n");
        var e = Assert.Throws<DatasetForge.Common.Config.ConfigException>(() => AnalysisOptions.Load(bad));
        Assert.Contains("chunks", e.Message);
        Assert.Contains("bad.yaml", e.Message);
    }
}
