using System.Globalization;
using System.Runtime.InteropServices;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Dsp;
using DatasetForge.Loudness;

namespace DatasetForge.Render;

/// <summary>What happened to a song.</summary>
public enum SongRenderOutcome
{
    /// <summary>Audio (re)rendered: at least the measurement pass ran.</summary>
    Rendered,

    /// <summary>Audio up to date; only the metadata changed (artist, genre, ...).</summary>
    MetadataOnly,

    /// <summary>Nothing to do: the render key matched and every output is in place.</summary>
    Skipped,

    /// <summary>Nothing usable (no readable track to mix); see the problems.</summary>
    Failed,
}

/// <summary>One song's render: its metadata (the per-song truth the gather step reads), what was written and what was refused.</summary>
public sealed record SongRenderResult(
    SongRenderPlan Plan,
    SongRenderOutcome Outcome,
    SongMetadata? Metadata,
    int FilesWritten,
    int FilesKept,
    double AudioSeconds,
    IReadOnlyList<QuarantineRecord> Problems);

/// <summary>
/// Renders one song (one unit of the render stage; plans are independent, so a pipeline can run many at once):
/// <list type="number">
/// <item>Hash the raw tracks (a stored hash is reused when size and write time are unchanged) and key the song on
/// those hashes, the labels, the hierarchy and the parameters; an equal key with every output in place: nothing to do.</item>
/// <item>Pass 1: stream every mixed track through the resampler and the channel map, sum each level-1 instrument
/// into a block, spill the level-1 raw sums to a temp file and measure every raw sum (BS.1770-4 block energies, peak).</item>
/// <item>Gains of the independently normalized stems (level 1; levels 1 and 2 in ms21 mode): loudness stems to the
/// target (solved on the block energies), peak stems to the peak target; silent or too short ones keep unit gain.</item>
/// <item>Pass 2: peaks of every output with those gains; if any passes the ceiling, one common gain for all.</item>
/// <item>Pass 3: compute and measure every output, write (temp file then rename) only those whose file key (exact
/// sources, gains and format) changed, hard-link the raw tracks, drop stale files, write the metadata last.</item>
/// </list>
/// Memory is a few blocks per stem and per track whatever the song's length.
/// </summary>
public static partial class SongRenderer
{
    public const string Stage = "render";

    /// <summary>Frames per processing block at the output rate.</summary>
    public const int BlockFrames = 1 << 16;

    public static Task<SongRenderResult> RenderAsync(SongRenderPlan plan, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Render(plan, progress, cancellationToken), cancellationToken);

