using DatasetForge.Common;
using DatasetForge.Hierarchy;

namespace DatasetForge.Mixing;

/// <summary>
/// Turns (recipe, dataset, seed, epoch, index) into a <see cref="MixPlan"/> without reading audio. Candidate
/// chunks are indexed once at construction (per target node: the songs that have a usable stem and their
/// salient ranges); <see cref="Plan"/> is then a pure function of (epoch, index), thread-safe and cheap.
/// Two independent counter-based generators per item: one chooses songs and offsets, the other draws the
/// augmentations (a fixed number of draws per source), so toggling an augmentation does not move the choice of
/// songs and the other draws.
/// </summary>
public sealed class MixPlanner
{
    private const ulong AugmentStream = 0xA5A5_5A5A_C3C3_3C3CUL;

    private readonly MixDataset dataset;
    private readonly MixRecipe recipe;
    private readonly ulong seed;
    private readonly List<QuarantineRecord> issues = [];

    // stems/mixit: one pool per target (mixit: one pool of song mixtures).
    private readonly List<Pool> targetPools = [];

    // hierarchical: one pool per drawable leaf, every usable level-1 stem of each song, and the ancestors of each level-1 node.
    private readonly List<(string Leaf, Pool Pool)> leafPools = [];
    private readonly Dictionary<string, List<Candidate>> levelOneStemsBySong = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pool> levelOneNodePools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> pathOfNode = new(StringComparer.Ordinal);

    // stems, coherent items: the songs that have at least one target with a range, and each song's stem per target.
    private readonly List<string> coherentSongs = [];

    public MixPlanner(MixDataset dataset, MixRecipe recipe, ulong seed)
    {
        this.dataset = dataset;
        this.recipe = recipe;
        this.seed = seed;
        var songs = dataset.Songs.Where(s => recipe.Split == "all" || s.Split == recipe.Split).ToList();
        if (songs.Count == 0)
        {
            throw new InvalidOperationException($"{recipe.Origin}: split '{recipe.Split}' of {dataset.Root} has no songs" +
                (dataset.HasSplits ? string.Empty : " (splits.csv is missing: every song counts as train)"));
        }

        SampleRate = recipe.SampleRate ?? songs.GroupBy(s => s.SampleRate).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
        Channels = recipe.Channels;
        ChunkFrames = (int)Math.Round(recipe.ChunkSeconds * SampleRate);
        if (ChunkFrames < 1)
        {
            throw new InvalidOperationException($"{recipe.Origin}: chunk_seconds {recipe.ChunkSeconds} is less than one frame at {SampleRate} Hz");
        }

        var inSplit = songs.Select(s => s.SongId).ToHashSet(StringComparer.Ordinal);
        switch (recipe.Kind)
        {
            case MixKind.Stems:
                BuildStemPools(inSplit);
                TargetNames = recipe.Targets!.ToList();
                break;
            case MixKind.Hierarchical:
                Hierarchy = HierarchyDefinition.Load(recipe.Hierarchy);
                BuildHierarchicalPools(inSplit);
                TargetNames = Hierarchy.Levels.Select(l => l.Name).ToList();
                break;
            case MixKind.Mixit:
                BuildMixturePool(songs);
                TargetNames = Enumerable.Range(1, recipe.Mixtures).Select(i => $"mix{i}").ToList();
                break;
            default:
                throw new InvalidOperationException($"unknown recipe kind {recipe.Kind}");
        }
    }

    public MixRecipe Recipe => recipe;

    public MixDataset Dataset => dataset;

    public ulong Seed => seed;

    public int SampleRate { get; }

    public int Channels { get; }

    public int ChunkFrames { get; }

    /// <summary>The recipe's target names: target nodes (stems), level names (hierarchical), mix1..mixN (mixit).</summary>
    public IReadOnlyList<string> TargetNames { get; } = [];

    public int TargetCount => TargetNames.Count;

    /// <summary>The hierarchy of a hierarchical recipe.</summary>
    public HierarchyDefinition? Hierarchy { get; }

    /// <summary>Stems left out for this recipe (other sample rate, unsupported channel count, unknown node).</summary>
    public IReadOnlyList<QuarantineRecord> Issues => issues;

