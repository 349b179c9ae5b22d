using System.Text.Json;
using DatasetForge.Common.Config;
using DatasetForge.Mixing;

namespace DatasetForge.Tests.Mixing;

public sealed class MixPlannerTests(MixFixture fixture) : IClassFixture<MixFixture>
{
    [Fact]
    public void Gains_are_uniform_in_the_recipe_range()
    {
        var planner = new MixPlanner(fixture.Dataset, MixFixture.Recipe("bsrnn"), seed: 7);
        var gains = Enumerable.Range(0, 4000).SelectMany(i => planner.PlanItem(i).Sources.Select(s => s.GainDb)).ToArray();
        Assert.Equal(16000, gains.Length);
        Assert.All(gains, g => Assert.InRange(g, -10, 10));

        // mean 0 (sd of the mean 0.046 dB), variance (b-a)^2/12 = 33.3, and a Kolmogorov-Smirnov distance
        // below the 1% critical value 1.63/sqrt(n) = 0.0129 from the uniform distribution.
        Assert.InRange(gains.Average(), -0.2, 0.2);
        var variance = gains.Select(g => g * g).Average() - (gains.Average() * gains.Average());
        Assert.InRange(variance, 33.33 - 1.5, 33.33 + 1.5);
        var sorted = gains.Order().ToArray();
        var d = sorted.Select((g, i) => Math.Max(Math.Abs(((i + 1.0) / sorted.Length) - ((g + 10) / 20)), Math.Abs((i / (double)sorted.Length) - ((g + 10) / 20)))).Max();
        Assert.True(d < 1.63 / Math.Sqrt(sorted.Length), $"KS distance {d:F4} from uniform [-10, 10]");
    }

    [Theory]
    [InlineData("bsrnn", 0.10)]
    [InlineData("rms", 0.05)]
    public void Dropout_matches_its_probability(string recipe, double p)
    {
        var planner = new MixPlanner(fixture.Dataset, MixFixture.Recipe(recipe), seed: 11);
        var sources = Enumerable.Range(0, 5000).SelectMany(i => planner.PlanItem(i).Sources).ToList();
        var rate = sources.Count(s => s.Dropped) / (double)sources.Count;
        var sd = Math.Sqrt(p * (1 - p) / sources.Count);
        Assert.InRange(rate, p - (4 * sd), p + (4 * sd));

        // drops are independent of each other within an item: P(all 4 dropped) ~ p^4, P(none) ~ (1-p)^4
        var items = Enumerable.Range(0, 5000).Select(i => planner.PlanItem(i)).Where(x => x.Sources.Count == 4).ToList();
        var none = items.Count(x => x.Sources.All(s => !s.Dropped)) / (double)items.Count;
        Assert.InRange(none, Math.Pow(1 - p, 4) - 0.03, Math.Pow(1 - p, 4) + 0.03);
    }

    [Fact]
    public void Plans_are_a_pure_function_of_seed_epoch_and_index()
    {
        var recipe = MixFixture.Recipe("bsrnn");
        var a = new MixPlanner(fixture.Dataset, recipe, seed: 3);
        var b = new MixPlanner(MixDataset.Load(fixture.Root), recipe, seed: 3);
        var forward = Enumerable.Range(0, 50).Select(i => a.Plan(2, i).ToJson()).ToList();
        var backward = Enumerable.Range(0, 50).Reverse().Select(i => b.Plan(2, i).ToJson()).Reverse().ToList();
        Assert.Equal(forward, backward);
        Assert.NotEqual(a.Plan(2, 0).ToJson(), a.Plan(3, 0).ToJson());
        Assert.NotEqual(a.Plan(2, 0).ToJson(), new MixPlanner(fixture.Dataset, recipe, seed: 4).Plan(2, 0).ToJson());
        Assert.Equal(a.Plan(1, 5).ToJson(), a.PlanItem(recipe.EpochSize + 5).ToJson());
    }

