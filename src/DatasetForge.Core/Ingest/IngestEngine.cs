using System.Diagnostics;
using System.Globalization;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Extract;
using DatasetForge.Ingest.Import;
using DatasetForge.Ingest.Probe;
using DatasetForge.Ingest.Scrape;

namespace DatasetForge.Ingest;

/// <summary>Parameters of ingest; <see cref="Fingerprint"/> is part of every song's key.</summary>
public sealed record IngestOptions
{
    /// <summary>Songs ingested at once.</summary>
    public int Concurrency { get; init; } = Math.Max(1, Environment.ProcessorCount);

    public ExtractOptions Extract { get; init; } = new();

    public ProbeOptions Probe { get; init; } = new();

    /// <summary>Redo songs even when their stored unit has the same key.</summary>
    public bool Force { get; init; }

    public string Fingerprint => $"ingest/1|{Extract.Fingerprint}|{Probe.Fingerprint}";
}

/// <summary>One song's ingest: its unit, whether it was skipped as already done, and how much it processed.</summary>
public sealed record SongIngestResult(SongUnit Unit, bool Skipped, long ArchiveBytes, long AudioBytes);

/// <summary>What a library ingest did (songs processed now vs skipped) and the catalog it left.</summary>
public sealed record IngestSummary(
    int Songs,
    int Ingested,
    int Skipped,
    int TracksProbed,
    long ArchiveBytes,
    long AudioBytes,
    TimeSpan Elapsed,
    CatalogStore.Totals Catalog,
    IReadOnlyList<QuarantineRecord> Quarantined);

/// <summary>
/// Ingests songs into a catalog, one independent unit per song (<see cref="IngestSongAsync"/>): extract the song's
/// archives into a temp folder and rename it into <c>songs/&lt;song_id&gt;/</c> (atomic), or take its files in place;
/// probe every audio file; check the song; store the unit (<c>work/ingest/&lt;song_id&gt;.json</c>) under a key
/// hashed from the inputs and parameters, so a re-run skips it. Nothing a song does can stop the others: every
/// failure becomes quarantine rows. <see cref="IngestAsync"/> runs many units and rebuilds the catalog CSVs.
/// </summary>
public sealed class IngestEngine
{
    public const string Stage = "ingest";

    private readonly CatalogLayout layout;
    private readonly IngestOptions options;

    public IngestEngine(CatalogLayout layout, IngestOptions? options = null)
    {
        this.layout = layout;
        this.options = options ?? new IngestOptions();
    }

    public CatalogLayout Layout => layout;

