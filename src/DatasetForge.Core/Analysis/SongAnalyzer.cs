using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DatasetForge.Analysis.Activity;
using DatasetForge.Analysis.Bleed;
using DatasetForge.Analysis.Saliency;
using DatasetForge.Analysis.VocalQuality;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Hierarchy;

namespace DatasetForge.Analysis;

/// <summary>What one song's analysis did: skipped (same key), analysed, or failed; with the audio it read and the time each part took.</summary>
public sealed record SongAnalysisSummary(
    string SongId,
    string Folder,
    bool Skipped,
    string Key,
    int Tracks,
    int Stems,
    double TrackSeconds,
    double StemSeconds,
    bool HasBleed,
    IReadOnlyList<QuarantineRecord> Quarantined,
    IReadOnlyDictionary<string, double> CpuSeconds);

/// <summary>
/// The per-song unit of the analysis stage: reads the song's raw tracks (and stems), runs SAD/MixIT, hierarchical
/// saliency, bleed detection and vocal quality, and writes `analysis/songs/&lt;Song&gt;/` atomically: segments.csv,
/// saliency.csv, bleed.csv, bleed_pairs.csv, vocal_quality.csv, song.csv, quarantine.csv, then analysis.json (the
/// key: the hash of the parameters, the bleed calibration, the hierarchy, the labels and the input files' content
/// hashes). A second run
/// with the same key does nothing. Thread-safe: units of different songs run in parallel.
/// </summary>
public sealed class SongAnalyzer
{
    public const string SongsFolder = "songs";
    public const string StateFile = "analysis.json";
    public static readonly IReadOnlyList<string> Files = ["segments.csv", "saliency.csv", "bleed.csv", "bleed_pairs.csv", "vocal_quality.csv", "song.csv", "quarantine.csv"];

    private readonly AnalysisOptions options;
    private readonly BleedCalibration calibration;
    private readonly HierarchyDefinition hierarchy;
    private readonly string analysisDir;

    public SongAnalyzer(AnalysisOptions options, BleedCalibration calibration, HierarchyDefinition hierarchy, string analysisDir)
    {
        this.options = options;
        this.calibration = calibration;
        this.hierarchy = hierarchy;
        this.analysisDir = analysisDir;
    }

    public string SongDir(AnalysisSong song) => Path.Combine(analysisDir, SongsFolder, song.Folder);