    /// <summary>The plan of item <paramref name="item"/> of the stream: (epoch, index) = (item / epoch_size, item % epoch_size).</summary>
    public MixPlan PlanItem(long item) => Plan(item / recipe.EpochSize, item % recipe.EpochSize);

    public MixPlan Plan(long epoch, long index)
    {
        var select = MixRandom.ForItem(seed, epoch, index);
        var augment = MixRandom.ForItem(seed ^ AugmentStream, epoch, index);
        var remix = select.Chance(recipe.Augment.CrossSongRemix);
        List<SourcePlan> sources = [];
        List<TargetPlan> targets = [];
        string? leaf = null;
        switch (recipe.Kind)
        {
            case MixKind.Stems:
                PlanStems(ref select, remix, sources, targets);
                break;
            case MixKind.Hierarchical:
                leaf = PlanHierarchical(ref select, remix, sources, targets);
                break;
            case MixKind.Mixit:
                PlanMixit(ref select, sources, targets);
                break;
        }

        for (var i = 0; i < sources.Count; i++)
        {
            sources[i] = Augment(ref augment, sources[i], protect: leaf is not null && sources[i].Node == leaf);
        }

        return new MixPlan(recipe.Name, seed, epoch, index, SampleRate, Channels, ChunkFrames, recipe.Normalize.Mode, recipe.Normalize.RmsDb,
            recipe.Normalize.SilenceDb, recipe.Rescale, leaf, sources, targets);
    }

    private SourcePlan Augment(ref MixRandom rng, SourcePlan source, bool protect)
    {
        var a = recipe.Augment;
        var u = rng.NextDouble();
        var gain = a.GainDb is { } range ? range[0] + ((range[1] - range[0]) * u) : 0;
        var dropped = rng.Chance(a.Dropout) && !protect;
        var swap = rng.Chance(a.ChannelSwap) && Channels == 2;
        var flip = rng.Chance(a.PolarityFlip);
        var shiftDraw = rng.Uniform(-a.TimeShiftSeconds, a.TimeShiftSeconds);
        var start = source.StartFrame;
        if (a.TimeShiftSeconds > 0)
        {
            var frames = FramesOf(source);
            start = Math.Clamp(start + (long)Math.Round(shiftDraw * SampleRate), 0, Math.Max(0, frames - ChunkFrames));
        }

        return source with
        {
            GainDb = gain,
            Dropped = dropped,
            SwapChannels = swap,
            FlipPolarity = flip,
            StartFrame = start,
            ShiftFrames = start - source.StartFrame,
        };
    }

    private long FramesOf(SourcePlan source) =>
        source.Kind == "mix" ? dataset.Song(source.SongId)!.Frames : dataset.Stem(source.SongId, source.Level, source.Node)!.Frames;

    private void PlanStems(ref MixRandom rng, bool remix, List<SourcePlan> sources, List<TargetPlan> targets)
    {
        if (remix)
        {
            foreach (var (pool, t) in targetPools.Select((p, t) => (p, t)))
            {
                var candidate = pool.PickSong(ref rng);
                var start = ChunkStart(ref rng, candidate);
                targets.Add(new TargetPlan(TargetNames[t], recipe.Level!.Value, [sources.Count]));
                sources.Add(Source(candidate, start));
            }

            return;
        }

        // One song, time-aligned: an anchor target that has a range in the song fixes the offset for all of them.
        var song = coherentSongs[rng.NextInt(coherentSongs.Count)];
        var anchors = targetPools.Where(p => p.BySong.ContainsKey(song)).ToList();
        var anchor = anchors[rng.NextInt(anchors.Count)].BySong[song];
        var offset = ChunkStart(ref rng, anchor);
        for (var t = 0; t < targetPools.Count; t++)
        {
            var stem = dataset.Stem(song, recipe.Level!.Value, TargetNames[t]);
            if (stem is null || !targetPools[t].Usable.Contains((song, TargetNames[t])))
            {
                targets.Add(new TargetPlan(TargetNames[t], recipe.Level!.Value, []));
                continue;
            }

            targets.Add(new TargetPlan(TargetNames[t], recipe.Level!.Value, [sources.Count]));
            sources.Add(new SourcePlan(song, "stem", stem.Level, stem.Node, stem.Path, Math.Clamp(offset, 0, Math.Max(0, stem.Frames - ChunkFrames)), 0, false, false, false, 0));
        }
    }

