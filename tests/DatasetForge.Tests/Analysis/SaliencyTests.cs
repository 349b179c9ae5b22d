using DatasetForge.Analysis;
using DatasetForge.Analysis.Saliency;
using DatasetForge.Hierarchy;

namespace DatasetForge.Tests.Analysis;

public sealed class SaliencyTests
{
    private const int Rate = 1000;

    private static float[] Level(double seconds, double rmsDb, double start = 0, double total = 30)
    {
        var x = new float[(int)(total * Rate)];
        var a = (float)Math.Pow(10, rmsDb / 20);
        for (var i = (int)(start * Rate); i < (int)((start + seconds) * Rate); i++)
        {
            x[i] = i % 2 == 0 ? a : -a;
        }

        return x;
    }

    private static Dictionary<(int, string), SaliencyFrame> ByKey(IEnumerable<SaliencyFrame> frames, int frame) =>
        frames.Where(f => f.Frame == frame).ToDictionary(f => (f.Level, f.Node));

    [Fact]
    public void Every_node_of_every_level_gets_frames_of_its_submix()
    {
        var tree = HierarchyDefinition.Load("ms21");
        var vocal = Level(10, -20); // 0-10 s at -20 dBFS, then silence
        var kick = Level(30, -40);
        var frames = HierarchicalSaliency.Compute(tree, Rate, 30 * Rate, new Dictionary<(int, string), IBlockSource>(),
            [new SaliencyLeaf("Lead_Vocal", new ArrayBlockSource([vocal])), new SaliencyLeaf("Drum_Kick", new ArrayBlockSource([kick])),
                new SaliencyLeaf("Ambient_Microphone", new ArrayBlockSource([Level(30, 0)]))], new SaliencyOptions());

        // 10 s frames, 2.5 s hop: starts 0, 2.5, ..., 20 -> 9 frames per node.
        var nodes = frames.Select(f => (f.Level, f.Node)).Distinct().ToList();
        Assert.Equal([(1, "lead_vocal"), (1, "drum_set"), (2, "vocal"), (2, "percussion"), (3, "vocal"), (3, "accompaniment")], nodes);
        Assert.All(nodes, n => Assert.Equal(9, frames.Count(f => (f.Level, f.Node) == n)));
        Assert.Equal(20, frames.Max(f => f.StartSeconds));

        // Vocal: frame 0 all -20 dB; frame 3 [7.5, 17.5) holds 2.5 s of it: -20 + 10 log10(0.25) = -26.0 (salient);
        // frame 4 [10, 20) silent (-200). The kit at -40 dB is never salient at -30; the mix node follows its children.
        var f0 = ByKey(frames, 0);
        Assert.Equal(-20, f0[(1, "lead_vocal")].RmsDb, 3);
        Assert.True(f0[(1, "lead_vocal")].Salient);
        Assert.Equal(-26.02, ByKey(frames, 3)[(1, "lead_vocal")].RmsDb, 2);
        Assert.True(ByKey(frames, 3)[(3, "vocal")].Salient);
        Assert.Equal(-200, ByKey(frames, 4)[(2, "vocal")].RmsDb);
        Assert.False(ByKey(frames, 4)[(2, "vocal")].Salient);
        Assert.All(frames.Where(f => f.Node is "drum_set" or "percussion" or "accompaniment"), f =>
        {
            Assert.Equal(-40, f.RmsDb, 3);
            Assert.False(f.Salient);
        });
    }

    [Fact]
    public void Children_are_summed_as_signals_not_as_levels()
    {
        var tree = HierarchyDefinition.Load("ms21");
        var a = Level(30, -34);
        var frames = HierarchicalSaliency.Compute(tree, Rate, 30 * Rate, new Dictionary<(int, string), IBlockSource>(),
            [new SaliencyLeaf("Lead_Vocal", new ArrayBlockSource([a])), new SaliencyLeaf("Lead_Vocal", new ArrayBlockSource([a]))], new SaliencyOptions());

        // Two identical -34 dB tracks add coherently to -27.98 dB: above -30 though each alone is below.
        var f = ByKey(frames, 0)[(1, "lead_vocal")];
        Assert.Equal(-34 + (20 * Math.Log10(2)), f.RmsDb, 2);
        Assert.True(f.Salient);
    }

    [Fact]
    public void A_rendered_stem_is_used_for_its_node_and_the_threshold_is_configurable()
    {
        var tree = HierarchyDefinition.Load("ms21");
        var stems = new Dictionary<(int, string), IBlockSource>
        {
            [(1, "bass")] = new ArrayBlockSource([Level(30, -35), Level(30, -35)]),
            [(2, "bass")] = new ArrayBlockSource([Level(30, -25)]),
        };
        var frames = HierarchicalSaliency.Compute(tree, Rate, 30 * Rate, stems, [new SaliencyLeaf("Electric_Bass", new ArrayBlockSource([Level(30, 0)]))],
            new SaliencyOptions { ThresholdDbfs = -36, FrameSeconds = 5, HopSeconds = 5 });
        var f = ByKey(frames, 0);
        Assert.Equal(-35, f[(1, "bass")].RmsDb, 3);   // the stem, not the 0 dB raw track
        Assert.Equal(-25, f[(2, "bass")].RmsDb, 3);   // its own stem (ms21 mode normalizes levels separately)
        Assert.Equal(-25, f[(3, "accompaniment")].RmsDb, 3); // no stem: the sum of its children
        Assert.True(f[(1, "bass")].Salient);
        Assert.Equal(6, frames.Count(x => (x.Level, x.Node) == (1, "bass")));
    }

    [Fact]
    public void A_song_shorter_than_a_frame_has_one_frame()
    {
        var tree = HierarchyDefinition.Load("ms21");
        var frames = HierarchicalSaliency.Compute(tree, Rate, 4 * Rate, new Dictionary<(int, string), IBlockSource>(),
            [new SaliencyLeaf("Piano", new ArrayBlockSource([Level(4, -10, 0, 4)]))], new SaliencyOptions());
        var first = frames.First(x => x.Node == "pianos");
        Assert.Equal((0, 0.0, 4.0), (first.Frame, first.StartSeconds, first.EndSeconds));
        Assert.Equal(-10, first.RmsDb, 3);
    }
}