    public SongAnalysisSummary Analyze(AnalysisSong song, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(song);
        var dir = SongDir(song);
        var statePath = Path.Combine(dir, StateFile);
        var previous = ReadState(statePath);
        var fileHashes = new JsonObject();
        var inputs = new List<string> { options.Key(), calibration.ToYaml(string.Empty), hierarchy.ToYaml(), song.SongId, song.RenderKey ?? string.Empty };
        foreach (var (path, what) in song.Tracks.Select(t => (t.Path, $"raw:{t.File}:{t.Label}")).Concat(song.Stems.Select(s => (s.Path, $"stem:{s.Level}:{s.Node}:{s.Status}"))))
        {
            inputs.Add(what);
            inputs.Add(FileHash(path, previous, fileHashes));
        }

        var key = ContentHash.OfParts([.. inputs]);
        if (previous?["key"]?.GetValue<string>() == key && Files.All(f => File.Exists(Path.Combine(dir, f))))
        {
            // Unchanged: nothing to do, but files it could not read then are still unreadable.
            var known = CsvTable.Read<QuarantineRecord>(Path.Combine(dir, "quarantine.csv"));
            return new SongAnalysisSummary(song.SongId, song.Folder, true, key, song.Tracks.Count, song.Stems.Count, 0, 0,
                previous["has_bleed"]?.GetValue<bool>() ?? false, known, new Dictionary<string, double>());
        }

        var cpu = new Dictionary<string, double>();
        var quarantine = new List<QuarantineRecord>();
        var segments = new List<SegmentRow>();
        var bleedInputs = new List<BleedTrackInput>();
        var coverage = new Dictionary<string, double>(StringComparer.Ordinal);
        var vocals = new List<(AnalysisTrack Track, SignalQuality Quality)>();
        double trackSeconds = 0, stemSeconds = 0;

        // Raw tracks: read once each for SAD/MixIT, the bleed detector's input and the vocal checks.
        foreach (var track in song.Tracks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AudioBuffer audio;
            try
            {
                audio = Time(cpu, "read", () => AudioFile.ReadAll(track.Path));
            }
            catch (Exception e) when (e is AudioFormatException or IOException or UnauthorizedAccessException)
            {
                quarantine.Add(new QuarantineRecord($"{song.SongId} / {track.File}", "analysis", e.Message));
                continue;
            }

            trackSeconds += audio.DurationSeconds;
            var sad = Time(cpu, "sad", () => BsrnnActivityDetector.Detect(audio.Channels, audio.SampleRate, options.Sad));
            var mixit = Time(cpu, "sad", () => MixitClipFilter.Detect(audio.Channels, audio.SampleRate, options.Mixit));
            AddSegments(segments, song.SongId, "raw", 0, track.File, sad, mixit);
            coverage[track.File] = sad.Coverage;
            bleedInputs.Add(Time(cpu, "bleed", () => BleedTrackInput.FromAudio(track.File, track.Label, track.Instrument, audio, options.Bleed.AnalysisRate)));
            if (IsVocal(track.Instrument))
            {
                vocals.Add((track, Time(cpu, "vocal_quality", () => VocalQualityAnalyzer.Analyze(audio, options.VocalQuality))));
            }
        }

        var detector = new BleedDetector(options.Bleed, calibration) { IsExcluded = hierarchy.IsExcluded };
        var bleed = Time(cpu, "bleed", () => detector.Analyze(bleedInputs, cancellationToken));

        // Stems: SAD/MixIT, and the hierarchical saliency from them (or from the raw tracks before rendering).
        var stemSources = new Dictionary<(int, string), IBlockSource>();
        var opened = new List<FileBlockSource>();
        var saliency = new List<SaliencyRow>();
        try
        {
            var stemRate = 0;
            long stemFrames = 0;
            foreach (var stem in song.Stems)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var audio = Time(cpu, "read", () => AudioFile.ReadAll(stem.Path));
                    if (stemRate == 0)
                    {
                        stemRate = audio.SampleRate;
                    }

                    if (audio.SampleRate != stemRate)
                    {
                        throw new AudioFormatException(stem.Path, $"stem rate {audio.SampleRate} Hz differs from the song's {stemRate} Hz (all stems of a song share one rate)");
                    }

                    stemSeconds += audio.DurationSeconds;
                    var sad = Time(cpu, "sad", () => BsrnnActivityDetector.Detect(audio.Channels, audio.SampleRate, options.Sad));
                    var mixit = Time(cpu, "sad", () => MixitClipFilter.Detect(audio.Channels, audio.SampleRate, options.Mixit));
                    AddSegments(segments, song.SongId, "stem", stem.Level, stem.Node, sad, mixit);
                    var source = new FileBlockSource(stem.Path);
                    opened.Add(source);
                    stemSources[(stem.Level, stem.Node)] = source;
                    stemFrames = Math.Max(stemFrames, audio.Frames);
                }
                catch (Exception e) when (e is AudioFormatException or IOException or UnauthorizedAccessException)
                {
                    quarantine.Add(new QuarantineRecord($"{song.SongId} / stem L{stem.Level} {stem.Node}", "analysis", e.Message));
                }
            }

            IReadOnlyList<SaliencyFrame> frames;
            if (stemSources.Count > 0)
            {
                frames = Time(cpu, "saliency", () => HierarchicalSaliency.Compute(hierarchy, stemRate, stemFrames, stemSources, [], options.Saliency, cancellationToken));
            }
            else
            {
                // Before rendering: submixes of the raw tracks as the bleed detector holds them (mono, analysis rate).
                var leaves = bleedInputs.Where(b => b.Signal.Length > 0).Select(b => new SaliencyLeaf(b.Label, new ArrayBlockSource([b.Signal]))).ToList();
                var length = bleedInputs.Count == 0 ? 0 : bleedInputs.Max(b => b.Signal.Length);
                frames = Time(cpu, "saliency", () => HierarchicalSaliency.Compute(hierarchy, options.Bleed.AnalysisRate, length,
                    new Dictionary<(int, string), IBlockSource>(), leaves, options.Saliency, cancellationToken));
            }