    /// <summary>
    /// Gives every source its song id: preset ids (a scraped catalog's) first, then "Artist - Title" made unique
    /// against the ids already in the catalog (an origin that was ingested before keeps its id).
    /// </summary>
    public IReadOnlyList<SongSource> AssignIds(IEnumerable<SongSource> sources)
    {
        var list = sources.ToList();
        var allocator = new SongIdAllocator();
        foreach (var unit in CatalogStore.LoadUnits(layout))
        {
            allocator.Reserve(unit.Song.SongId, unit.Song.Origin);
        }

        if (File.Exists(layout.ProjectsCsv))
        {
            // The scraper already made the projects' ids unique; a project that arrives here with its id preset must
            // keep that id even when the caller names its origin differently (the demo names archives, not URLs).
            var presets = list.Select(s => s.SongId).OfType<string>().ToHashSet(StringComparer.Ordinal);
            foreach (var project in CatalogStore.ReadProjects(layout).Where(p => p.SongId.Length > 0 && !presets.Contains(p.SongId)))
            {
                allocator.Reserve(project.SongId, LibraryScraper.Origin(project));
            }
        }

        var ids = new string?[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].SongId is { Length: > 0 } preset)
            {
                ids[i] = allocator.AllocateId(preset, list[i].Origin);
            }
        }

        for (var i = 0; i < list.Count; i++)
        {
            ids[i] ??= allocator.Allocate(list[i].Artist, list[i].Title, list[i].Origin);
        }

        return list.Select((s, i) => s with { SongId = ids[i] }).ToList();
    }

    /// <summary>The key of a song's unit: its inputs (files by size and time, or download hash) and the parameters.</summary>
    public string KeyOf(SongSource song)
    {
        var parts = new List<string>
        {
            options.Fingerprint, song.Origin, song.SongId ?? string.Empty, song.Source, song.Artist, song.Title,
            song.BroadGenre, song.SubGenre, song.Split, song.MissingReason ?? string.Empty,
        };
        for (var i = 0; i < song.Archives.Count; i++)
        {
            var archive = song.Archives[i];
            parts.Add("archive");
            parts.Add(Download.Downloader.ReadSidecar(archive)?.Sha256
                ?? (i < song.ArchiveHashes.Count && song.ArchiveHashes[i].Length > 0 && File.Exists(archive) ? song.ArchiveHashes[i] : null)
                ?? FileStamp(archive));
        }

        foreach (var track in song.Tracks)
        {
            parts.Add($"track|{track.Path}|{track.Kind}|{track.Label}|{FileStamp(track.Path)}");
        }

        foreach (var aside in song.AsideFiles)
        {
            parts.Add($"aside|{aside}");
        }

        return ContentHash.OfParts([.. parts]);
    }

    /// <summary>Ingests one song (its <see cref="SongSource.SongId"/> must be assigned). Never throws for bad input.</summary>
    public Task<SongIngestResult> IngestSongAsync(SongSource song, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => IngestSong(song, progress, cancellationToken), cancellationToken);

    /// <summary>The synchronous body of <see cref="IngestSongAsync"/> (for callers that schedule work themselves).</summary>
    public SongIngestResult IngestSong(SongSource song, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var songId = song.SongId ?? throw new ArgumentException($"{song.Origin}: song id not assigned (call AssignIds first)", nameof(song));
        if (!SongIds.IsSafe(songId))
        {
            throw new ArgumentException($"{song.Origin}: song id '{songId}' is not a safe folder name", nameof(song));
        }

        var key = KeyOf(song);
        var unitPath = layout.UnitPath(songId);
        var existing = options.Force ? null : SongUnit.TryLoad(unitPath);
        if (existing is not null && existing.Key == key && (song.Archives.Count == 0 || existing.Song.Status == "failed" || Directory.Exists(layout.SongDir(songId))))
        {
            progress?.Report(new StageProgress(Stage, songId, 1, 1, "done before"));
            return new SongIngestResult(existing, Skipped: true, 0, 0);
        }

        SongIngestResult result;
        try
        {
            result = Run(song, songId, key, progress, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            var reason = $"{e.GetType().Name}: {e.Message}";
            var unit = new SongUnit(key, SongRow(song, songId, key, 0, null, null, "failed", 0, $"error ({reason})"), [], [],
                [new QuarantineRecord(songId, Stage, reason)]);
            result = new SongIngestResult(unit, false, 0, 0);
        }

        result.Unit.Save(unitPath);
        progress?.Report(new StageProgress(Stage, songId, 1, 1, result.Unit.Song.Status, result.ArchiveBytes));
        return result;
    }

    /// <summary>Assigns ids, ingests every song (<see cref="IngestOptions.Concurrency"/> at once), rebuilds the catalog CSVs.</summary>
    public async Task<IngestSummary> IngestAsync(IEnumerable<SongSource> songs, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var assigned = AssignIds(songs);
        var results = new SongIngestResult[assigned.Count];
        var done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, assigned.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency), CancellationToken = cancellationToken },
            (i, ct) =>
            {
                results[i] = IngestSong(assigned[i], null, ct);
                var n = Interlocked.Increment(ref done);
                var unit = results[i].Unit;
                progress?.Report(new StageProgress(Stage, unit.SongId, n, assigned.Count,
                    results[i].Skipped ? "done before" : $"{unit.Song.Status}, {unit.Tracks.Count} tracks", results[i].ArchiveBytes + results[i].AudioBytes));
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        var totals = CatalogStore.Rebuild(layout);
        var ingested = results.Where(r => !r.Skipped).ToList();
        return new IngestSummary(
            assigned.Count,
            ingested.Count,
            results.Length - ingested.Count,
            ingested.Sum(r => r.Unit.Tracks.Count),
            ingested.Sum(r => r.ArchiveBytes),
            ingested.Sum(r => r.AudioBytes),
            clock.Elapsed,
            totals,
            results.SelectMany(r => r.Unit.Quarantine).ToList());
    }

    /// <summary>
    /// <c>forge ingest SOURCE --out DIR</c>: scans SOURCE with the importer of <paramref name="format"/> (or the
    /// detected one), records the importer's problems (stage quarantine "import"), and ingests every song into DIR.
    /// </summary>
    public async Task<IngestSummary> IngestSourceAsync(string sourceRoot, string? format, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var importer = DatasetImporters.For(sourceRoot, format);
        var scan = importer.Scan(sourceRoot);
        if (scan.Problems.Count > 0 || File.Exists(layout.StageQuarantinePath("import")))
        {
            CatalogStore.WriteStageQuarantine(layout, "import", scan.Problems);
        }

        if (importer is MtkCatalogImporter && !SamePath(sourceRoot, layout.Root) && File.Exists(new CatalogLayout(sourceRoot).ProjectsCsv) && !File.Exists(layout.ProjectsCsv))
        {
            // Keep the scraped metadata beside the catalog it produced.
            Directory.CreateDirectory(layout.CatalogDir);
            File.Copy(new CatalogLayout(sourceRoot).ProjectsCsv, layout.ProjectsCsv);
        }

        return await IngestAsync(scan.Songs, progress, cancellationToken).ConfigureAwait(false);
    }

    private SongIngestResult Run(SongSource song, string songId, string key, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        if (song.MissingReason is { } missing)
        {
            var row = SongRow(song, songId, key, 0, null, null, "missing", 0, $"missing ({missing})");
            return new SongIngestResult(new SongUnit(key, row, [], [], [new QuarantineRecord(songId, "fetch", missing)]), false, 0, 0);
        }

        var quarantine = new List<QuarantineRecord>();
        var files = new List<(string Path, string File, string Kind, string Label)>();
        var aside = new List<AsideRecord>();
        long archiveBytes = 0;
        if (song.Archives.Count > 0)
        {
            var songDir = layout.SongDir(songId);
            var extracted = ExtractArchives(song, songId, songDir, quarantine, progress, cancellationToken, out archiveBytes);
            if (extracted is null)
            {
                var reasons = string.Join("; ", quarantine.Where(q => q.Stage == ArchiveExtractor.Stage && !q.Item.Contains('!')).Select(q => q.Reason));
                var row = SongRow(song, songId, key, 0, null, null, "failed", 0, $"archive_rejected ({reasons})");
                return new SongIngestResult(new SongUnit(key, row, [], [], quarantine), false, archiveBytes, 0);
            }

            foreach (var entry in extracted)
            {
                if (entry.Role == EntryAction.Audio)
                {
                    files.Add((Path.Combine(songDir, "audio", entry.RelativePath), Path.GetFileName(entry.RelativePath), "raw", string.Empty));
                }
                else
                {
                    var path = Path.Combine(songDir, "aside", entry.RelativePath);
                    aside.Add(new AsideRecord(songId, Path.GetFileName(entry.RelativePath), layout.ToCatalogPath(path), entry.AsideKind, entry.Bytes));
                }
            }
        }

        foreach (var track in song.Tracks)
        {
            files.Add((track.Path, Path.GetFileName(track.Path), track.Kind, track.Label));
        }

        foreach (var file in song.AsideFiles)
        {
            aside.Add(new AsideRecord(songId, Path.GetFileName(file), layout.ToCatalogPath(file), EntryPolicy.AsideKindOf(file), SizeOf(file)));
        }

        // Probe every audio file, then judge the song as a whole.
        var probes = new List<TrackProbeResult>(files.Count);
        long audioBytes = 0;
        for (var i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            probes.Add(TrackProbe.Probe(files[i].Path, options.Probe, cancellationToken));
            var size = SizeOf(files[i].Path);
            audioBytes += size;
            progress?.Report(new StageProgress("probe", songId, i + 1, files.Count, files[i].File, size, probes[^1].Info?.DurationSeconds ?? 0));
        }

        var verdict = SongChecks.Check(probes, options.Probe);
        var tracks = new List<TrackRecord>(files.Count);
        for (var i = 0; i < files.Count; i++)
        {
            var p = probes[i];
            var info = p.Readable ? p.Info : null;
            tracks.Add(new TrackRecord(
                SongId: songId,
                File: files[i].File,
                Path: layout.ToCatalogPath(files[i].Path),
                Channels: info?.Channels,
                SampleRate: info?.SampleRate,
                BitDepth: info?.BitDepth,
                Encoding: info?.Encoding.ToCatalogName() ?? string.Empty,
                Frames: info?.Frames,
                DurationS: info is null ? null : Math.Round(info.DurationSeconds, 6),
                PeakDbfs: info is null ? null : Math.Round(p.PeakDbfs, 3),
                SilentFraction: info is null ? null : Math.Round(p.SilentFraction, 6),
                Flags: Flag.Join(verdict.TrackFlags[i]),
                DcOffset: info is null ? null : Math.Round(p.DcOffset, 7),
                Kind: files[i].Kind,
                SourceLabel: files[i].Label,
                SizeBytes: SizeOf(files[i].Path)));
            foreach (var flag in verdict.TrackFlags[i].Where(f => f.Code is "unreadable" or "empty"))
            {
                quarantine.Add(new QuarantineRecord($"{songId}/{files[i].File}", "probe", flag.ToString()));
            }
        }

        var songFlags = verdict.SongFlags.ToList();
        var otherAudio = aside.Count(a => a.Kind == "audio_other" && !a.File.EndsWith(".mp3", StringComparison.OrdinalIgnoreCase));
        if (otherAudio > 0)
        {
            songFlags.Add(new Flag("other_audio_aside", $"{otherAudio} audio file(s) in formats we do not read (FLAC, Ogg, M4A...) listed aside"));
        }

        if (verdict.Status == "failed")
        {
            quarantine.Add(new QuarantineRecord(songId, Stage, $"no usable audio: {Flag.Join(songFlags)}"));
        }

        var status = verdict.Status == "ok" && songFlags.Count > 0 ? "flagged" : verdict.Status;
        var song_ = SongRow(song, songId, key, files.Count, verdict.SampleRate, verdict.DurationSeconds, status, aside.Count, Flag.Join(songFlags));
        return new SongIngestResult(new SongUnit(key, song_, tracks, aside, quarantine), false, archiveBytes, audioBytes);
    }

    /// <summary>Extracts all archives of a song into a temp folder and renames it into place. Null when an archive was rejected.</summary>
    private List<ExtractedEntry>? ExtractArchives(
        SongSource song, string songId, string songDir, List<QuarantineRecord> quarantine, IProgress<StageProgress>? progress, CancellationToken cancellationToken, out long archiveBytes)
    {
        archiveBytes = 0;
        Directory.CreateDirectory(layout.SongsDir);
        var temp = Path.Combine(layout.SongsDir, $".{songId}.{Guid.NewGuid():N}.tmp");
        var entries = new List<ExtractedEntry>();
        try
        {
            foreach (var archive in song.Archives)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new StageProgress(ArchiveExtractor.Stage, songId, 0, song.Archives.Count, Path.GetFileName(archive)));
                try
                {
                    var result = ArchiveExtractor.Extract(archive, Path.Combine(temp, "audio"), Path.Combine(temp, "aside"), options.Extract, cancellationToken, progress);
                    archiveBytes += result.ArchiveBytes;
                    entries.AddRange(result.Files);
                    quarantine.AddRange(result.Refused);
                }
                catch (ArchiveRejectedException e)
                {
                    quarantine.Add(new QuarantineRecord(Path.GetFileName(archive), ArchiveExtractor.Stage, e.Reason));
                    return null;
                }
            }

            // Atomic: the song folder appears complete or not at all; an older version is replaced in one rename.
            Directory.CreateDirectory(temp);
            string? old = null;
            if (Directory.Exists(songDir))
            {
                old = Path.Combine(layout.SongsDir, $".{songId}.{Guid.NewGuid():N}.old.tmp");
                Directory.Move(songDir, old);
            }

            Directory.Move(temp, songDir);
            if (old is not null)
            {
                Directory.Delete(old, recursive: true);
            }

            return entries;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                try
                {
                    Directory.Delete(temp, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static SongRecord SongRow(SongSource song, string songId, string key, int nTracks, int? rate, double? duration, string status, int nAside, string flags) =>
        new(songId, song.Artist, song.Title, song.BroadGenre, song.SubGenre, song.Source, nTracks, rate, duration, status, song.Split, nAside, flags, song.Origin, key);

    private static long SizeOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string FileStamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}") : "absent";
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd('/'), Path.GetFullPath(b).TrimEnd('/'), StringComparison.Ordinal);
}