    private string PlanHierarchical(ref MixRandom rng, bool remix, List<SourcePlan> sources, List<TargetPlan> targets)
    {
        var (leaf, pool) = leafPools[rng.NextInt(leafPools.Count)];
        var anchor = pool.PickSong(ref rng);
        var offset = ChunkStart(ref rng, anchor);
        foreach (var stem in levelOneStemsBySong[anchor.SongId])
        {
            if (stem.Node == leaf)
            {
                sources.Add(Source(anchor, offset));
            }
            else if (remix && levelOneNodePools.TryGetValue(stem.Node, out var nodePool))
            {
                var other = nodePool.PickSong(ref rng);
                sources.Add(Source(other, ChunkStart(ref rng, other)));
            }
            else
            {
                sources.Add(Source(stem, Math.Clamp(offset, 0, Math.Max(0, stem.Frames - ChunkFrames))));
            }
        }

        var path = pathOfNode[leaf];
        for (var level = 1; level <= path.Length; level++)
        {
            var node = path[level - 1];
            var members = new List<int>();
            for (var i = 0; i < sources.Count; i++)
            {
                if (pathOfNode.TryGetValue(sources[i].Node, out var p) && p.Length >= level && p[level - 1] == node)
                {
                    members.Add(i);
                }
            }

            targets.Add(new TargetPlan(node, level, members));
        }

        return leaf;
    }

    private void PlanMixit(ref MixRandom rng, List<SourcePlan> sources, List<TargetPlan> targets)
    {
        var pool = targetPools[0];
        var chosen = new List<int>(recipe.Mixtures);
        while (chosen.Count < recipe.Mixtures)
        {
            var k = rng.NextInt(pool.Songs.Count);
            if (!chosen.Contains(k))
            {
                chosen.Add(k);
            }
        }

        for (var i = 0; i < chosen.Count; i++)
        {
            var candidate = pool.Songs[chosen[i]];
            targets.Add(new TargetPlan(TargetNames[i], 0, [sources.Count]));
            sources.Add(Source(candidate, ChunkStart(ref rng, candidate)));
        }
    }

    private static SourcePlan Source(Candidate c, long start) => new(c.SongId, c.Kind, c.Level, c.Node, c.Path, start, 0, false, false, false, 0);

    /// <summary>A uniformly random chunk start inside a random range of the candidate; a range shorter than the chunk is centred.</summary>
    private long ChunkStart(ref MixRandom rng, Candidate c)
    {
        var (start, end) = c.Ranges[rng.NextInt(c.Ranges.Count)];
        var maxStart = Math.Max(0, c.Frames - ChunkFrames);
        if (end - start >= ChunkFrames)
        {
            return Math.Min(start + rng.NextLong(end - start - ChunkFrames + 1), maxStart);
        }

        return Math.Clamp(start + ((end - start - ChunkFrames) / 2), 0, maxStart);
    }

    private void BuildStemPools(HashSet<string> inSplit)
    {
        var level = recipe.Level!.Value;
        var atLevel = dataset.Stems.Where(s => s.Level == level && inSplit.Contains(s.SongId) && Usable(s)).ToList();
        foreach (var node in recipe.Targets!)
        {
            var stems = atLevel.Where(s => s.Node == node).ToList();
            if (stems.Count == 0)
            {
                var nodes = dataset.Stems.Where(s => s.Level == level).Select(s => s.Node).Distinct().Order(StringComparer.Ordinal).ToList();
                throw new InvalidOperationException($"{recipe.Origin}: target '{node}' has no usable level-{level} stem in split '{recipe.Split}' of {dataset.Root} " +
                    $"(level-{level} nodes there: {(nodes.Count == 0 ? "none" : string.Join(", ", nodes))})");
            }

            var pool = new Pool(stems.Select(s => Candidate.OfStem(s, RangesOf(s.SongId, s.Level, s.Node, s.Frames))).Where(c => c.Ranges.Count > 0).ToList());
            if (pool.Songs.Count == 0)
            {
                throw new InvalidOperationException($"{recipe.Origin}: target '{node}' (level {level}) has no salient range in {IndexFile()} for split '{recipe.Split}'");
            }

            foreach (var s in stems)
            {
                pool.Usable.Add((s.SongId, s.Node));
            }

            targetPools.Add(pool);
        }

        coherentSongs.AddRange(targetPools.SelectMany(p => p.Songs.Select(c => c.SongId)).Distinct().Order(StringComparer.Ordinal));
    }

