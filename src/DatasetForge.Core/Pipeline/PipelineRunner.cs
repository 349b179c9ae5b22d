using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Tasks.Dataflow;
using DatasetForge.Analysis;
using DatasetForge.Analysis.Bleed;
using DatasetForge.Analysis.Report;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Hierarchy;
using DatasetForge.Ingest;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Download;
using DatasetForge.Ingest.Extract;
using DatasetForge.Ingest.Probe;
using DatasetForge.Labels;
using DatasetForge.Render;
using DatasetForge.Splits;
using DatasetForge.Stats;

namespace DatasetForge.Pipeline;

/// <summary>
/// Runs a <see cref="PipelineDefinition"/> into an output folder (<see cref="PipelineLayout"/>) as a TPL Dataflow
/// graph: the source's songs flow through one block per stage — ingest (download, extract, probe), label, render,
/// analyze — each with its own degree of parallelism and a bounded queue in front of it, so only a few songs are in
/// flight whatever the library's size and no stage ever holds more than the songs it is working on. Then a gather
/// step writes the library-level files (catalog, labels, manifests, analysis tables) from the per-song outputs, and
/// the dataset-level stages run: split, stats, audit report.
/// <para>
/// Every stage's output is keyed by a hash of its inputs and parameters (the stages' own keys: ingest units, label
/// units, render and analysis keys; a state file per dataset-level stage), so a re-run skips what is done and redoes
/// exactly what changed. A song that fails a stage is quarantined with the stage and the reason and the others go
/// on. Cancellation stops the blocks, leaves no temp file behind, and the next run resumes; after a hard kill the
/// next run sweeps the temp files first. Progress goes to an <see cref="IProgress{StageProgress}"/> and every event to
/// `pipeline/events.jsonl`.
/// </para>
/// </summary>
public sealed class PipelineRunner
{
    public const string IngestStage = "ingest";
    public const string LabelStageName = "label";
    public const string RenderStageName = "render";
    public const string AnalyzeStage = "analyze";
    public const string GatherStage = "gather";
    public const string SplitStageName = "split";
    public const string StatsStage = "stats";
    public const string ReportStage = "report";

    /// <summary>The per-song stages, in graph order.</summary>
    public static readonly IReadOnlyList<string> SongStages = [IngestStage, LabelStageName, RenderStageName, AnalyzeStage];

    /// <summary>The dataset-level stages, after the gather.</summary>
    public static readonly IReadOnlyList<string> DatasetStages = [GatherStage, SplitStageName, StatsStage, ReportStage];

    private readonly PipelineDefinition definition;
    private readonly PipelineLayout layout;
    private readonly IProgress<StageProgress>? progress;

    public PipelineRunner(PipelineDefinition definition, string outputDir, IProgress<StageProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        this.definition = definition;
        layout = new PipelineLayout(outputDir);
        this.progress = progress;
    }

    public PipelineLayout Layout => layout;

    /// <summary>Every event as it is written (also appended to events.jsonl).</summary>
    public event Action<PipelineEvent>? Event;

    /// <summary>Test hook: called before a song enters a stage (stage, song id); an exception it throws is that stage's failure.</summary>
    internal Action<string, string>? BeforeStage { get; set; }