    public static SongRenderResult Render(SongRenderPlan plan, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var options = plan.Options;
        var problems = new List<QuarantineRecord>();
        var previous = SongMetadata.TryRead(plan.MetadataPath);

        // Identify the inputs: header and content hash of every labelled track.
        var tracks = new List<TrackFacts>();
        foreach (var t in plan.Tracks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tracks.Add(Inspect(plan, t, previous, problems));
        }

        var hierarchyText = plan.Hierarchy.ToYaml();
        var audioKey = ContentHash.OfParts(
            [options.AudioFingerprint, ContentHash.OfText(hierarchyText), .. tracks.Select(t => $"{t.Plan.File}|{t.Plan.RawFilename}|{t.Plan.Label}|{t.Plan.Mixed}|{t.Plan.Placement}|{t.Xxh128}|{t.Error}")]);
        var renderKey = ContentHash.OfParts(audioKey, plan.Folder, plan.SongId, plan.Fields.Fingerprint);
        var mixed = tracks.Where(t => t.Plan.Mixed && t.Info is not null).ToList();
        if (mixed.Count == 0)
        {
            var usable = tracks.Count(t => t.Info is not null);
            problems.Add(new QuarantineRecord(plan.SongId, Stage, usable == 0
                ? $"no readable track ({tracks.Count} labelled)"
                : $"nothing to mix: all {usable} readable track(s) are {string.Join("/", tracks.Where(t => t.Info is not null).Select(t => t.Plan.Instrument).Distinct())}"));
            AtomicFile.TryDelete(plan.MetadataPath); // a stale render of this song must not be gathered
            return new SongRenderResult(plan, SongRenderOutcome.Failed, null, 0, 0, 0, problems);
        }

        if (!options.Force && previous is not null && previous.AudioKey == audioKey && OutputsInPlace(plan, previous))
        {
            if (previous.RenderKey == renderKey)
            {
                return new SongRenderResult(plan, SongRenderOutcome.Skipped, previous, 0, previous.AllStems.Count() + 1, 0, previous.Quarantine);
            }

            var updated = BuildMetadata(plan, previous, renderKey, audioKey);
            updated.Write(plan.MetadataPath);
            return new SongRenderResult(plan, SongRenderOutcome.MetadataOnly, updated, 0, previous.AllStems.Count() + 1, 0, previous.Quarantine);
        }

        Directory.CreateDirectory(plan.SongDir);
        var tempDir = Path.Combine(plan.DatasetDir, ".render-tmp", $"{plan.Folder}.{Guid.NewGuid():N}");
        var streams = new List<TrackStream>();
        try
        {
            foreach (var t in mixed)
            {
                streams.Add(new TrackStream(t.Plan.SourcePath, options.SampleRate, options.Channels, options.Quality, t.Plan.Placement));
            }

            var frames = streams.Max(s => s.OutputFrames);
            var graph = StemGraph.Build(plan.Hierarchy, mixed.Select(t => t.Plan.Instrument).ToList(), options.Mode, options.Channels, BlockFrames);
            SetRecipes(graph, mixed, streams, options);
            Directory.CreateDirectory(tempDir);
            MeasureRaw(plan, graph, streams, frames, tempDir, progress, cancellationToken);
            SetGains(graph, frames, options);
            var (mixGainDb, mixGainSource) = CommonGain(plan, graph, frames, tempDir, cancellationToken);
            var outputs = WriteOutputs(plan, graph, frames, mixGainDb, tempDir, previous, cancellationToken);
            LinkRaw(plan, tracks, previous, options);
            RemoveStale(plan, graph);
            var metadata = BuildMetadata(plan, graph, tracks, streams, outputs, frames, mixGainDb, mixGainSource, renderKey, audioKey, problems);
            metadata.Write(plan.MetadataPath);
            return new SongRenderResult(plan, SongRenderOutcome.Rendered, metadata, outputs.Count(o => o.Written), outputs.Count(o => !o.Written),
                (double)frames / options.SampleRate, problems);
        }
        finally
        {
            foreach (var s in streams)
            {
                s.Dispose();
            }

            try
            {
                if (Directory.Exists(tempDir))
                {
                    Directory.Delete(tempDir, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>A labelled track as found on disk: header (null when unreadable), hash, channel placement.</summary>
    private sealed record TrackFacts(RawTrackPlan Plan, AudioFileInfo? Info, string Xxh128, long SizeBytes, long MtimeTicks, string Error);

    private static TrackFacts Inspect(SongRenderPlan plan, RawTrackPlan track, SongMetadata? previous, List<QuarantineRecord> problems)
    {
        AudioFileInfo info;
        try
        {
            info = AudioFile.ReadInfo(track.SourcePath);
            if (info.Frames == 0)
            {
                throw new AudioFormatException(track.SourcePath, "no audio frames");
            }
        }
        catch (AudioFormatException e)
        {
            problems.Add(new QuarantineRecord($"{plan.SongId}/{track.File}", Stage, $"unreadable, left out: {e.Message}"));
            return new TrackFacts(track, null, string.Empty, 0, 0, e.Message);
        }

        var file = new FileInfo(track.SourcePath);
        var ticks = file.LastWriteTimeUtc.Ticks;
        var known = previous?.RawTracks.FirstOrDefault(r => r.SourcePath == track.SourcePath && r.SizeBytes == file.Length && r.MtimeTicks == ticks && r.Xxh128.Length > 0);
        return new TrackFacts(track, info, known?.Xxh128 ?? ContentHash.OfFileFast(track.SourcePath), file.Length, ticks, string.Empty);
    }

    private static bool OutputsInPlace(SongRenderPlan plan, SongMetadata previous)
    {
        bool Present(MetadataOutput o, string folder) =>
            new FileInfo(Path.Combine(folder, o.Filename)) is { Exists: true } f && f.Length == o.SizeBytes;

        var stems = Path.Combine(plan.SongDir, plan.StemDirName);
        var raw = Path.Combine(plan.SongDir, plan.RawDirName);
        return Present(previous.Mix, plan.SongDir)
            && previous.AllStems.All(s => Present(s, stems))
            && previous.RawTracks.Where(r => r.Status != "unreadable").All(r => new FileInfo(Path.Combine(raw, r.RawFilename)) is { Exists: true } f && f.Length == r.SizeBytes);
    }

    private static string FormatFingerprint(RenderOptions o) =>
        string.Create(CultureInfo.InvariantCulture, $"render-file/1|rate={o.SampleRate}|ch={o.Channels}|enc={o.Encoding}|q={o.Quality.PassbandFraction:R},{o.Quality.StopbandAttenuationDb:R}");

    /// <summary>Raw recipes (which tracks, how placed) of every node; the final recipes follow once gains are known.</summary>
    private static void SetRecipes(StemGraph graph, List<TrackFacts> mixed, List<TrackStream> streams, RenderOptions options)
    {
        foreach (var node in graph.Nodes)
        {
            node.RawRecipe = node.Level == 1
                ? "raw[" + string.Join(';', node.Tracks.Select(i => $"{mixed[i].Plan.File}|{mixed[i].Xxh128}|{streams[i].Matrix.Description}")) + "]"
                : "sum[" + string.Join(';', node.Children.Select(c => c.RawRecipe)) + "]";
        }
    }

    private static void MeasureRaw(SongRenderPlan plan, StemGraph graph, List<TrackStream> streams, long frames, string tempDir, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var rate = plan.Options.SampleRate;
        foreach (var node in graph.Outputs)
        {
            node.RawMeter = new LoudnessMeter(rate, graph.Channels, measureTruePeak: false);
            node.RawPeak = 0;
        }

        var level1 = graph.Level(1).ToList();
        var spills = level1.Select(n => new FileStream(SpillPath(tempDir, n), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20)).ToList();
        try
        {
            for (long start = 0; start < frames; start += BlockFrames)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = (int)Math.Min(BlockFrames, frames - start);
                for (var k = 0; k < level1.Count; k++)
                {
                    var node = level1[k];
                    node.ClearRaw(count);
                    foreach (var i in node.Tracks)
                    {
                        streams[i].AddNext(node.Raw, 0, count);
                    }

                    foreach (var channel in node.Raw)
                    {
                        spills[k].Write(MemoryMarshal.AsBytes(channel.AsSpan(0, count)));
                    }
                }

                graph.ComputeRawSums(count);
                foreach (var node in graph.Outputs)
                {
                    node.RawMeter!.Process(node.Raw, 0, count);
                    node.RawPeak = Math.Max(node.RawPeak, StemGraphNode.PeakOf(node.Raw, count));
                }

                progress?.Report(new StageProgress("render-song", plan.SongId, start + count, frames, AudioSeconds: (double)(start + count) / rate));
            }
        }
        finally
        {
            foreach (var s in spills)
            {
                s.Dispose();
            }
        }
    }

    private static string SpillPath(string tempDir, StemGraphNode node) => Path.Combine(tempDir, $"L1_{node.Name}.f32");

    /// <summary>Reads the level-1 raw sums back block by block (the same frames pass 1 computed) and runs <paramref name="onBlock"/>.</summary>
    private static void ForEachSpilledBlock(StemGraph graph, long frames, string tempDir, CancellationToken cancellationToken, Action<long, int> onBlock)
    {
        var level1 = graph.Level(1).ToList();
        var readers = level1.Select(n => new FileStream(SpillPath(tempDir, n), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20)).ToList();
        try
        {
            for (long start = 0; start < frames; start += BlockFrames)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = (int)Math.Min(BlockFrames, frames - start);
                for (var k = 0; k < level1.Count; k++)
                {
                    foreach (var channel in level1[k].Raw)
                    {
                        readers[k].ReadExactly(MemoryMarshal.AsBytes(channel.AsSpan(0, count)));
                    }
                }

                graph.ComputeRawSums(count);
                graph.ComputeFinal(count);
                onBlock(start, count);
            }
        }
        finally
        {
            foreach (var r in readers)
            {
                r.Dispose();
            }
        }
    }

    private static void SetGains(StemGraph graph, long frames, RenderOptions options)
    {
        foreach (var node in graph.Nodes)
        {
            if (node.Independent)
            {
                (node.GainDb, node.Status) = StemGains.For(node.Normalization, node.RawMeter!.BlockEnergies, node.RawPeak, frames, options.SampleRate, options);
                node.AppliedGain = (float)Levels.DbToAmplitude(node.GainDb);
            }
            else
            {
                // A sum is usable when any child is; it is silent or too short only when all are.
                node.GainDb = 0;
                node.Status = node.Children.Any(c => c.Status == "ok") ? "ok" : node.Children[0].Status;
            }
        }

        var mix = graph.Mixture;
        mix.Status = mix.Children.Any(c => c.Status == "ok") ? "ok" : mix.Children[0].Status;
    }

    /// <summary>Pass 2: the peak of every output with the normalization gains; the common gain that keeps all under the ceiling.</summary>
    private static (double GainDb, string Source) CommonGain(SongRenderPlan plan, StemGraph graph, long frames, string tempDir, CancellationToken cancellationToken)
    {
        foreach (var node in graph.Outputs)
        {
            node.FinalPeak = 0;
        }

        ForEachSpilledBlock(graph, frames, tempDir, cancellationToken, (_, count) =>
        {
            foreach (var node in graph.Outputs)
            {
                node.FinalPeak = Math.Max(node.FinalPeak, StemGraphNode.PeakOf(node.Final, count));
            }
        });
        var loudest = graph.Outputs.MaxBy(n => n.FinalPeak)!;
        var peakDb = Levels.AmplitudeToDb(loudest.FinalPeak);
        if (!(peakDb > plan.Options.CeilingDbfs))
        {
            return (0, string.Empty);
        }

        var gain = plan.Options.CeilingDbfs - peakDb;
        return (gain, loudest.Level == 0 ? plan.MixFileName : plan.StemFileName(loudest.Level, loudest.Name));
    }

    /// <summary>An output after pass 3: its file name (relative to the song folder), measurement, key and whether it was written now.</summary>
    private sealed record OutputFacts(StemGraphNode Node, string RelativePath, LoudnessResult After, string Key, string Xxh128, long SizeBytes, bool Written);

    private static List<OutputFacts> WriteOutputs(SongRenderPlan plan, StemGraph graph, long frames, double mixGainDb, string tempDir, SongMetadata? previous, CancellationToken cancellationToken)
    {
        var options = plan.Options;
        var common = Levels.DbToAmplitude(mixGainDb);
        foreach (var node in graph.Nodes.Where(n => n.Independent))
        {
            node.AppliedGain = (float)(Levels.DbToAmplitude(node.GainDb) * common);
        }

        var format = FormatFingerprint(options);
        foreach (var node in graph.Nodes)
        {
            node.FinalRecipe = node.Independent
                ? string.Create(CultureInfo.InvariantCulture, $"gain({node.AppliedGain:R})*{node.RawRecipe}")
                : "sum[" + string.Join(';', node.Children.Select(c => c.FinalRecipe)) + "]";
        }

        graph.Mixture.FinalRecipe = "mix[" + string.Join(';', graph.Mixture.Children.Select(c => c.FinalRecipe)) + "]";
        var previousKeys = new Dictionary<string, MetadataOutput>(StringComparer.Ordinal);
        if (previous is not null)
        {
            previousKeys[previous.Mix.Filename] = previous.Mix;
            foreach (var s in previous.AllStems)
            {
                previousKeys[Path.Combine(plan.StemDirName, s.Filename)] = s;
            }
        }

        var stemDir = Path.Combine(plan.SongDir, plan.StemDirName);
        Directory.CreateDirectory(stemDir);
        var outputs = graph.Outputs.Select(node =>
        {
            var relative = node.Level == 0 ? plan.MixFileName : Path.Combine(plan.StemDirName, plan.StemFileName(node.Level, node.Name));
            var key = ContentHash.OfParts(format, node.FinalRecipe);
            var full = Path.Combine(plan.SongDir, relative);
            var keep = !options.Force && previousKeys.TryGetValue(relative, out var old) && old.Key == key
                && new FileInfo(full) is { Exists: true } f && f.Length == old.SizeBytes;
            return (Node: node, Relative: relative, Key: key, Writer: keep ? null : WavWriter.Create(full, options.SampleRate, options.Channels, options.Encoding),
                Meter: new LoudnessMeter(options.SampleRate, options.Channels, measureTruePeak: false), Old: keep ? previousKeys[relative] : null);
        }).ToList();
        try
        {
            ForEachSpilledBlock(graph, frames, tempDir, cancellationToken, (_, count) =>
            {
                foreach (var o in outputs)
                {
                    o.Meter.Process(o.Node.Final, 0, count);
                    o.Writer?.Write(o.Node.Final, 0, count);
                }
            });
            var result = new List<OutputFacts>();
            foreach (var o in outputs)
            {
                var full = Path.Combine(plan.SongDir, o.Relative);
                if (o.Writer is not null)
                {
                    o.Writer.Commit();
                    result.Add(new OutputFacts(o.Node, o.Relative, o.Meter.Result(), o.Key, ContentHash.OfFileFast(full), new FileInfo(full).Length, true));
                }
                else
                {
                    result.Add(new OutputFacts(o.Node, o.Relative, o.Meter.Result(), o.Key, o.Old!.Xxh128, o.Old.SizeBytes, false));
                }
            }

            return result;
        }
        finally
        {
            foreach (var o in outputs)
            {
                o.Writer?.Dispose();
            }
        }
    }

    private static void LinkRaw(SongRenderPlan plan, List<TrackFacts> tracks, SongMetadata? previous, RenderOptions options)
    {
        var rawDir = Path.Combine(plan.SongDir, plan.RawDirName);
        Directory.CreateDirectory(rawDir);
        foreach (var t in tracks.Where(t => t.Info is not null))
        {
            var target = Path.Combine(rawDir, t.Plan.RawFilename);
            var old = previous?.RawTracks.FirstOrDefault(r => r.RawFilename == t.Plan.RawFilename);
            if (!options.Force && old is not null && old.Xxh128 == t.Xxh128 && new FileInfo(target) is { Exists: true } f && f.Length == t.SizeBytes)
            {
                continue;
            }

            RawLinker.LinkOrCopy(t.Plan.SourcePath, target, options.HardLinkRaw);
        }
    }

    /// <summary>Deletes stems and raw links of an earlier render that this one no longer has (a corrected label, a new hierarchy).</summary>
    private static void RemoveStale(SongRenderPlan plan, StemGraph graph)
    {
        var stems = graph.Nodes.Select(n => plan.StemFileName(n.Level, n.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(plan.SongDir, plan.StemDirName)))
        {
            if (!stems.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
            }
        }

        var raw = plan.Tracks.Select(t => t.RawFilename).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(plan.SongDir, plan.RawDirName)))
        {
            if (!raw.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
            }
        }
    }

    private static double? Round(double value, int digits = 4) => double.IsFinite(value) ? Math.Round(value, digits) : null;

    private static double? PeakDb(double amplitude) => Round(Levels.AmplitudeToDb(amplitude));

    private static SongMetadata BuildMetadata(SongRenderPlan plan, StemGraph graph, List<TrackFacts> tracks, List<TrackStream> streams, List<OutputFacts> outputs,
        long frames, double mixGainDb, string mixGainSource, string renderKey, string audioKey, List<QuarantineRecord> problems)
    {
        var options = plan.Options;
        var byNode = outputs.ToDictionary(o => o.Node);
        var mixedTracks = tracks.Where(t => t.Plan.Mixed && t.Info is not null).ToList();
        MetadataStem Stem(StemGraphNode node, SortedDictionary<string, MetadataRawRef>? raw)
        {
            var o = byNode[node];
            return new MetadataStem
            {
                Filename = Path.GetFileName(o.RelativePath),
                Normalization = node.NormalizationName,
                Status = node.Status,
                LufsBefore = Round(node.RawMeter!.Result().IntegratedLufs),
                LufsAfter = Round(o.After.IntegratedLufs),
                PeakDbfsBefore = PeakDb(node.RawPeak),
                PeakDbfsAfter = PeakDb(o.After.SamplePeak),
                GainDb = Math.Round(node.GainDb, 6),
                NTracks = node.Tracks.Count,
                Key = o.Key,
                Xxh128 = o.Xxh128,
                SizeBytes = o.SizeBytes,
                Instrument = node.Name,
                Level = node.Level,
                Node = node.Name,
                Children = node.Children.Select(c => c.Name).ToList(),
                Raw = raw,
            };
        }

        var stems = new SortedDictionary<string, MetadataStem>(StringComparer.Ordinal);
        var index = 0;
        foreach (var node in graph.Level(1))
        {
            var raw = new SortedDictionary<string, MetadataRawRef>(StringComparer.Ordinal);
            var r = 0;
            foreach (var i in node.Tracks)
            {
                raw[$"R{++r:00}"] = new MetadataRawRef { Filename = mixedTracks[i].Plan.RawFilename, Instrument = mixedTracks[i].Plan.Label };
            }

            stems[$"S{++index:00}"] = Stem(node, raw);
        }

        var mixOut = byNode[graph.Mixture];
        var vocal = mixedTracks.Any(t => plan.Hierarchy.PathOf(t.Plan.Label).Any(n => n.Contains("vocal", StringComparison.OrdinalIgnoreCase)));
        var streamOf = mixedTracks.Select((t, i) => (t.Plan.File, streams[i].Matrix.Description)).ToDictionary(p => p.File, p => p.Description, StringComparer.Ordinal);
        return new SongMetadata
        {
            Artist = plan.Fields.Artist,
            Title = plan.Fields.Title,
            Genre = plan.Fields.BroadGenre,
            HasBleed = plan.Fields.HasBleed,
            Instrumental = vocal ? "no" : "yes",
            MixFilename = plan.MixFileName,
            RawDir = plan.RawDirName,
            StemDir = plan.StemDirName,
            Origin = plan.Fields.Source,
            Stems = stems,
            SongId = plan.SongId,
            Folder = plan.Folder,
            SubGenre = plan.Fields.SubGenre,
            SourceArchive = plan.Fields.Origin,
            RenderKey = renderKey,
            AudioKey = audioKey,
            Hierarchy = new MetadataHierarchy { Name = plan.Hierarchy.Name, Origin = plan.Hierarchy.Origin, Sha256 = ContentHash.OfText(plan.Hierarchy.ToYaml()) },
            Mode = options.ModeName,
            Parameters = Parameters(options),
            SampleRate = options.SampleRate,
            Channels = options.Channels,
            Frames = frames,
            DurationS = Math.Round((double)frames / options.SampleRate, 6),
            MixGainDb = Math.Round(mixGainDb, 6),
            MixGainSource = mixGainSource,
            Mix = new MetadataOutput
            {
                Filename = plan.MixFileName,
                Normalization = "none",
                Status = graph.Mixture.Status,
                LufsBefore = Round(graph.Mixture.RawMeter!.Result().IntegratedLufs),
                LufsAfter = Round(mixOut.After.IntegratedLufs),
                PeakDbfsBefore = PeakDb(graph.Mixture.RawPeak),
                PeakDbfsAfter = PeakDb(mixOut.After.SamplePeak),
                NTracks = graph.Mixture.Tracks.Count,
                Key = mixOut.Key,
                Xxh128 = mixOut.Xxh128,
                SizeBytes = mixOut.SizeBytes,
            },
            GroupStems = graph.Nodes.Where(n => n.Level >= 2).Select(n => Stem(n, null)).ToList(),
            RawTracks = tracks.Select(t => new MetadataRawTrack
            {
                File = t.Plan.File,
                RawFilename = t.Plan.RawFilename,
                Label = t.Plan.Label,
                Instrument = t.Plan.Instrument,
                Mixed = t.Plan.Mixed && t.Info is not null,
                Status = t.Info is null ? "unreadable" : t.Plan.Mixed ? "ok" : "excluded",
                SampleRate = t.Info?.SampleRate ?? 0,
                Channels = t.Info?.Channels ?? 0,
                Frames = t.Info?.Frames ?? 0,
                ChannelMap = streamOf.GetValueOrDefault(t.Plan.File, string.Empty),
                Xxh128 = t.Xxh128,
                SizeBytes = t.SizeBytes,
                MtimeTicks = t.MtimeTicks,
                SourcePath = t.Plan.SourcePath,
            }).ToList(),
            Quarantine = problems.ToList(),
        };
    }

    /// <summary>The previous metadata with the song's descriptive fields (and keys) of the current plan.</summary>
    private static SongMetadata BuildMetadata(SongRenderPlan plan, SongMetadata previous, string renderKey, string audioKey) => new()
    {
        Artist = plan.Fields.Artist,
        Title = plan.Fields.Title,
        Genre = plan.Fields.BroadGenre,
        HasBleed = plan.Fields.HasBleed,
        Instrumental = previous.Instrumental,
        MixFilename = previous.MixFilename,
        RawDir = previous.RawDir,
        StemDir = previous.StemDir,
        Origin = plan.Fields.Source,
        Version = previous.Version,
        Stems = previous.Stems,
        SongId = plan.SongId,
        Folder = plan.Folder,
        SubGenre = plan.Fields.SubGenre,
        SourceArchive = plan.Fields.Origin,
        RenderKey = renderKey,
        AudioKey = audioKey,
        Hierarchy = previous.Hierarchy,
        Mode = previous.Mode,
        Parameters = previous.Parameters,
        SampleRate = previous.SampleRate,
        Channels = previous.Channels,
        Frames = previous.Frames,
        DurationS = previous.DurationS,
        MixGainDb = previous.MixGainDb,
        MixGainSource = previous.MixGainSource,
        Mix = previous.Mix,
        GroupStems = previous.GroupStems,
        RawTracks = previous.RawTracks,
        Quarantine = previous.Quarantine,
    };

    internal static MetadataParameters Parameters(RenderOptions options) => new()
    {
        TargetLufs = options.TargetLufs,
        PeakDbfs = options.PeakDbfs,
        CeilingDbfs = options.CeilingDbfs,
        SilenceFloorDb = options.SilenceFloorDb,
        Encoding = options.Encoding.ToCatalogName(),
        Resampler = string.Create(CultureInfo.InvariantCulture, $"polyphase Kaiser sinc, passband {options.Quality.PassbandFraction:0.##} of Nyquist, {options.Quality.StopbandAttenuationDb:0} dB stopband"),
        Fingerprint = options.AudioFingerprint,
    };
}