    private void BuildHierarchicalPools(HashSet<string> inSplit)
    {
        var tree = Hierarchy!;
        foreach (var node in tree.NodesAt(1))
        {
            if (node.Excluded)
            {
                continue;
            }

            var path = new List<string> { node.Name };
            for (var level = 1; level < tree.Depth; level++)
            {
                var parent = tree.ParentOf(path[^1], level);
                if (parent is null)
                {
                    break;
                }

                path.Add(parent);
            }

            pathOfNode[node.Name] = [.. path];
        }

        foreach (var stem in dataset.Stems.Where(s => s.Level == 1 && inSplit.Contains(s.SongId)))
        {
            if (!pathOfNode.ContainsKey(stem.Node))
            {
                issues.Add(new QuarantineRecord(dataset.FullPath(stem.Path), "mix", $"level-1 node '{stem.Node}' is not a level-1 node of hierarchy '{tree.Name}' (left out)"));
                continue;
            }

            if (!Usable(stem))
            {
                continue;
            }

            if (!levelOneStemsBySong.TryGetValue(stem.SongId, out var list))
            {
                levelOneStemsBySong[stem.SongId] = list = [];
            }

            list.Add(Candidate.OfStem(stem, [(0, stem.Frames)]));
        }

        foreach (var node in pathOfNode.Keys.Order(StringComparer.Ordinal))
        {
            var candidates = levelOneStemsBySong.Values.SelectMany(l => l).Where(c => c.Node == node)
                .Select(c => c with { Ranges = RangesOf(c.SongId, 1, node, c.Frames) }).Where(c => c.Ranges.Count > 0).ToList();
            if (candidates.Count > 0)
            {
                levelOneNodePools[node] = new Pool(candidates);
            }
        }

        var leaves = recipe.Leaves ?? pathOfNode.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var leaf in leaves)
        {
            if (!pathOfNode.ContainsKey(leaf))
            {
                throw new InvalidOperationException($"{recipe.Origin}: leaf '{leaf}' is not a level-1 node of hierarchy '{tree.Name}' ({tree.Origin})");
            }

            if (levelOneNodePools.TryGetValue(leaf, out var pool))
            {
                leafPools.Add((leaf, pool));
            }
        }