    [Fact]
    public void Bsrnn_chunks_lie_inside_salient_segments_of_train_songs_each_from_a_random_song()
    {
        var recipe = MixFixture.Recipe("bsrnn", chunkSeconds: 3);
        var planner = new MixPlanner(fixture.Dataset, recipe, seed: 5);
        var chunk = planner.ChunkFrames;
        var songsSeen = new HashSet<string>();
        var mixedSongs = 0;
        for (var i = 0; i < 300; i++)
        {
            var plan = planner.PlanItem(i);
            Assert.Equal(4, plan.Sources.Count);
            Assert.Equal(["vocal", "percussion", "bass", "other"], plan.Targets.Select(t => t.Name));
            foreach (var (s, t) in plan.Sources.Select((s, t) => (s, t)))
            {
                Assert.Equal(recipe.Targets![t], s.Node);
                Assert.Equal("train", fixture.Dataset.Song(s.SongId)!.Split);
                songsSeen.Add(s.SongId);
                var inside = fixture.Dataset.Segments.Any(g => g.Salient && g.SongId == s.SongId && g.Level == 2 && g.Name == s.Node && g.Method == "bsrnn"
                    && s.StartFrame >= Math.Round(g.StartSeconds * 8000) && s.StartFrame + chunk <= Math.Round(g.EndSeconds * 8000));
                Assert.True(inside, $"item {i}: {s.SongId} {s.Node} chunk at {s.StartFrame} is not inside a salient segment");
            }

            mixedSongs += plan.Sources.Select(s => s.SongId).Distinct().Count() > 1 ? 1 : 0;
        }

        Assert.DoesNotContain("Eve - Six", songsSeen); // test split
        Assert.True(mixedSongs > 200, "cross-song remix 1.0: stems of an item come from different songs");
    }

    [Fact]
    public void Coherent_items_keep_one_song_time_aligned_and_remix_follows_its_probability()
    {
        var recipe = MixFixture.Recipe("rms") with { Augment = new MixAugmentOptions { CrossSongRemix = 0.3 } };
        var planner = new MixPlanner(fixture.Dataset, recipe, seed: 9);
        var coherent = 0;
        const int n = 3000;
        for (var i = 0; i < n; i++)
        {
            var plan = planner.PlanItem(i);
            var songs = plan.Sources.Select(s => s.SongId).Distinct().ToList();
            var starts = plan.Sources.Select(s => s.StartFrame).Distinct().ToList();
            if (plan.Sources.Count < 4)
            {
                // only a coherent item leaves targets silent (its song lacks those stems)
                Assert.Single(songs);
                Assert.Single(starts);
            }

            coherent += songs.Count == 1 && starts.Count == 1 ? 1 : 0;
        }

        // a remixed item lands on one song with aligned starts only by a tiny chance
        Assert.InRange(coherent / (double)n, 0.7 - 0.035, 0.7 + 0.035);
    }

    [Fact]
    public void Hierarchical_targets_follow_the_leaf_path_where_the_leaf_is_salient()
    {
        var planner = new MixPlanner(fixture.Dataset, MixFixture.Recipe("hierarchical", chunkSeconds: 10), seed: 2);
        Assert.Equal(["instrument", "stem", "mix"], planner.TargetNames);
        var leaves = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var plan = planner.PlanItem(i);
            var leaf = plan.Leaf!;
            leaves.Add(leaf);
            var path = planner.Hierarchy!.PathOf(planner.Hierarchy.LabelsUnder(1, leaf)[0]).Skip(1).ToList();
            Assert.Equal(path, plan.Targets.Select(t => t.Name));
            Assert.Equal([1, 2, 3], plan.Targets.Select(t => t.Level));

            // level-1 target is the leaf alone; each level contains the one below; every source is a level-1 stem of the song
            var leafIndex = plan.Sources.ToList().FindIndex(s => s.Node == leaf);
            Assert.Equal([leafIndex], plan.Targets[0].Sources);
            Assert.Subset(plan.Targets[1].Sources.ToHashSet(), plan.Targets[0].Sources.ToHashSet());
            Assert.Subset(plan.Targets[2].Sources.ToHashSet(), plan.Targets[1].Sources.ToHashSet());
            Assert.All(plan.Sources, s => Assert.Equal(1, s.Level));
            Assert.False(plan.Sources[leafIndex].Dropped);

            var leafSource = plan.Sources[leafIndex];
            var salient = fixture.Dataset.Saliency.Any(f => f.Salient && f.SongId == leafSource.SongId && f.Level == 1 && f.Node == leaf
                && leafSource.StartFrame >= Math.Round(f.StartSeconds * 8000) && leafSource.StartFrame + plan.Frames <= Math.Round(f.EndSeconds * 8000));
            Assert.True(salient, $"item {i}: leaf {leaf} of {leafSource.SongId} at {leafSource.StartFrame} is not in a salient saliency frame");
        }