            saliency.AddRange(frames.Select(f => new SaliencyRow(song.SongId, f.Level, f.Node, f.Frame, R(f.StartSeconds), R(f.EndSeconds), R(f.RmsDb, 2), f.Salient)));
        }
        finally
        {
            foreach (var source in opened)
            {
                source.Dispose();
            }
        }

        var bleedRows = bleed.Tracks.Select(t => new BleedRow(song.SongId, t.File, R(t.Probability), N(t.LevelDb, 2), t.Top is null ? null : R(t.DelayMs, 3),
            string.Join(" | ", t.Sources), t.Harmful, t.Detected, t.Label, t.Instrument, t.Top?.Source ?? string.Empty,
            N(t.Top?.PsrQuiet ?? double.NaN, 2), N(t.Top?.PsrAll ?? double.NaN, 2), N(t.Top?.Coherence ?? double.NaN), N(t.Top?.EnergyR ?? double.NaN), N(t.Top?.EnergyZ ?? double.NaN, 2),
            t.ExcerptStartSeconds, t.ExcerptEndSeconds, R(coverage.GetValueOrDefault(t.File)))).ToList();
        var pairRows = bleed.Pairs.Select(p => new BleedPairRow(song.SongId, p.File, p.Source, p.Rank, R(p.Probability), N(p.LevelDb, 2), R(p.DelayMs, 3),
            R(p.PsrQuiet, 2), R(p.PsrAll, 2), R(p.Coherence), R(p.EnergyR), R(p.EnergyZ, 2), Relation(p.Relation), p.Harmful)).ToList();
        var vocalRows = VocalRows(song.SongId, vocals, bleed);
        var harmful = bleed.Tracks.Where(t => t.Harmful).ToList();
        var songRow = new AnalysisSongRow(song.SongId, song.Folder, song.Tracks.Count, bleed.HasBleed, bleed.Tracks.Count(t => t.Detected), harmful.Count,
            string.Join(" | ", harmful.Select(t => t.Instrument).Distinct().Order(StringComparer.Ordinal)),
            string.Join(" | ", harmful.Select(t => hierarchy.Depth >= 2 ? hierarchy.NodeAt(t.Label, 2) : t.Instrument).OfType<string>().Distinct().Order(StringComparer.Ordinal)),
            vocalRows.FirstOrDefault(v => v.Scope == "song")?.VocalQuality.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            R(coverage.Count == 0 ? 0 : coverage.Values.Average()), quarantine.Count);

        Directory.CreateDirectory(dir);
        CsvTable.Write(Path.Combine(dir, "segments.csv"), segments);
        CsvTable.Write(Path.Combine(dir, "saliency.csv"), saliency);
        CsvTable.Write(Path.Combine(dir, "bleed.csv"), bleedRows);
        CsvTable.Write(Path.Combine(dir, "bleed_pairs.csv"), pairRows);
        CsvTable.Write(Path.Combine(dir, "vocal_quality.csv"), vocalRows);
        CsvTable.Write(Path.Combine(dir, "song.csv"), [songRow]);
        CsvTable.Write(Path.Combine(dir, "quarantine.csv"), quarantine);
        var state = new JsonObject
        {
            ["key"] = key,
            ["song_id"] = song.SongId,
            ["has_bleed"] = bleed.HasBleed,
            ["files"] = fileHashes,
            ["track_seconds"] = R(trackSeconds),
            ["stem_seconds"] = R(stemSeconds),
            ["seconds"] = new JsonObject(cpu.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(R(kv.Value))))),
        };
        AtomicFile.WriteAllText(statePath, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new SongAnalysisSummary(song.SongId, song.Folder, false, key, song.Tracks.Count, song.Stems.Count, trackSeconds, stemSeconds, bleed.HasBleed, quarantine, cpu);
    }

    /// <summary>True for level-1 instruments that hold vocals (lead_vocal, backing_vocal, vocals, ...).</summary>
    public static bool IsVocal(string instrument) => instrument.Contains("vocal", StringComparison.OrdinalIgnoreCase);

    private List<VocalQualityRow> VocalRows(string songId, List<(AnalysisTrack Track, SignalQuality Quality)> vocals, BleedSongResult bleed)
    {
        var rows = new List<VocalQualityRow>();
        foreach (var (track, q) in vocals)
        {
            var b = bleed.Tracks.FirstOrDefault(t => t.File == track.File);
            var heard = b is { Detected: true, Harmful: true };
            var reason = b is null ? "not analysed for bleed"
                : heard ? string.Create(CultureInfo.InvariantCulture, $"bleed heard: p={b.Probability:F2}, {b.LevelDb:F1} dB from {string.Join(", ", b.Sources)}")
                : string.Create(CultureInfo.InvariantCulture, $"clean: bleed probability {b.Probability:F2}{(b.Detected ? " (leakage within the drum kit or from an excluded track)" : string.Empty)}");
            rows.Add(new VocalQualityRow(songId, "track", track.File, track.Label, heard ? 0 : 1, R(b?.Probability ?? 0), reason,
                q.Clipping.Raised, (int)q.Clipping.Value, R(q.Clipping.AtSeconds, 3), q.Clipping.Reason,
                q.NoiseFloor.Raised, N(q.NoiseFloor.Value, 2), R(q.NoiseFloor.AtSeconds, 3), q.NoiseFloor.Reason,
                q.Hum.Raised, q.HumHz, N(q.Hum.Value, 2), q.Hum.Reason,
                q.DcOffset.Raised, R(q.DcOffset.Value, 2), q.DcOffset.Reason));
        }

        if (rows.Count > 0)
        {
            var worstBleed = rows.MaxBy(r => r.BleedProb)!;
            var flagged = rows.Where(r => r.VocalQuality == 0).Select(r => r.File).ToList();
            rows.Add(new VocalQualityRow(songId, "song", string.Empty, string.Empty, flagged.Count > 0 ? 0 : 1, worstBleed.BleedProb,
                flagged.Count > 0 ? $"bleed heard on {string.Join(", ", flagged)}" : $"all {rows.Count} vocal tracks clean",
                rows.Any(r => r.Clipping), rows.Max(r => r.ClippingRuns), -1, Summary(rows.Where(r => r.Clipping).Select(r => r.File), "clipping"),
                rows.Any(r => r.NoiseFloor), rows.Select(r => r.NoiseFloorDbfs).Where(v => v is not null).DefaultIfEmpty(null).Max(), -1,
                Summary(rows.Where(r => r.NoiseFloor).Select(r => r.File), "noise floor above the limit"),
                rows.Any(r => r.Hum), rows.FirstOrDefault(r => r.Hum)?.HumHz ?? 0, rows.Select(r => r.HumDb).Where(v => v is not null).DefaultIfEmpty(null).Max(),
                Summary(rows.Where(r => r.Hum).Select(r => r.File), "hum"),
                rows.Any(r => r.DcOffset), rows.Max(r => r.DcOffsetDbfs), Summary(rows.Where(r => r.DcOffset).Select(r => r.File), "DC offset")));
        }

        return rows;

        static string Summary(IEnumerable<string> files, string what)
        {
            var list = files.ToList();
            return list.Count == 0 ? $"no vocal track has {what}" : $"{what}: {string.Join(", ", list)}";
        }
    }

    private static void AddSegments(List<SegmentRow> rows, string songId, string source, int level, string name, ActivityResult sad, ActivityResult mixit)
    {
        rows.AddRange(sad.Segments.Select(s => new SegmentRow(songId, source, level, name, "bsrnn", R(s.StartSeconds), R(s.EndSeconds), s.Salient)));
        rows.AddRange(mixit.Segments.Select(s => new SegmentRow(songId, source, level, name, "mixit", R(s.StartSeconds), R(s.EndSeconds), s.Salient)));
    }

    private static string Relation(BleedRelation relation) => relation switch
    {
        BleedRelation.Bleed => "bleed",
        BleedRelation.SameSource => "same_source",
        _ => "none",
    };

    /// <summary>The content hash of a file, reusing the previous run's when its size and write time are unchanged.</summary>
    private static string FileHash(string path, JsonObject? previous, JsonObject hashes)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return "missing";
        }

        var stamp = string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}");
        var known = previous?["files"]?[path];
        var hash = known?["stamp"]?.GetValue<string>() == stamp && known["sha256"]?.GetValue<string>() is { } h ? h : ContentHash.OfFile(path);
        hashes[path] = new JsonObject { ["stamp"] = stamp, ["sha256"] = hash };
        return hash;
    }

    private static JsonObject? ReadState(string path)
    {
        try
        {
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static T Time<T>(Dictionary<string, double> cpu, string part, Func<T> work)
    {
        var start = Stopwatch.GetTimestamp();
        var result = work();
        lock (cpu)
        {
            cpu[part] = cpu.GetValueOrDefault(part) + Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        return result;
    }

    private static double R(double value, int digits = 4) => double.IsFinite(value) ? Math.Round(value, digits) : 0;

    private static double? N(double value, int digits = 4) => double.IsFinite(value) ? Math.Round(value, digits) : null;
}
