using DatasetForge.Hierarchy;
using DatasetForge.Loudness;

namespace DatasetForge.Render;

/// <summary>
/// The stems one song has: a node per hierarchy node with at least one mixed track below it, at every level, plus
/// the mixture. Each node holds a raw block (the plain sum of its tracks, before any gain) and a final block (what
/// is written). A node of an <see cref="IsIndependent"/> level is its raw sum times its own gain; any other node is
/// the sum of its children's final blocks; the mixture is the sum of the final blocks of <see cref="MixLevel"/>.
/// All per-sample work of the render is in <see cref="ComputeFinal"/> and the level-1 fill, one block at a time.
/// </summary>
internal sealed class StemGraph
{
    private StemGraph(List<StemGraphNode> nodes, StemGraphNode mixture, int depth, int mixLevel, int channels)
    {
        Nodes = nodes;
        Mixture = mixture;
        Depth = depth;
        MixLevel = mixLevel;
        Channels = channels;
    }

    /// <summary>Every stem node, level 1 first (hierarchy order within a level).</summary>
    public IReadOnlyList<StemGraphNode> Nodes { get; }

    public StemGraphNode Mixture { get; }

    public int Depth { get; }

    /// <summary>The highest level whose stems are normalized on their own; the mixture sums this level.</summary>
    public int MixLevel { get; }

    public int Channels { get; }

    public IEnumerable<StemGraphNode> Level(int level) => Nodes.Where(n => n.Level == level);

    /// <summary>Outputs in writing order: stems, then the mixture.</summary>
    public IEnumerable<StemGraphNode> Outputs => Nodes.Append(Mixture);

    public bool IsIndependent(int level) => level <= MixLevel;

    /// <param name="trackInstruments">level-1 node of each mixed track (index = track stream index)</param>
    public static StemGraph Build(HierarchyDefinition hierarchy, IReadOnlyList<string> trackInstruments, RenderMode mode, int channels, int blockFrames)
    {
        var mixLevel = mode == RenderMode.Ms21 ? Math.Min(2, hierarchy.Depth) : 1;
        var nodes = new List<StemGraphNode>();
        var below = new List<StemGraphNode>();
        foreach (var h in hierarchy.NodesAt(1))
        {
            var tracks = Enumerable.Range(0, trackInstruments.Count).Where(i => trackInstruments[i] == h.Name).ToList();
            if (tracks.Count > 0)
            {
                below.Add(new StemGraphNode(1, h.Name, h.Normalization, [], tracks, channels, blockFrames, independent: true));
            }
        }

        nodes.AddRange(below);
        for (var level = 2; level <= hierarchy.Depth; level++)
        {
            var current = new List<StemGraphNode>();
            foreach (var h in hierarchy.NodesAt(level))
            {
                var children = below.Where(b => h.Children.Contains(b.Name)).ToList();
                if (children.Count > 0)
                {
                    current.Add(new StemGraphNode(level, h.Name, h.Normalization, children, children.SelectMany(c => c.Tracks).ToList(), channels, blockFrames, level <= mixLevel));
                }
            }

            nodes.AddRange(current);
            below = current;
        }

        var mixChildren = nodes.Where(n => n.Level == mixLevel).ToList();
        var mixture = new StemGraphNode(0, "mix", StemNormalization.Loudness, mixChildren, mixChildren.SelectMany(c => c.Tracks).ToList(), channels, blockFrames, independent: false);
        return new StemGraph(nodes, mixture, hierarchy.Depth, mixLevel, channels);
    }

    /// <summary>Raw blocks of levels 2 and up and of the mixture from the level-1 raw blocks (frames [0, count)).</summary>
    public void ComputeRawSums(int count)
    {
        foreach (var node in Nodes.Where(n => n.Level >= 2))
        {
            node.SumRawOfChildren(count);
        }

        // The mixture's raw sum is that of every level-1 stem (all the mixed tracks, no gain).
        Mixture.ClearRaw(count);
        foreach (var l1 in Level(1))
        {
            Mixture.AddRaw(l1, count);
        }
    }