        Assert.True(leaves.Count >= 6, $"leaves drawn: {string.Join(", ", leaves)}");
    }

    [Fact]
    public void Hierarchical_cross_song_remix_keeps_the_leaf_and_replaces_the_other_stems_by_the_same_nodes_of_other_songs()
    {
        var recipe = MixFixture.Recipe("hierarchical", chunkSeconds: 4) with { Augment = new MixAugmentOptions { CrossSongRemix = 1, Dropout = 0.5 } };
        var planner = new MixPlanner(fixture.Dataset, recipe, seed: 6);
        var mixed = 0;
        for (var i = 0; i < 200; i++)
        {
            var plan = planner.PlanItem(i);
            var leaf = plan.Sources.Single(s => s.Node == plan.Leaf);
            Assert.False(leaf.Dropped);
            Assert.Equal(plan.Sources.Count, plan.Sources.Select(s => s.Node).Distinct().Count());
            Assert.All(plan.Sources, s => Assert.NotNull(fixture.Dataset.Stem(s.SongId, 1, s.Node)));
            mixed += plan.Sources.Select(s => s.SongId).Distinct().Count() > 1 ? 1 : 0;
        }

        Assert.True(mixed > 150, $"{mixed} of 200 items mix songs");
    }

    [Fact]
    public void Mixit_mixes_distinct_songs_and_targets_each_mixture()
    {
        var planner = new MixPlanner(fixture.Dataset, MixFixture.Recipe("mixit", chunkSeconds: 2), seed: 1);
        for (var i = 0; i < 200; i++)
        {
            var plan = planner.PlanItem(i);
            Assert.Equal(2, plan.Sources.Count);
            Assert.All(plan.Sources, s => Assert.Equal("mix", s.Kind));
            Assert.NotEqual(plan.Sources[0].SongId, plan.Sources[1].SongId);
            Assert.Equal([[0], [1]], plan.Targets.Select(t => t.Sources.ToArray()));
        }
    }

    [Fact]
    public void Swap_flip_and_shift_follow_their_probabilities_and_do_not_move_other_draws()
    {
        var plain = MixFixture.Recipe("bsrnn");
        var augmented = plain with { Augment = plain.Augment with { ChannelSwap = 0.5, PolarityFlip = 0.25, TimeShiftSeconds = 0.5 } };
        var a = new MixPlanner(fixture.Dataset, plain, seed: 21);
        var b = new MixPlanner(fixture.Dataset, augmented, seed: 21);
        var sa = Enumerable.Range(0, 2000).SelectMany(i => a.PlanItem(i).Sources).ToList();
        var sb = Enumerable.Range(0, 2000).SelectMany(i => b.PlanItem(i).Sources).ToList();
        Assert.Equal(sa.Select(s => (s.SongId, s.GainDb, s.Dropped)), sb.Select(s => (s.SongId, s.GainDb, s.Dropped)));
        Assert.InRange(sb.Count(s => s.SwapChannels) / (double)sb.Count, 0.47, 0.53);
        Assert.InRange(sb.Count(s => s.FlipPolarity) / (double)sb.Count, 0.22, 0.28);
        Assert.All(sb, s => Assert.InRange(s.ShiftFrames, -4000, 4000));
        Assert.True(sb.Count(s => s.ShiftFrames != 0) > sb.Count / 2);
        Assert.All(sa, s => Assert.False(s.SwapChannels || s.FlipPolarity || s.ShiftFrames != 0));
    }

    [Fact]
    public void Plans_round_trip_through_json_and_match_their_schema()
    {
        var planner = new MixPlanner(fixture.Dataset, MixFixture.Recipe("hierarchical", 10), seed: 1);
        var schema = SchemaValidatedConfig.Schema("mix-plan.schema.json");
        for (var i = 0; i < 20; i++)
        {
            var plan = planner.PlanItem(i);
            var json = plan.ToJson();
            Assert.DoesNotContain('\n', json);
            Assert.Equal(json, MixPlan.FromJson(json).ToJson());
            using var doc = JsonDocument.Parse(json);
            Assert.True(schema.Evaluate(doc.RootElement).IsValid, json);
        }
    }

    [Fact]
    public void Row_order_of_the_manifests_does_not_change_plans()
    {
        using var copy = new TestSupport.TempDir();
        foreach (var file in Directory.GetFiles(fixture.Root, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy.Path, Path.GetRelativePath(fixture.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (file.EndsWith(".csv", StringComparison.Ordinal))
            {
                var lines = File.ReadAllLines(file);
                File.WriteAllLines(target, [lines[0], .. lines.Skip(1).Reverse()]);
            }
            else
            {
                File.Copy(file, target);
            }
        }

        var recipe = MixFixture.Recipe("bsrnn");
        var a = new MixPlanner(fixture.Dataset, recipe, 1);
        var b = new MixPlanner(MixDataset.Load(copy.Path), recipe, 1);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(a.PlanItem(i).ToJson(), b.PlanItem(i).ToJson());
        }
    }

    [Fact]
    public void A_target_the_dataset_lacks_is_refused_with_the_nodes_it_has()
    {
        var recipe = MixFixture.Recipe("bsrnn") with { Targets = ["vocals", "drums"] };
        var e = Assert.Throws<InvalidOperationException>(() => new MixPlanner(fixture.Dataset, recipe, 1));
        Assert.Contains("'vocals'", e.Message, StringComparison.Ordinal);
        Assert.Contains("percussion", e.Message, StringComparison.Ordinal);
    }
}