    public async Task<PipelineSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        Directory.CreateDirectory(layout.PipelineDir);
        using var runLock = AcquireLock();
        var swept = TempSweeper.Sweep(layout.Root);
        var runId = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        using var events = new PipelineEventLog(layout.EventsPath, runId);
        events.Written += e => Event?.Invoke(e);
        events.Write(new PipelineEvent
        {
            Event = "run_start",
            Message = $"{definition.DisplayName} ({definition.Origin}) -> {layout.Root}; definition {definition.Hash[..12]}; {Environment.ProcessorCount} cores"
                      + (swept > 0 ? $"; removed {swept} temp file(s) an interrupted run left" : string.Empty),
        });
        AtomicFile.WriteAllText(layout.DefinitionPath, definition.EffectiveJson + "\n");
        var run = new Run(this, events, cancellationToken);
        try
        {
            var summary = await run.ExecuteAsync(clock, cpuAtStart).ConfigureAwait(false);
            events.Write(new PipelineEvent
            {
                Event = "run_end",
                Status = "ok",
                Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
                CpuS = Math.Round(summary.CpuSeconds, 3),
                Message = $"{summary.SongsInDataset} of {summary.Songs} songs in the dataset; {summary.Quarantined.Count} quarantined",
            });
            return summary;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            TempSweeper.Sweep(layout.Root);
            events.Write(new PipelineEvent { Event = "run_end", Status = "cancelled", Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3), Message = "cancelled; the next run resumes" });
            throw;
        }
        catch (Exception e)
        {
            TempSweeper.Sweep(layout.Root);
            events.Write(new PipelineEvent { Event = "run_end", Status = "failed", Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3), Message = $"{e.GetType().Name}: {e.Message}" });
            throw;
        }
    }

    /// <summary>One run at a time per output folder: an exclusive lock on pipeline/.lock (released by the OS even after a kill).</summary>
    private FileStream AcquireLock()
    {
        try
        {
            return new FileStream(layout.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"{layout.Root}: another forge run is using this output folder ({e.Message})", e);
        }
    }

    /// <summary>A song on its way through the graph.</summary>
    private sealed class SongWork(SourceSong song)
    {
        public SourceSong Song { get; } = song;

        public string SongId => Song.SongId;

        public List<DownloadResult> Downloads { get; } = [];

        public SongUnit? Unit { get; set; }

        public SongLabels? Labels { get; set; }

        public SongRenderPlan? Plan { get; set; }

        public SongRenderResult? Render { get; set; }

        public AnalysisSong? AnalysisSong { get; set; }

        public SongAnalysisSummary? Analysis { get; set; }

        public string? FailedAt { get; set; }

        public List<QuarantineRecord> Quarantine { get; } = [];
    }

    /// <summary>Counters of one stage, safe to update from its parallel workers.</summary>
    private sealed class StageTracker(string name, int total)
    {
        private readonly object gate = new();
        private int done;
        private int skipped;
        private int metadata;
        private int failed;
        private int notRun;
        private double busy;
        private double cpu;
        private double audio;

        public string Name { get; } = name;

        public int Total { get; } = total;

        public int Record(SongStageStatus status, double seconds, double cpuSeconds, double audioSeconds)
        {
            lock (gate)
            {
                switch (status)
                {
                    case SongStageStatus.Done:
                        done++;
                        break;
                    case SongStageStatus.Skipped:
                        skipped++;
                        break;
                    case SongStageStatus.Metadata:
                        metadata++;
                        break;
                    case SongStageStatus.Failed:
                        failed++;
                        break;
                    default:
                        notRun++;
                        break;
                }

                busy += seconds;
                cpu += cpuSeconds;
                audio += audioSeconds;
                return done + skipped + metadata + failed + notRun;
            }
        }

        public StageTotals Totals()
        {
            lock (gate)
            {
                return new StageTotals(Name, Total, done, skipped, metadata, failed, notRun, Math.Round(busy, 3), Math.Round(cpu, 3), Math.Round(audio, 3));
            }
        }
    }

    /// <summary>A stage's verdict on a song; <see cref="CpuSeconds"/> when the stage measured its own (an async body changes threads).</summary>
    private readonly record struct StageOutcome(SongStageStatus Status, double AudioSeconds = 0, string? Message = null, double? CpuSeconds = null);

    /// <summary>The state of one run (what the graph's blocks share).</summary>
    private sealed class Run
    {
        private readonly PipelineRunner owner;
        private readonly PipelineEventLog events;
        private readonly CancellationToken token;
        private readonly PipelineDefinition definition;
        private readonly PipelineLayout layout;
        private readonly CatalogLayout catalog;
        private readonly HierarchyDefinition hierarchy;
        private readonly RenderOptions renderOptions;
        private readonly IngestEngine engine;
        private readonly List<string> warnings = [];
        private readonly Dictionary<string, StageTracker> trackers = new(StringComparer.Ordinal);
        private TrackLabeler? labeler;
        private LabelSession? labelSession;
        private SongAnalyzer? analyzer;
        private IReadOnlyDictionary<string, string> folders = new Dictionary<string, string>();
        private Downloader? downloader;

        public Run(PipelineRunner owner, PipelineEventLog events, CancellationToken token)
        {
            this.owner = owner;
            this.events = events;
            this.token = token;
            definition = owner.definition;
            layout = owner.layout;
            catalog = new CatalogLayout(layout.LibraryDir);
            hierarchy = HierarchyDefinition.Load(definition.ResolvePath(definition.Hierarchy));
            renderOptions = definition.Render.ToOptions();
            engine = new IngestEngine(catalog, new IngestOptions
            {
                Concurrency = PipelineParallelism.Resolve(definition.Parallelism.Ingest),
                Extract = new ExtractOptions
                {
                    MaxTotalBytes = (long)(definition.Ingest.MaxArchiveGb * (1L << 30)),
                    MaxRatio = definition.Ingest.MaxRatio,
                },
                Probe = new ProbeOptions { LengthToleranceSeconds = definition.Ingest.LengthToleranceS },
            });
        }

        private IProgress<StageProgress>? Progress => owner.progress;

        public async Task<PipelineSummary> ExecuteAsync(Stopwatch clock, TimeSpan cpuAtStart)
        {
            // The source: scrape / scan / generate; ids assigned.
            var sourceClock = Stopwatch.StartNew();
            await using var source = await PipelineSources.OpenAsync(definition, layout, engine, Progress, token).ConfigureAwait(false);
            foreach (var warning in source.Warnings)
            {
                Warn(warning);
            }

            events.Write(new PipelineEvent
            {
                Event = "source",
                Stage = PipelineSources.Stage,
                Total = source.Songs.Count,
                Seconds = Math.Round(sourceClock.Elapsed.TotalSeconds, 3),
                Message = $"{source.Songs.Count} songs from {source.Description}" + (source.Problems.Count > 0 ? $"; {source.Problems.Count} refused" : string.Empty),
            });
            Progress?.Report(new StageProgress(PipelineSources.Stage, source.Description, source.Songs.Count, source.Songs.Count, $"{source.Songs.Count} songs"));
            foreach (var p in source.Problems)
            {
                events.Write(new PipelineEvent { Event = "quarantine", Stage = p.Stage, Song = p.Item, Message = p.Reason });
            }

            // What every song's stages share.
            var rules = LabelRuleSet.Load(definition.ResolvePath(definition.Labels.Rules));
            labeler = new TrackLabeler(rules, hierarchy);
            labelSession = LabelSession.Open(layout.LabelsDir, definition.Labels.Corrections is { } c ? definition.ResolvePath(c) : null, labeler, hierarchy);
            foreach (var w in labelSession.Warnings)
            {
                Warn(w);
            }

            var analysisOptions = definition.AnalysisOptions;
            analyzer = new SongAnalyzer(analysisOptions, BleedCalibration.Load(analysisOptions.Bleed.Calibration), hierarchy, layout.AnalysisDir);
            folders = RenderPlanner.FolderNames(source.Songs.Select(s => s.SongId));
            Directory.CreateDirectory(layout.DatasetDir);
            if (source.HasDownloads)
            {
                downloader = new Downloader(new DownloadOptions
                {
                    Concurrency = PipelineParallelism.Resolve(definition.Parallelism.Ingest),
                    MaxRetries = definition.Download.Retries,
                    BaseDelay = TimeSpan.FromSeconds(definition.Download.BaseDelayS),
                    HeaderTimeout = TimeSpan.FromSeconds(definition.Download.TimeoutS),
                    StallTimeout = TimeSpan.FromSeconds(definition.Download.TimeoutS),
                });
            }

            try
            {
                foreach (var stage in SongStages)
                {
                    trackers[stage] = new StageTracker(stage, source.Songs.Count);
                }

                var finished = await RunGraphAsync(source.Songs).ConfigureAwait(false);
                return await FinishAsync(source, finished, clock, cpuAtStart).ConfigureAwait(false);
            }
            finally
            {
                downloader?.Dispose();
            }
        }

        /// <summary>The Dataflow graph: ingest -> label -> render -> analyze -> collect, bounded and parallel per stage.</summary>
        private async Task<SongWork[]> RunGraphAsync(IReadOnlyList<SourceSong> songs)
        {
            var p = definition.Parallelism;
            ExecutionDataflowBlockOptions Options(int parallelism)
            {
                var dop = PipelineParallelism.Resolve(parallelism);
                return new ExecutionDataflowBlockOptions
                {
                    MaxDegreeOfParallelism = dop,
                    BoundedCapacity = dop + p.Queue,
                    EnsureOrdered = false,
                    CancellationToken = token,
                };
            }

            var finished = new SongWork[songs.Count];
            var ingest = new TransformBlock<SongWork, SongWork>(w => StageAsync(IngestStage, w, IngestAsync), Options(p.Ingest));
            var label = new TransformBlock<SongWork, SongWork>(w => StageAsync(LabelStageName, w, x => Task.FromResult(Label(x))), Options(p.Label));
            var render = new TransformBlock<SongWork, SongWork>(w => StageAsync(RenderStageName, w, x => Task.FromResult(RenderSong(x))), Options(p.Render));
            var analyze = new TransformBlock<SongWork, SongWork>(w => StageAsync(AnalyzeStage, w, x => Task.FromResult(Analyze(x))), Options(p.Analyze));
            var collect = new ActionBlock<SongWork>(w => finished[w.Song.Index] = w, new ExecutionDataflowBlockOptions { BoundedCapacity = p.Queue, CancellationToken = token });
            var link = new DataflowLinkOptions { PropagateCompletion = true };
            ingest.LinkTo(label, link);
            label.LinkTo(render, link);
            render.LinkTo(analyze, link);
            analyze.LinkTo(collect, link);
            IDataflowBlock[] blocks = [ingest, label, render, analyze, collect];
            try
            {
                foreach (var song in songs)
                {
                    if (!await ingest.SendAsync(new SongWork(song), token).ConfigureAwait(false))
                    {
                        break;
                    }
                }

                ingest.Complete();
                await collect.Completion.ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                // Let every block stop (work in progress ends at its next cancellation check) before temp files are swept.
                foreach (var block in blocks)
                {
                    block.Complete();
                }

                try
                {
                    await Task.WhenAll(blocks.Select(b => b.Completion)).ConfigureAwait(false);
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                }

                token.ThrowIfCancellationRequested();
                throw;
            }

            token.ThrowIfCancellationRequested();
            return finished;
        }

        /// <summary>Runs one song through one stage: timing, failure handling, counters, events and progress.</summary>
        private async Task<SongWork> StageAsync(string stage, SongWork work, Func<SongWork, Task<StageOutcome>> body)
        {
            var tracker = trackers[stage];
            if (work.FailedAt is not null)
            {
                Report(tracker, work, new StageOutcome(SongStageStatus.NotRun, 0, $"failed at {work.FailedAt}"), 0, 0);
                return work;
            }

            var clock = Stopwatch.StartNew();
            var cpu = ThreadCpuTime.Seconds();
            StageOutcome outcome;
            try
            {
                owner.BeforeStage?.Invoke(stage, work.SongId);
                outcome = await body(work).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                // Anything a song does wrong stays with that song: quarantined, and the others go on.
                var reason = e is IOException or InvalidDataException or UnauthorizedAccessException or Audio.AudioFormatException or ArgumentException
                    ? e.Message
                    : $"{e.GetType().Name}: {e.Message}";
                Fail(work, stage, reason);
                outcome = new StageOutcome(SongStageStatus.Failed, 0, reason);
            }

            var cpuUsed = outcome.Status is SongStageStatus.Done or SongStageStatus.Metadata ? outcome.CpuSeconds ?? Math.Max(0, ThreadCpuTime.Seconds() - cpu) : 0;
            Report(tracker, work, outcome, clock.Elapsed.TotalSeconds, cpuUsed);
            return work;
        }

        private void Fail(SongWork work, string stage, string reason)
        {
            work.FailedAt = stage;
            if (!work.Quarantine.Any(q => q.Item == work.SongId && q.Stage == stage))
            {
                work.Quarantine.Add(new QuarantineRecord(work.SongId, stage, reason));
            }
        }

        private void Report(StageTracker tracker, SongWork work, StageOutcome outcome, double seconds, double cpuSeconds)
        {
            var n = tracker.Record(outcome.Status, seconds, cpuSeconds, outcome.Status is SongStageStatus.Done or SongStageStatus.Metadata ? outcome.AudioSeconds : 0);
            var status = Status(outcome.Status);
            events.Write(new PipelineEvent
            {
                Event = "song",
                Stage = tracker.Name,
                Song = work.SongId,
                Status = status,
                Done = n,
                Total = tracker.Total,
                Seconds = Math.Round(seconds, 4),
                CpuS = cpuSeconds > 0 ? Math.Round(cpuSeconds, 4) : null,
                AudioS = outcome.AudioSeconds > 0 ? Math.Round(outcome.AudioSeconds, 3) : null,
                Message = outcome.Message,
            });
            Progress?.Report(new StageProgress(tracker.Name, work.SongId, n, tracker.Total,
                outcome.Status == SongStageStatus.Failed ? $"failed: {outcome.Message}" : outcome.Message is null ? status : $"{status}: {outcome.Message}",
                AudioSeconds: outcome.Status is SongStageStatus.Done or SongStageStatus.Metadata ? outcome.AudioSeconds : 0));
        }

        private static string Status(SongStageStatus status) => status switch
        {
            SongStageStatus.Done => "done",
            SongStageStatus.Skipped => "skipped",
            SongStageStatus.Metadata => "metadata",
            SongStageStatus.Failed => "failed",
            _ => "not_run",
        };

        // ---- the per-song stages --------------------------------------------------------------------------------

        /// <summary>Downloads the song's archives (url sources), then extracts, probes and checks it (one ingest unit).</summary>
        private async Task<StageOutcome> IngestAsync(SongWork work)
        {
            var source = work.Song.Source;
            if (work.Song.Downloads.Count > 0 && downloader is not null)
            {
                foreach (var request in work.Song.Downloads)
                {
                    work.Downloads.Add(await downloader.DownloadAsync(request, null, token).ConfigureAwait(false));
                }

                var failed = work.Downloads.Where(d => d.Status == DownloadStatus.Failed).ToList();
                source = failed.Count > 0
                    ? source with { Archives = [], MissingReason = string.Join("; ", failed.Select(f => $"download failed: {f.Request.Url}: {f.Reason}")) }
                    : source with { Archives = work.Downloads.Select(d => d.Request.TargetPath).ToList() };
            }

            var cpu = ThreadCpuTime.Seconds();
            var result = engine.IngestSong(source, null, token);
            cpu = ThreadCpuTime.Seconds() - cpu;
            work.Unit = result.Unit;
            work.Quarantine.AddRange(result.Unit.Quarantine);
            var song = result.Unit.Song;
            var audio = result.Unit.Tracks.Sum(t => t.DurationS ?? 0);
            if (song.Status is "failed" or "missing")
            {
                var reason = result.Unit.Quarantine.FirstOrDefault(q => q.Item == work.SongId)?.Reason ?? song.Flags;
                work.FailedAt = IngestStage;
                return new StageOutcome(SongStageStatus.Failed, 0, $"{song.Status}: {reason}");
            }

            var downloads = work.Downloads.Count(d => d.Status == DownloadStatus.Complete);
            var message = downloads > 0 ? $"{downloads} archive(s) downloaded, {result.Unit.Tracks.Count} tracks" : $"{result.Unit.Tracks.Count} tracks";
            return new StageOutcome(result.Skipped ? SongStageStatus.Skipped : SongStageStatus.Done, audio, result.Skipped ? null : message, cpu);
        }

        /// <summary>Labels the song's tracks (rules, manual corrections on top); reuses the stored unit when its key is unchanged.</summary>
        private StageOutcome Label(SongWork work)
        {
            var unit = work.Unit!;
            var tracks = unit.Tracks.Select(t => new CatalogTrack(work.SongId, t.File, t.Path)).ToList();
            var files = tracks.Select(t => t.File).ToList();
            var manual = labelSession!.ManualLabels(work.SongId, files);
            var key = ContentHash.OfParts(
                "label/1",
                labeler!.Rules.Sha256,
                ContentHash.OfText(hierarchy.ToYaml()),
                work.SongId,
                string.Join('\n', tracks.Select(t => $"{t.File}|{t.Path}")),
                string.Join('\n', manual.OrderBy(m => m.Key).Select(m => $"{m.Key}:{m.Value}")));
            var path = layout.LabelUnitPath(work.SongId);
            var stored = LabelUnit.TryLoad(path);
            if (stored is not null && stored.Key == key)
            {
                labelSession.MarkSeen(work.SongId, files);
                work.Labels = stored.Labels;
                return new StageOutcome(SongStageStatus.Skipped);
            }

            var labels = labelSession.LabelSong(work.SongId, tracks);
            new LabelUnit(key, labels).Save(path);
            work.Labels = labels;
            var unknown = labels.Rows.Count(r => r.Label == HierarchyDefinition.Unknown);
            return new StageOutcome(SongStageStatus.Done, 0, $"{labels.Rows.Count} tracks" + (unknown > 0 ? $", {unknown} unknown" : string.Empty));
        }

        /// <summary>Plans and renders the song (the render stage's own key decides what is redone).</summary>
        private StageOutcome RenderSong(SongWork work)
        {
            var unit = work.Unit!;
            var kinds = unit.Tracks.GroupBy(t => t.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Kind, StringComparer.Ordinal);
            var inputs = work.Labels!.Rows.Select(r => new RenderTrackInput(r.File, r.Label, r.Path, kinds.GetValueOrDefault(r.Path, "raw"))).ToList();
            var s = unit.Song;
            var folder = folders[work.SongId];
            var fields = new SongFields(s.Artist, s.Title, s.BroadGenre, s.SubGenre, s.Source, s.Origin, HasBleed(folder, work.SongId));
            var plan = RenderPlanner.PlanSong(work.SongId, folder, fields, inputs, catalog, hierarchy, renderOptions, layout.DatasetDir);
            work.Plan = plan;
            var result = SongRenderer.Render(plan, null, token);
            work.Render = result;
            work.Quarantine.AddRange(result.Problems);
            return result.Outcome switch
            {
                SongRenderOutcome.Failed => FailWith(work, RenderStageName, string.Join("; ", result.Problems.Where(q => q.Item == work.SongId).Select(q => q.Reason).DefaultIfEmpty("render failed"))),
                SongRenderOutcome.Skipped => new StageOutcome(SongStageStatus.Skipped),
                SongRenderOutcome.MetadataOnly => new StageOutcome(SongStageStatus.Metadata, 0, "metadata only"),
                _ => new StageOutcome(SongStageStatus.Done, result.AudioSeconds, $"{result.FilesWritten} files written, {result.FilesKept} kept"),
            };
        }

        private StageOutcome FailWith(SongWork work, string stage, string reason)
        {
            Fail(work, stage, reason);
            return new StageOutcome(SongStageStatus.Failed, 0, reason);
        }

        /// <summary>Analyses the rendered song; then records the song's bleed verdict in its metadata (has_bleed) when it changed.</summary>
        private StageOutcome Analyze(SongWork work)
        {
            var metadata = work.Render!.Metadata!;
            var tracks = DatasetManifests.RawRows(metadata)
                .Select(r => new AnalysisTrack(r.File, Path.Combine(layout.DatasetDir, r.Path), r.Label, r.Instrument)).ToList();
            var stems = DatasetManifests.StemRows(metadata)
                .Select(r => new AnalysisStem(r.Level, r.Node, Path.Combine(layout.DatasetDir, r.Path), r.Status)).ToList();

            // Keyed on the audio (not on descriptive metadata such as has_bleed, which this stage itself decides).
            var song = new AnalysisSong(work.SongId, metadata.Folder, tracks, stems, metadata.AudioKey);
            work.AnalysisSong = song;
            var summary = analyzer!.Analyze(song, token);
            work.Analysis = summary;
            work.Quarantine.AddRange(summary.Quarantined);
            var bleed = HasBleed(metadata.Folder, work.SongId);
            var plan = work.Plan!;
            if (bleed != plan.Fields.HasBleed)
            {
                plan = plan with { Fields = plan.Fields with { HasBleed = bleed } };
                work.Plan = plan;
                work.Render = SongRenderer.Render(plan, null, token);
            }

            return summary.Skipped
                ? new StageOutcome(SongStageStatus.Skipped)
                : new StageOutcome(SongStageStatus.Done, summary.TrackSeconds + summary.StemSeconds, summary.HasBleed ? "bleed found" : null);
        }

        /// <summary>yes / no from the song's own analysis (analysis/songs/&lt;Song&gt;/bleed.csv), unknown before it ran.</summary>
        private string HasBleed(string folder, string songId) =>
            BleedIndex.LoadFile(Path.Combine(layout.AnalysisDir, SongAnalyzer.SongsFolder, folder, "bleed.csv")).HasBleed(songId);

        // ---- gather and the dataset-level stages ----------------------------------------------------------------

        private async Task<PipelineSummary> FinishAsync(PipelineSourceSet source, SongWork[] songs, Stopwatch clock, TimeSpan cpuAtStart)
        {
            var quarantine = new List<QuarantineRecord>(source.Problems);
            var gatherClock = Stopwatch.StartNew();
            var gatherCpu = ThreadCpuTime.Seconds();

            // Catalog: every unit's rows, downloads, the source's own refusals.
            if (source.HasDownloads || source.Problems.Any(q => q.Stage == LibraryFetcher.Stage))
            {
                var records = songs.SelectMany(s => s.Downloads).Select(r => new DownloadRecord(
                    r.Request.Item ?? string.Empty, r.Request.Url, catalog.ToCatalogPath(r.Request.TargetPath), r.Bytes, r.Sha256 ?? string.Empty,
                    r.Status.ToString().ToLowerInvariant(), r.Attempts, r.Reason ?? string.Empty)).ToList();
                CsvTable.Write(catalog.DownloadsCsv, records);
                CatalogStore.WriteStageQuarantine(catalog, LibraryFetcher.Stage, source.Problems.Where(q => q.Stage == LibraryFetcher.Stage));
            }

            if (source.Problems.Any(q => q.Stage == "import") || File.Exists(catalog.StageQuarantinePath("import")))
            {
                CatalogStore.WriteStageQuarantine(catalog, "import", source.Problems.Where(q => q.Stage == "import"));
            }

            CatalogStore.Rebuild(catalog);

            // Labels: the per-song rows in song order.
            var labelled = songs.Where(s => s.Labels is not null).ToList();
            var songInfo = songs.Where(s => s.Unit is not null).ToDictionary(
                s => s.SongId, s => new SongInfo(s.SongId, s.Unit!.Song.Artist, s.Unit.Song.Title, s.Unit.Song.BroadGenre, s.Unit.Song.SubGenre), StringComparer.Ordinal);
            var written = labelSession!.Write(labelled.SelectMany(s => s.Labels!.Rows).ToList(), labelled.SelectMany(s => s.Labels!.Disagreements).ToList(), songInfo, source.Description);
            foreach (var w in labelled.SelectMany(s => s.Labels!.Warnings).Concat(written.Warnings))
            {
                events.Write(new PipelineEvent { Event = "warning", Stage = LabelStageName, Message = w });
            }

            // Dataset manifests and analysis tables, from the per-song truth.
            new DatasetInfo
            {
                Hierarchy = hierarchy.Name,
                HierarchyOrigin = hierarchy.Origin,
                HierarchySha256 = ContentHash.OfText(hierarchy.ToYaml()),
                Mode = renderOptions.ModeName,
                Parameters = SongRenderer.Parameters(renderOptions),
                SampleRate = renderOptions.SampleRate,
                Channels = renderOptions.Channels,
                Labels = layout.LabelsDir,
                Catalog = catalog.Root,
            }.Write(layout.DatasetDir);
            var renderFailures = songs.Where(s => s.Render?.Outcome == SongRenderOutcome.Failed).SelectMany(s => s.Render!.Problems);
            // Only this run's rendered songs: a folder left by an earlier run (a song since dropped from the source, or
            // one whose render now fails) stays on disk, but not in the manifests that splits, stats and training read.
            var rendered = songs.Where(s => s.Render is { Outcome: not SongRenderOutcome.Failed }).Select(s => s.SongId).ToHashSet(StringComparer.Ordinal);
            var gathered = DatasetManifests.Gather(layout.DatasetDir, renderFailures, rendered.Contains);
            var stale = gathered.LeftOut;
            if (stale.Count > 0)
            {
                events.Write(new PipelineEvent
                {
                    Event = "warning",
                    Stage = GatherStage,
                    Message = $"{stale.Count} song folder(s) in {layout.DatasetDir} are not part of this run and were left out of the manifests (delete them to reclaim the space): {string.Join(", ", stale.Take(10))}{(stale.Count > 10 ? ", ..." : string.Empty)}",
                });
            }

            var analysed = songs.Where(s => s.AnalysisSong is not null).Select(s => s.AnalysisSong!).ToList();
            var analysisFailures = songs.Where(s => s.FailedAt == AnalyzeStage).SelectMany(s => s.Quarantine.Where(q => q.Stage == AnalyzeStage)).ToList();
            AnalysisStage.Gather(layout.AnalysisDir, analysed, analysisFailures);
            DatasetStage(GatherStage, SongStageStatus.Done, gatherClock.Elapsed.TotalSeconds, ThreadCpuTime.Seconds() - gatherCpu, $"{gathered.Songs.Count} songs in the manifests");

            quarantine.AddRange(songs.SelectMany(s => s.Quarantine));
            quarantine = quarantine.Distinct().ToList();
            CsvTable.Write(layout.QuarantineCsv, quarantine);
            foreach (var q in quarantine)
            {
                events.Write(new PipelineEvent { Event = "quarantine", Stage = q.Stage, Song = q.Item, Message = q.Reason });
            }

            // Dataset-level stages, each keyed on its inputs.
            var inDataset = gathered.Songs.Count;
            string? statsIndex = null, reportIndex = null;
            if (inDataset == 0)
            {
                Warn("no song reached the dataset: split, stats and report skipped");
            }
            else
            {
                var splitOptions = definition.SplitOptions();
                Keyed(SplitStageName, [.. Manifests(), Hash(string.Join('\n', splitOptions.ForcedTest)), Text(definition.Split)], [SplitStage.SplitsFile, SplitStage.BalanceFile], () =>
                {
                    var r = SplitStage.Run(layout.DatasetDir, splitOptions);
                    return string.Join(", ", r.Balance.Select(b => $"{b.Split} {b.Songs}"));
                });
                if (definition.Stats)
                {
                    Keyed(StatsStage, [.. Manifests(), .. Files(SplitStage.SplitsFile, SplitStage.BalanceFile, "analysis/bleed.csv", "analysis/songs.csv")], [StatsReport.IndexFile], () =>
                    {
                        StatsReport.Write(layout.DatasetDir, DatasetStatistics.Compute(layout.DatasetDir));
                        return null;
                    });
                    statsIndex = Path.Combine(layout.DatasetDir, StatsReport.IndexFile);
                }

                if (definition.Report)
                {
                    var analysisFiles = AnalysisStage.Outputs.Keys.Select(f => $"analysis/{f}").ToArray();
                    Keyed(ReportStage, [.. Manifests(), .. Files(analysisFiles)], ["report/index.html"], () =>
                    {
                        var r = ReportBuilder.Build(AnalysisInput.Open(layout.DatasetDir), layout.ReportDir, token);
                        return $"{r.Pages} pages, {r.Excerpts} excerpts";
                    });
                    reportIndex = Path.Combine(layout.ReportDir, "index.html");
                }
            }

            await Task.CompletedTask.ConfigureAwait(false);
            var stages = SongStages.Select(s => trackers[s].Totals()).Concat(DatasetStages.Where(datasetTotals.ContainsKey).Select(s => datasetTotals[s])).ToList();
            var downloads = songs.SelectMany(s => s.Downloads).ToList();
            var summary = new PipelineSummary(
                definition.DisplayName,
                layout.Root,
                source.Description,
                layout.DatasetDir,
                Path.Combine(layout.LabelsDir, Labels.LabelStage.LongFile),
                statsIndex,
                reportIndex,
                layout.QuarantineCsv,
                layout.EventsPath,
                songs.Length,
                inDataset,
                stages,
                new DownloadTotals(
                    downloads.Count(d => d.Status == DownloadStatus.Complete),
                    downloads.Count(d => d.Status == DownloadStatus.Skipped),
                    downloads.Count(d => d.Status == DownloadStatus.Failed),
                    downloads.Sum(d => d.BytesTransferred)),
                quarantine,
                warnings,
                gathered.Songs.Sum(s => s.DurationS),
                clock.Elapsed,
                (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds,
                source.SynthDir);
            foreach (var stage in stages)
            {
                events.Write(new PipelineEvent
                {
                    Event = "stage",
                    Stage = stage.Stage,
                    Status = "totals",
                    Total = stage.Songs,
                    Done = stage.Done,
                    Seconds = stage.BusySeconds,
                    CpuS = stage.CpuSeconds,
                    AudioS = stage.AudioSeconds,
                    Message = $"done {stage.Done}, skipped {stage.Skipped}, metadata {stage.Metadata}, failed {stage.Failed}, not run {stage.NotRun}",
                });
            }

            AtomicFile.WriteAllText(layout.SummaryPath, JsonSerializer.Serialize(summary, SummaryJson) + "\n");
            return summary;
        }

        private static readonly JsonSerializerOptions SummaryJson = new(SchemaValidatedConfig.JsonOptions) { WriteIndented = true };

        private readonly Dictionary<string, StageTotals> datasetTotals = new(StringComparer.Ordinal);

        private void DatasetStage(string stage, SongStageStatus status, double seconds, double cpuSeconds, string? message)
        {
            var done = status == SongStageStatus.Done ? 1 : 0;
            datasetTotals[stage] = new StageTotals(stage, 1, done, status == SongStageStatus.Skipped ? 1 : 0, 0, 0, 0, Math.Round(seconds, 3), Math.Round(Math.Max(0, cpuSeconds), 3), 0);
            events.Write(new PipelineEvent
            {
                Event = "stage",
                Stage = stage,
                Status = Status(status),
                Done = 1,
                Total = 1,
                Seconds = Math.Round(seconds, 4),
                CpuS = cpuSeconds > 0 ? Math.Round(cpuSeconds, 4) : null,
                Message = message,
            });
            Progress?.Report(new StageProgress(stage, stage, 1, 1, message is null ? Status(status) : $"{Status(status)}: {message}"));
        }

        /// <summary>Runs a dataset-level stage unless its key (inputs + parameters) matches the stored one and its outputs exist.</summary>
        private void Keyed(string stage, string[] inputs, string[] outputs, Func<string?> work)
        {
            token.ThrowIfCancellationRequested();
            var key = ContentHash.OfParts([stage, .. inputs]);
            var statePath = layout.StatePath(stage);
            var stored = File.Exists(statePath) ? File.ReadAllText(statePath).Trim() : null;
            if (stored == key && outputs.All(o => File.Exists(Path.Combine(layout.DatasetDir, o))))
            {
                DatasetStage(stage, SongStageStatus.Skipped, 0, 0, null);
                return;
            }

            var clock = Stopwatch.StartNew();
            var cpu = ThreadCpuTime.Seconds();
            var message = work();
            AtomicFile.WriteAllText(statePath, key + "\n");
            DatasetStage(stage, SongStageStatus.Done, clock.Elapsed.TotalSeconds, ThreadCpuTime.Seconds() - cpu, message);
        }

        private string[] Manifests() => Files(DatasetManifests.SongsFile, DatasetManifests.StemsFile, DatasetManifests.RawTracksFile, DatasetInfo.FileName);

        private string[] Files(params string[] relative) => relative.Select(r =>
        {
            var path = Path.Combine(layout.DatasetDir, r);
            return $"{r}={(File.Exists(path) ? ContentHash.OfFileFast(path) : "absent")}";
        }).ToArray();

        private static string Hash(string text) => ContentHash.OfText(text);

        private static string Text<T>(T value) => JsonSerializer.Serialize(value, SchemaValidatedConfig.JsonOptions);

        private void Warn(string message)
        {
            warnings.Add(message);
            events.Write(new PipelineEvent { Event = "warning", Message = message });
        }
    }

    /// <summary>One song's stored labels (`labels/work/&lt;song_id&gt;.json`) with the key they were made under.</summary>
    private sealed record LabelUnit(string Key, SongLabels Labels)
    {
        public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, SchemaValidatedConfig.JsonOptions));

        public static LabelUnit? TryLoad(string path)
        {
            if (!File.Exists(path))
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize<LabelUnit>(File.ReadAllText(path), SchemaValidatedConfig.JsonOptions);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
