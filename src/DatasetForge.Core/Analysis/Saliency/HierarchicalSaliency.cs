using DatasetForge.Hierarchy;

namespace DatasetForge.Analysis.Saliency;

/// <summary>One frame of one node's submix: its RMS over all channels (dBFS) and whether it is salient.</summary>
public readonly record struct SaliencyFrame(int Level, string Node, int Frame, double StartSeconds, double EndSeconds, double RmsDb, bool Salient);

/// <summary>A raw track feeding the level-1 node of its label (used when that node has no rendered stem).</summary>
public sealed record SaliencyLeaf(string Label, IBlockSource Source);

/// <summary>
/// Hierarchical saliency (Manilow et al. 2020; MS21): for every node of every level of the hierarchy that has audio in
/// the song, the submix in frames of 10 s with a 2.5 s hop (only whole frames; one frame of the whole song when it is
/// shorter), salient when its RMS over all channels is above -30 dBFS. A node's submix is its rendered stem when
/// there is one, else the sum of its children (level 1: of the raw tracks whose label it groups; excluded labels never
/// enter a sum). Streams the sources in blocks: memory does not grow with the song's length.
/// </summary>
public static class HierarchicalSaliency
{
    private const int BlockFrames = 1 << 16;

    public static IReadOnlyList<SaliencyFrame> Compute(
        HierarchyDefinition hierarchy,
        int sampleRate,
        long frames,
        IReadOnlyDictionary<(int Level, string Node), IBlockSource> stems,
        IReadOnlyList<SaliencyLeaf> leaves,
        SaliencyOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        ArgumentNullException.ThrowIfNull(stems);
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentNullException.ThrowIfNull(options);

        // What each node is made of: a stem, or its contributors one level down (raw tracks at level 1).
        var plan = new Dictionary<(int, string), NodePlan>();
        NodePlan? Build(int level, string node)
        {
            if (plan.TryGetValue((level, node), out var known))
            {
                return known;
            }

            NodePlan? result = null;
            if (stems.TryGetValue((level, node), out var stem))
            {
                result = new NodePlan(level, node, stem, [], stem.Channels);
            }
            else if (level == 1)
            {
                var mine = leaves.Where(l => !hierarchy.IsExcluded(l.Label) && hierarchy.InstrumentOf(l.Label) == node).Select(l => l.Source).ToList();
                if (mine.Count > 0)
                {
                    result = new NodePlan(level, node, null, mine.Select(m => new NodePlan(0, node, m, [], m.Channels)).ToList(), mine.Max(m => m.Channels));
                }
            }
            else
            {
                var children = hierarchy.NodesAt(level).First(n => n.Name == node).Children
                    .Select(c => Build(level - 1, c)).Where(c => c is not null).Select(c => c!).ToList();
                if (children.Count > 0)
                {
                    result = new NodePlan(level, node, null, children, children.Max(c => c.Channels));
                }
            }

            if (result is not null)
            {
                plan[(level, node)] = result;
            }

            return result;
        }

        var nodes = new List<NodePlan>();
        for (var level = 1; level <= hierarchy.Depth; level++)
        {
            foreach (var n in hierarchy.NodesAt(level))
            {
                if (Build(level, n.Name) is { } p)
                {
                    nodes.Add(p);
                }
            }
        }

        var frameLength = (long)Math.Round(options.FrameSeconds * sampleRate);
        var hop = (long)Math.Round(options.HopSeconds * sampleRate);
        var grid = Gcd(frameLength, hop);
        var bins = (int)((frames + grid - 1) / grid);
        var sums = new Dictionary<NodePlan, double[]>(ReferenceEqualityComparer.Instance);
        foreach (var node in nodes)
        {
            sums[node] = new double[Math.Max(bins, 1)];
        }

        // Stream: each block, every node's signal (memoized per block), squared into grid bins.
        for (long start = 0; start < frames; start += BlockFrames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = (int)Math.Min(BlockFrames, frames - start);
            var cache = new Dictionary<NodePlan, float[][]>(ReferenceEqualityComparer.Instance);
            foreach (var node in nodes)
            {
                var signal = Signal(node, start, count, cache);
                var target = sums[node];
                for (var c = 0; c < signal.Length; c++)
                {
                    var x = signal[c];
                    var i = 0;
                    while (i < count)
                    {
                        var absolute = start + i;
                        var bin = (int)(absolute / grid);
                        var end = (int)Math.Min(count, ((bin + 1) * grid) - start);
                        target[bin] += Dsp.Levels.SumOfSquares(x.AsSpan(i, end - i));
                        i = end;
                    }
                }
            }
        }

        var result = new List<SaliencyFrame>();
        var frameCount = frames >= frameLength ? 1 + (int)((frames - frameLength) / hop) : (frames > 0 ? 1 : 0);
        foreach (var node in nodes)
        {
            var binSums = sums[node];
            for (var k = 0; k < frameCount; k++)
            {
                var a = k * hop;
                var b = Math.Min(frames, a + frameLength);
                double sum = 0;
                for (var bin = (int)(a / grid); bin < (int)((b + grid - 1) / grid); bin++)
                {
                    sum += binSums[bin];
                }

                var meanSquare = sum / ((b - a) * (double)node.Channels);
                var db = Dsp.Levels.PowerToDb(meanSquare);
                db = double.IsNegativeInfinity(db) ? Dsp.Levels.FloorDb : db;
                result.Add(new SaliencyFrame(node.Level, node.Node, k, (double)a / sampleRate, (double)b / sampleRate, db, db > options.ThresholdDbfs));
            }
        }

        return result;
    }

    private static float[][] Signal(NodePlan node, long start, int count, Dictionary<NodePlan, float[][]> cache)
    {
        if (cache.TryGetValue(node, out var known))
        {
            return known;
        }

        var buffer = Enumerable.Range(0, node.Channels).Select(_ => new float[count]).ToArray();
        if (node.Source is not null)
        {
            node.Source.AddInto(start, count, buffer);
        }
        else
        {
            foreach (var child in node.Children)
            {
                var signal = Signal(child, start, count, cache);
                for (var c = 0; c < buffer.Length; c++)
                {
                    var src = signal[signal.Length == 1 ? 0 : Math.Min(c, signal.Length - 1)];
                    System.Numerics.Tensors.TensorPrimitives.Add(buffer[c], src, buffer[c]);
                }
            }
        }

        cache[node] = buffer;
        return buffer;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return Math.Max(1, a);
    }

    private sealed class NodePlan(int level, string node, IBlockSource? source, IReadOnlyList<NodePlan> children, int channels)
    {
        public int Level => level;

        public string Node => node;

        public IBlockSource? Source => source;

        public IReadOnlyList<NodePlan> Children => children;

        public int Channels => channels;
    }
}