    /// <summary>Final blocks of every node and the mixture from the raw blocks and the gains of the independent nodes.</summary>
    public void ComputeFinal(int count)
    {
        foreach (var node in Nodes)
        {
            if (IsIndependent(node.Level))
            {
                node.ScaleRawToFinal(count);
            }
            else
            {
                node.SumFinalOfChildren(count);
            }
        }

        Mixture.SumFinalOfChildren(count);
    }
}

/// <summary>One stem (or the mixture, level 0) of a song's <see cref="StemGraph"/>: its blocks, gain and measurements.</summary>
internal sealed class StemGraphNode
{
    public StemGraphNode(int level, string name, StemNormalization normalization, List<StemGraphNode> children, List<int> tracks, int channels, int blockFrames, bool independent)
    {
        Level = level;
        Name = name;
        Normalization = normalization;
        Children = children;
        Tracks = tracks;
        Independent = independent;
        Raw = Planar(channels, blockFrames);
        Final = Planar(channels, blockFrames);
    }

    /// <summary>1.. for stems, 0 for the mixture.</summary>
    public int Level { get; }

    public string Name { get; }

    /// <summary>The hierarchy's normalization for this node (used only when <see cref="Independent"/>).</summary>
    public StemNormalization Normalization { get; }

    public List<StemGraphNode> Children { get; }

    /// <summary>Indices of the mixed track streams below this node.</summary>
    public List<int> Tracks { get; }

    /// <summary>Normalized on its own (its final block = raw sum x gain) rather than a sum of its children.</summary>
    public bool Independent { get; }

    public float[][] Raw { get; }

    public float[][] Final { get; }

    /// <summary>Normalization gain (dB) of an independent node; 0 for sums.</summary>
    public double GainDb { get; set; }

    /// <summary>ok, silent or too_short.</summary>
    public string Status { get; set; } = "ok";

    /// <summary>Linear factor applied to the raw block in the pass being computed (normalization x common gain).</summary>
    public float AppliedGain { get; set; } = 1f;

    public LoudnessMeter? RawMeter { get; set; }

    public double RawPeak { get; set; }

    public double FinalPeak { get; set; }

    public string RawRecipe { get; set; } = string.Empty;

    public string FinalRecipe { get; set; } = string.Empty;

    public string NormalizationName => Independent ? (Normalization == StemNormalization.Peak ? "peak" : "loudness") : "none";

    public void ClearRaw(int count)
    {
        foreach (var c in Raw)
        {
            Array.Clear(c, 0, count);
        }
    }

    public void AddRaw(StemGraphNode other, int count)
    {
        for (var c = 0; c < Raw.Length; c++)
        {
            var dst = Raw[c].AsSpan(0, count);
            System.Numerics.Tensors.TensorPrimitives.Add(dst, other.Raw[c].AsSpan(0, count), dst);
        }
    }

    public void SumRawOfChildren(int count)
    {
        ClearRaw(count);
        foreach (var child in Children)
        {
            AddRaw(child, count);
        }
    }

    public void ScaleRawToFinal(int count)
    {
        for (var c = 0; c < Raw.Length; c++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(Raw[c].AsSpan(0, count), AppliedGain, Final[c].AsSpan(0, count));
        }
    }

    public void SumFinalOfChildren(int count)
    {
        for (var c = 0; c < Final.Length; c++)
        {
            var dst = Final[c].AsSpan(0, count);
            dst.Clear();
            foreach (var child in Children)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(dst, child.Final[c].AsSpan(0, count), dst);
            }
        }
    }

    public static double PeakOf(float[][] block, int count)
    {
        var peak = 0f;
        foreach (var c in block)
        {
            peak = Math.Max(peak, Dsp.Levels.SamplePeak(c.AsSpan(0, count)));
        }

        return peak;
    }

    private static float[][] Planar(int channels, int frames)
    {
        var result = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            result[c] = new float[frames];
        }

        return result;
    }
}
