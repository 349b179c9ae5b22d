using DatasetForge.Mixing;

namespace DatasetForge.Tests.Mixing;

public sealed class MixRendererTests(MixFixture fixture) : IClassFixture<MixFixture>
{
    private MixStream Stream(MixRecipe recipe, ulong seed = 1, int batch = 8) =>
        new(new MixPlanner(fixture.Dataset, recipe, seed), new MixStreamOptions { BatchSize = batch, Workers = 1 });

    [Fact]
    public void Bsrnn_targets_sum_to_the_mixture_and_the_peak_is_full_scale()
    {
        using var stream = Stream(MixFixture.Recipe("bsrnn", 3));
        for (var n = 0; n < 4; n++)
        {
            using var batch = stream.RenderBatch(n);
            Assert.Equal([8L, 2, 24000], batch.MixtureShape);
            Assert.Equal([8L, 4, 2, 24000], batch.TargetsShape);
            for (var i = 0; i < batch.BatchSize; i++)
            {
                var peak = 0.0;
                for (var c = 0; c < 2; c++)
                {
                    var mix = batch.MixtureOf(i, c);
                    for (var k = 0; k < mix.Length; k++)
                    {
                        var sum = 0f;
                        for (var t = 0; t < 4; t++)
                        {
                            sum += batch.TargetOf(i, t, c)[k];
                            peak = Math.Max(peak, Math.Abs(batch.TargetOf(i, t, c)[k]));
                        }

                        Assert.True(Math.Abs(sum - mix[k]) < 1e-6, $"item {i} channel {c} frame {k}: targets sum {sum}, mixture {mix[k]}");
                        peak = Math.Max(peak, Math.Abs(mix[k]));
                    }
                }

                var allDropped = batch.Plans[i].Sources.All(s => s.Dropped);
                Assert.Equal(allDropped ? 0.0 : 1.0, peak, 6);
            }
        }
    }

    [Fact]
    public void Each_target_is_the_planned_range_of_its_file_times_its_gain()
    {
        var plain = MixFixture.Recipe("bsrnn", 2) with { Rescale = RescaleMode.None };
        var recipe = plain with { Augment = plain.Augment with { ChannelSwap = 0.5, PolarityFlip = 0.5, TimeShiftSeconds = 0.3 } };
        using var stream = Stream(recipe, seed: 4);
        using var batch = stream.RenderBatch(0);
        var checkedSources = 0;
        for (var i = 0; i < batch.BatchSize; i++)
        {
            var plan = batch.Plans[i];
            for (var t = 0; t < 4; t++)
            {
                var s = plan.Sources[plan.Targets[t].Sources[0]];
                var expectedScale = s.Dropped ? 0 : Math.Pow(10, s.GainDb / 20) * (s.FlipPolarity ? -1 : 1);
                Assert.Equal(expectedScale, batch.Renders[i].SourceScales[plan.Targets[t].Sources[0]], 9);
                var file = fixture.Built.Audio(s.SongId, s.Level, s.Node);
                for (var c = 0; c < 2; c++)
                {
                    var fileChannel = file.Channels[s.SwapChannels ? 1 - c : c];
                    var target = batch.TargetOf(i, t, c);
                    for (var k = 0; k < target.Length; k += 7)
                    {
                        var expected = (float)(fileChannel[s.StartFrame + k] * expectedScale);
                        Assert.True(Math.Abs(expected - target[k]) <= 1e-6 + (1e-6 * Math.Abs(expected)), $"item {i} target {t} ch {c} frame {k}: {target[k]} vs {expected}");
                    }
                }

                checkedSources++;
            }
        }

        Assert.Equal(32, checkedSources);
    }

    [Fact]
    public void Rms_normalization_brings_each_kept_chunk_to_the_reference_before_its_gain()
    {
        var recipe = MixFixture.Recipe("rms", 2) with { Rescale = RescaleMode.None };
        using var stream = Stream(recipe, seed: 8);
        var checkedSources = 0;
        for (var n = 0; n < 3; n++)
        {
            using var batch = stream.RenderBatch(n);
            for (var i = 0; i < batch.BatchSize; i++)
            {
                var plan = batch.Plans[i];
                foreach (var target in plan.Targets.Select((x, t) => (x, t)).Where(p => p.x.Sources.Count == 1))
                {
                    var s = plan.Sources[target.x.Sources[0]];
                    double sum = 0;
                    for (var c = 0; c < 2; c++)
                    {
                        foreach (var v in batch.TargetOf(i, target.t, c))
                        {
                            sum += (double)v * v;
                        }
                    }

                    var db = 10 * Math.Log10(Math.Max(sum / (2.0 * plan.Frames), 1e-30));
                    if (s.Dropped)
                    {
                        Assert.Equal(0, sum);
                        continue;
                    }

                    var raw = fixture.Built.Audio(s.SongId, s.Level, s.Node);
                    double rawSum = 0;
                    for (var c = 0; c < 2; c++)
                    {
                        for (var k = 0; k < plan.Frames; k++)
                        {
                            rawSum += (double)raw.Channels[c][s.StartFrame + k] * raw.Channels[c][s.StartFrame + k];
                        }
                    }

                    if (rawSum == 0)
                    {
                        Assert.Equal(0, sum);
                        continue;
                    }

                    var rawDb = 10 * Math.Log10(rawSum / (2.0 * plan.Frames));
                    var expected = rawDb < -60 ? rawDb + s.GainDb : -20 + s.GainDb;
                    Assert.Equal(expected, db, 2);
                    checkedSources++;
                }
            }
        }

        Assert.True(checkedSources > 60);
    }