        if (leafPools.Count == 0)
        {
            throw new InvalidOperationException($"{recipe.Origin}: no leaf of hierarchy '{tree.Name}' has a usable level-1 stem with a salient range in {IndexFile()} (split '{recipe.Split}', {dataset.Root})");
        }
    }

    private void BuildMixturePool(List<DatasetSong> songs)
    {
        var candidates = new List<Candidate>();
        foreach (var song in songs)
        {
            if (string.IsNullOrEmpty(song.MixPath))
            {
                continue;
            }

            if (song.SampleRate != SampleRate || !ChannelsSupported(song.Channels))
            {
                issues.Add(new QuarantineRecord(dataset.FullPath(song.MixPath), "mix", $"mixture of '{song.SongId}': {song.SampleRate} Hz, {song.Channels} channels; the recipe needs {SampleRate} Hz, {Channels} channels"));
                continue;
            }

            var ranges = recipe.Source.Index switch
            {
                SourceIndex.Saliency => MergedRanges(dataset.SaliencyOf(song.SongId, 1).Where(f => f.Salient)
                    .Select(f => (ToFrame(f.StartSeconds), ToFrame(f.EndSeconds))), song.Frames),
                _ => [(0L, song.Frames)],
            };
            if (ranges.Count > 0)
            {
                candidates.Add(new Candidate(song.SongId, "mix", 0, "mixture", song.MixPath, song.Frames, ranges));
            }
        }

        if (candidates.Count < recipe.Mixtures)
        {
            throw new InvalidOperationException($"{recipe.Origin}: a mixture of {recipe.Mixtures} songs needs {recipe.Mixtures} songs with a usable mixture" +
                $"{(recipe.Source.Index == SourceIndex.Saliency ? " and a salient frame in analysis/saliency.csv" : string.Empty)}; split '{recipe.Split}' of {dataset.Root} has {candidates.Count}");
        }

        targetPools.Add(new Pool(candidates));
    }

    private bool Usable(DatasetStem stem)
    {
        if (stem.SampleRate == SampleRate && ChannelsSupported(stem.Channels))
        {
            return true;
        }

        issues.Add(new QuarantineRecord(dataset.FullPath(stem.Path), "mix",
            $"stem L{stem.Level} '{stem.Node}' of '{stem.SongId}': {stem.SampleRate} Hz, {stem.Channels} channels; the recipe needs {SampleRate} Hz, {Channels} channels (the stream does not resample)"));
        return false;
    }

    /// <summary>Mono files go to any layout; otherwise the file's channels must match, or be averaged to mono.</summary>
    private bool ChannelsSupported(int fileChannels) => fileChannels == 1 || fileChannels == Channels || Channels == 1;

    private string IndexFile() => recipe.Source.Index switch
    {
        SourceIndex.Segments => $"analysis/segments.csv (method {recipe.Source.Method}){(dataset.Segments.Count == 0 ? ", which is missing or empty: run forge analyze, or set source.index: none" : string.Empty)}",
        SourceIndex.Saliency => $"analysis/saliency.csv{(dataset.Saliency.Count == 0 ? ", which is missing or empty: run forge analyze, or set source.index: none" : string.Empty)}",
        _ => "the stem files",
    };

    private List<(long Start, long End)> RangesOf(string songId, int level, string node, long frames) => recipe.Source.Index switch
    {
        SourceIndex.Segments => MergedRanges(
            dataset.SegmentsOf(songId, level, node).Where(s => s.Salient && s.Method == recipe.Source.Method)
                .Select(s => (ToFrame(s.StartSeconds), ToFrame(s.EndSeconds))), frames, merge: false),
        SourceIndex.Saliency => MergedRanges(
            dataset.SaliencyOf(songId, level, node).Where(f => f.Salient)
                .Select(f => (ToFrame(f.StartSeconds), ToFrame(f.EndSeconds))), frames, merge: false),
        _ => frames > 0 ? [(0, frames)] : [],
    };

    private long ToFrame(double seconds) => (long)Math.Round(seconds * SampleRate);

    /// <summary>Ranges clipped to the file, empty ones dropped, duplicates removed (merge: overlapping ones joined).</summary>
    private static List<(long Start, long End)> MergedRanges(IEnumerable<(long Start, long End)> ranges, long frames, bool merge = false)
    {
        var list = ranges.Select(r => (Start: Math.Clamp(r.Start, 0, frames), End: Math.Clamp(r.End, 0, frames)))
            .Where(r => r.End > r.Start).Distinct().OrderBy(r => r.Start).ThenBy(r => r.End).ToList();
        if (!merge)
        {
            return list;
        }

        var merged = new List<(long Start, long End)>();
        foreach (var r in list)
        {
            if (merged.Count > 0 && r.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, r.End));
            }
            else
            {
                merged.Add(r);
            }
        }

        return merged;
    }

    /// <summary>A file a chunk can be read from, with the ranges chunks are drawn in.</summary>
    private sealed record Candidate(string SongId, string Kind, int Level, string Node, string Path, long Frames, IReadOnlyList<(long Start, long End)> Ranges)
    {
        public static Candidate OfStem(DatasetStem s, IReadOnlyList<(long Start, long End)> ranges) => new(s.SongId, "stem", s.Level, s.Node, s.Path, s.Frames, ranges);
    }

    /// <summary>Candidates of one target, one per song (sorted by song id); a song is drawn uniformly, then one of its ranges.</summary>
    private sealed class Pool(List<Candidate> songs)
    {
        public List<Candidate> Songs { get; } = songs;

        public Dictionary<string, Candidate> BySong { get; } = songs.ToDictionary(c => c.SongId, StringComparer.Ordinal);

        public HashSet<(string Song, string Node)> Usable { get; } = [];

        public Candidate PickSong(ref MixRandom rng) => Songs[rng.NextInt(Songs.Count)];
    }
}