    [Fact]
    public void Hierarchical_targets_are_the_submixes_the_dataset_rendered_for_each_level()
    {
        // Without gains, the level-2 and level-3 targets must equal the dataset's own level-2/3 stems of that song
        // (the builder renders parents as exact sums of their children), and the mixture its mixture file.
        var recipe = MixFixture.Recipe("hierarchical", 10) with { Augment = new MixAugmentOptions(), Rescale = RescaleMode.None };
        using var stream = Stream(recipe, seed: 3, batch: 4);
        using var batch = stream.RenderBatch(0);
        for (var i = 0; i < batch.BatchSize; i++)
        {
            var plan = batch.Plans[i];
            var song = plan.Sources[0].SongId;
            var start = plan.Sources.First(s => s.Node == plan.Leaf).StartFrame;
            for (var t = 0; t < 3; t++)
            {
                var stem = fixture.Built.Audio(song, plan.Targets[t].Level, plan.Targets[t].Name);
                AssertClose(stem, start, c => batch.TargetOf(i, t, c), $"item {i} level {t + 1} {plan.Targets[t].Name}");
            }

            AssertClose(fixture.Built.Audio(song, 0, "mixture"), start, c => batch.MixtureOf(i, c), $"item {i} mixture");
        }
    }

    [Fact]
    public void Mixit_targets_are_the_two_song_mixtures_and_sum_to_the_mixture()
    {
        var recipe = MixFixture.Recipe("mixit", 2) with { Augment = new MixAugmentOptions(), Rescale = RescaleMode.None };
        using var stream = Stream(recipe, seed: 5, batch: 4);
        using var batch = stream.RenderBatch(0);
        for (var i = 0; i < batch.BatchSize; i++)
        {
            var plan = batch.Plans[i];
            for (var t = 0; t < 2; t++)
            {
                var s = plan.Sources[t];
                AssertClose(fixture.Built.Audio(s.SongId, 0, "mixture"), s.StartFrame, c => batch.TargetOf(i, t, c), $"item {i} mix {t}");
            }

            for (var c = 0; c < 2; c++)
            {
                var mix = batch.MixtureOf(i, c);
                for (var k = 0; k < mix.Length; k++)
                {
                    Assert.Equal(batch.TargetOf(i, 0, c)[k] + batch.TargetOf(i, 1, c)[k], mix[k], 6);
                }
            }
        }
    }

    [Fact]
    public void Mono_output_averages_stereo_stems()
    {
        var recipe = MixFixture.Recipe("bsrnn", 1) with { Channels = 1, Rescale = RescaleMode.None, Augment = new MixAugmentOptions { CrossSongRemix = 1 } };
        using var stream = Stream(recipe, batch: 2);
        using var batch = stream.RenderBatch(0);
        Assert.Equal([2L, 1, 8000], batch.MixtureShape);
        var s = batch.Plans[0].Sources[0];
        var file = fixture.Built.Audio(s.SongId, s.Level, s.Node);
        var target = batch.TargetOf(0, 0, 0);
        for (var k = 0; k < target.Length; k += 13)
        {
            Assert.Equal((file.Channels[0][s.StartFrame + k] + file.Channels[1][s.StartFrame + k]) * 0.5f, target[k], 6);
        }
    }

    private static void AssertClose(DatasetForge.Audio.AudioBuffer file, long start, Func<int, float[]> channel, string what)
    {
        for (var c = 0; c < file.ChannelCount; c++)
        {
            var actual = channel(c);
            var maxError = 0.0;
            for (var k = 0; k < actual.Length; k++)
            {
                maxError = Math.Max(maxError, Math.Abs(actual[k] - file.Channels[c][start + k]));
            }

            Assert.True(maxError < 1e-5, $"{what} channel {c}: max error {maxError}");
        }
    }

    private static void AssertClose(DatasetForge.Audio.AudioBuffer file, long start, SpanOf channel, string what) => AssertClose(file, start, c => channel(c).ToArray(), what);

    private delegate ReadOnlySpan<float> SpanOf(int channel);
}
