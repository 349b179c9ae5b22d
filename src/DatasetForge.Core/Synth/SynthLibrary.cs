using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DatasetForge.Audio;
using DatasetForge.Common;

namespace DatasetForge.Synth;

/// <summary>What a generation run produced.</summary>
public sealed record SynthSummary(
    string OutDir,
    int Songs,
    int Artists,
    int Tracks,
    int DefectiveFiles,
    string? BrokenArchive,
    long ArchiveBytes,
    double AudioSeconds,
    IReadOnlyDictionary<string, int> BleedRows,
    TimeSpan Elapsed);

/// <summary>Everything one song contributed to the library's tables.</summary>
public sealed record SongOutput(
    LibraryRow Library,
    SongTruthRow Song,
    IReadOnlyList<LabelTruthRow> Labels,
    IReadOnlyList<ActivityTruthRow> Activity,
    IReadOnlyList<BleedTruthRow> Bleed,
    IReadOnlyList<DefectTruthRow> Defects,
    double AudioSeconds);

/// <summary>
/// `forge synth`: a synthetic multitrack library shaped like the real one (per-song zip archives of engineers'
/// sessions, preview MP3s, an index CSV) with its ground truth (labels, activity, bleed, defects). Every choice flows
/// from the seed; songs are generated independently and in parallel, and the same seed gives byte-identical files.
/// </summary>
public static class SynthLibrary
{
    public const string Stage = "synth";
    public const string BrokenArchiveReason = "corrupt or truncated zip archive (no end of central directory record)";
    private const string MarkerFile = "synth.json";

    /// <summary>The plan of song <paramref name="index"/> of the library these options describe (no audio).</summary>
    public static SongPlan PlanSong(SynthOptions options, int index)
    {
        var songs = LibraryPlanner.Plan(options);
        return SongPlanner.Plan(songs[index], options.Seed, options.Seconds);
    }

    public static IReadOnlyList<SongPlan> PlanAll(SynthOptions options) =>
        LibraryPlanner.Plan(options).Select(s => SongPlanner.Plan(s, options.Seed, options.Seconds)).ToList();

    public static async Task<SynthSummary> GenerateAsync(string outDir, SynthOptions options, IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        PrepareOutput(outDir);
        WriteMarker(outDir, options, complete: false);
        var songs = LibraryPlanner.Plan(options);
        var outputs = new SongOutput[songs.Count];
        var done = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        try
        {
            await Task.Run(() => Parallel.For(0, songs.Count, parallel, i =>
            {
                var plan = SongPlanner.Plan(songs[i], options.Seed, options.Seconds);
                outputs[i] = WriteSong(plan, outDir, options.Unpacked, cancellationToken);
                var n = Interlocked.Increment(ref done);
                progress?.Report(new StageProgress(Stage, plan.Song.SongId, n, songs.Count, null, outputs[i].Library.ArchiveBytes, outputs[i].AudioSeconds));
            }), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TryDeleteDirectory(Path.Combine(outDir, ".staging"));
        }

        var gt = Path.Combine(outDir, "ground_truth");
        CsvTable.Write(Path.Combine(outDir, "library.csv"), outputs.Select(o => o.Library));
        CsvTable.Write(Path.Combine(gt, "songs.csv"), outputs.Select(o => o.Song));
        CsvTable.Write(Path.Combine(gt, "labels.csv"), outputs.SelectMany(o => o.Labels));
        CsvTable.Write(Path.Combine(gt, "activity.csv"), outputs.SelectMany(o => o.Activity));
        CsvTable.Write(Path.Combine(gt, "bleed.csv"), outputs.SelectMany(o => o.Bleed));
        CsvTable.Write(Path.Combine(gt, "defects.csv"), outputs.SelectMany(o => o.Defects));
        WriteMarker(outDir, options, complete: true);

        var bleedRows = outputs.SelectMany(o => o.Bleed).GroupBy(b => b.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new SynthSummary(outDir, songs.Count, songs.Select(s => s.Artist).Distinct().Count(), outputs.Sum(o => o.Labels.Count),
            outputs.Sum(o => o.Defects.Count(d => d.Entry.Length > 0)), songs.FirstOrDefault(s => s.BrokenArchive)?.ArchiveFile,
            outputs.Sum(o => o.Library.ArchiveBytes), outputs.Sum(o => o.AudioSeconds), bleedRows, clock.Elapsed);
    }

    /// <summary>Renders one song, writes its archive (and preview), and returns its rows. Safe to run for several songs at once.</summary>
    public static SongOutput WriteSong(SongPlan plan, string outDir, bool unpacked, CancellationToken cancellationToken = default)
    {
        var song = plan.Song;
        var archiveName = Path.GetFileNameWithoutExtension(song.ArchiveFile);
        var staging = unpacked
            ? Path.Combine(outDir, "unpacked", archiveName)
            : Path.Combine(outDir, ".staging", song.Index.ToString("D5", CultureInfo.InvariantCulture));
        TryDeleteDirectory(staging);
        try
        {
            return WriteSong(plan, outDir, staging, unpacked, cancellationToken);
        }
        catch
        {
            // An interrupted song leaves no half-filled folder behind (its archive is written atomically, or not at all).
            TryDeleteDirectory(staging);
            throw;
        }
    }

    private static SongOutput WriteSong(SongPlan plan, string outDir, string staging, bool unpacked, CancellationToken cancellationToken)
    {
        var song = plan.Song;
        var folder = Path.Combine(staging, plan.Archive.Folder);
        Directory.CreateDirectory(folder);

        var rng = SynthSeed.Rng(plan.Seed, "files");
        var labels = new List<LabelTruthRow>();
        var activity = new List<ActivityTruthRow>();
        var bleed = new List<BleedTruthRow>();
        var defects = new List<DefectTruthRow>();
        var audioSeconds = 0.0;
        var hasInjected = new HashSet<int>();
        var renderer = new SongRenderer(plan, cancellationToken);
        var sr = plan.Context.SampleRate;
        for (var i = 0; i < plan.Tracks.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var track = plan.Tracks[i];
            var path = Path.Combine(folder, track.File);
            if (track.Defect is { } kind)
            {
                var reason = SynthFiles.WriteDefect(path, kind, sr, song.Encoding, rng);
                defects.Add(new DefectTruthRow(song.SongId, song.ArchiveFile, $"{plan.Archive.Folder}/{track.File}", track.File, DefectName(kind), reason));
                continue;
            }

            var rendered = renderer.Finish(i);
            WavFile.Write(path, new AudioBuffer(sr, rendered.Audio), song.Encoding);
            audioSeconds += plan.Context.Seconds;
            if (song.BrokenArchive)
            {
                continue;
            }

            labels.Add(new LabelTruthRow(song.SongId, song.Artist, track.File, track.Label, Ms21Labels.InstrumentOf(track.Label)));
            activity.AddRange(rendered.Activity.Select(a => new ActivityTruthRow(song.SongId, track.File, a.Start, a.End)));
            foreach (var b in rendered.Bleed)
            {
                bleed.Add(new BleedTruthRow(song.SongId, track.File, b.Source >= 0 ? plan.Tracks[b.Source].File : string.Empty, b.DelayMs, b.LevelDb, b.LowpassHz, b.Kind));
                if (b.Kind == "injected")
                {
                    hasInjected.Add(i);
                }
            }
        }

        var extras = new List<(string Entry, byte[] Bytes)>();
        if (plan.Archive.Readme)
        {
            extras.Add(($"{plan.Archive.Folder}/{rng.Pick(["readme.txt", "ReadMe.txt", "Credits.txt", "Session Notes.txt"])}", Encoding.UTF8.GetBytes(Readme(plan))));
        }

        var preview = SynthFiles.SilentMp3(song.PreviewKind.StartsWith("Full", StringComparison.Ordinal) ? Math.Min(plan.Context.Seconds, 30) : Math.Min(plan.Context.Seconds, 10),
            song.Title);
        if (plan.Archive.PreviewInside)
        {
            extras.Add(($"{plan.Archive.Folder}/{Path.GetFileName(song.PreviewFile)}", preview));
        }

        var archivePath = Path.Combine(outDir, song.ArchiveFile);
        WriteArchive(archivePath, staging, plan, extras, rng);
        AtomicFile.WriteAllBytes(Path.Combine(outDir, song.PreviewFile), preview);
        if (!unpacked)
        {
            TryDeleteDirectory(staging);
        }
        else
        {
            foreach (var (entry, bytes) in extras)
            {
                AtomicFile.WriteAllBytes(Path.Combine(staging, entry), bytes);
            }
        }

        var archiveBytes = new FileInfo(archivePath).Length;
        var audioTracks = plan.Tracks.Count;
        if (song.BrokenArchive)
        {
            defects.Add(new DefectTruthRow(song.SongId, song.ArchiveFile, string.Empty, string.Empty, "broken_archive", BrokenArchiveReason));
        }

        var good = plan.Tracks.Where(t => t.Defect is null).ToList();
        var vocals = good.Select((t, i) => (t, i)).Where(x => x.t.Label is "Lead_Vocal" or "Backing_Vocal").ToList();
        var vocalIndices = plan.Tracks.Select((t, i) => (t, i)).Where(x => x.t.Defect is null && x.t.Label is "Lead_Vocal" or "Backing_Vocal").Select(x => x.i);
        int? vocalQuality = vocals.Count == 0 ? null : (vocalIndices.Any(hasInjected.Contains) ? 0 : 1);
        var songRow = new SongTruthRow(song.SongId, song.Artist, song.Title, song.BroadGenre, song.SubGenre, vocalQuality,
            good.Any(t => t.Label == "Lead_Vocal") && good.Any(t => t.Label == "Backing_Vocal") ? 1 : 0,
            good.Any(t => t.Label == "Electric_Guitar") && good.Any(t => t.Label == "Acoustic_Guitar") ? 1 : 0,
            song.BrokenArchive ? "broken_archive" : "ok", hasInjected.Count > 0 ? 1 : 0, plan.Context.Bpm, plan.Context.KeyName, plan.Context.Seconds, sr,
            song.Encoding.ToCatalogName(), plan.Naming.ToString(), audioTracks, song.ArchiveFile, plan.Archive.Folder);
        var libraryRow = new LibraryRow(song.BroadGenre, song.SubGenre, song.Title, song.Artist, song.ArchiveFile, song.PreviewFile, audioTracks, archiveBytes,
            song.ArchiveKind, song.PreviewKind, ContentHash.OfFile(archivePath), song.SongId);
        return new SongOutput(libraryRow, songRow, labels, activity, bleed, defects, audioSeconds);
    }

    public static string DefectName(DefectKind kind) => kind switch
    {
        DefectKind.TruncatedData => "truncated_data",
        DefectKind.EmptyFile => "empty_file",
        DefectKind.Mp3Renamed => "mp3_renamed",
        _ => "broken_header",
    };

    private static void WriteArchive(string archivePath, string staging, SongPlan plan, List<(string Entry, byte[] Bytes)> extras, Random rng)
    {
        // Fixed, seed-derived timestamps: the same seed gives byte-identical archives.
        var baseTime = new DateTimeOffset(2012, 1, 1, 9, 0, 0, TimeSpan.Zero).AddDays(rng.Next(0, 3000)).AddMinutes(rng.Next(0, 600));
        var entries = new List<(string Entry, string? File, byte[]? Bytes)>();
        var parts = plan.Archive.Folder.Split('/');
        for (var k = 1; k <= parts.Length; k++)
        {
            entries.Add((string.Join('/', parts.Take(k)) + "/", null, null));
        }

        foreach (var track in plan.Tracks)
        {
            entries.Add(($"{plan.Archive.Folder}/{track.File}", Path.Combine(staging, plan.Archive.Folder, track.File), null));
        }

        entries.AddRange(extras.Select(e => (e.Entry, (string?)null, (byte[]?)e.Bytes)));
        if (plan.Archive.MacJunk)
        {
            entries.Add(($"{plan.Archive.Folder}/.DS_Store", null, SynthFiles.DsStore()));
            entries.Add(("__MACOSX/", null, null));
            foreach (var track in plan.Tracks.Take(Math.Max(1, plan.Tracks.Count / 2)))
            {
                entries.Add(($"__MACOSX/{plan.Archive.Folder}/._{track.File}", null, SynthFiles.AppleDouble()));
            }
        }

        var truncateTo = plan.Song.BrokenArchive ? rng.Uniform(0.4, 0.75) : 1.0;
        AtomicFile.Write(archivePath, stream =>
        {
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8))
            {
                var minute = 0;
                foreach (var (name, file, bytes) in entries)
                {
                    var isDir = name.EndsWith('/');
                    // WAVs are stored (PCM barely deflates and the archive stays quick to build); text and junk are deflated.
                    var entry = zip.CreateEntry(name, file is not null ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
                    entry.LastWriteTime = baseTime.AddMinutes(minute++);
                    if (isDir)
                    {
                        continue;
                    }

                    using var target = entry.Open();
                    if (bytes is not null)
                    {
                        target.Write(bytes);
                    }
                    else
                    {
                        using var source = new FileStream(file!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                        source.CopyTo(target);
                    }
                }
            }

            if (truncateTo < 1.0)
            {
                // The one broken archive: cut short, so the central directory is gone.
                stream.SetLength((long)(stream.Length * truncateTo));
            }
        });
    }

    private static string Readme(SongPlan plan)
    {
        var s = plan.Song;
        var sb = new StringBuilder();
        sb.Append(s.Title).Append(" - ").AppendLine(s.Artist);
        sb.Append(s.SubGenre).Append(" (").Append(s.BroadGenre).AppendLine(")");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Tempo: {plan.Context.Bpm:0} BPM    Key: {plan.Context.KeyName}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{plan.Tracks.Count} files, {s.SampleRate} Hz, {s.Encoding.ToCatalogName()}");
        sb.AppendLine();
        sb.AppendLine("Synthetic session generated by DatasetForge (forge synth): every sound is synthesized, names and credits are invented.");
        sb.AppendLine("Free for any use.");
        return sb.ToString();
    }

    private static void PrepareOutput(string outDir)
    {
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            if (!File.Exists(Path.Combine(outDir, MarkerFile)))
            {
                throw new IOException($"{outDir}: folder is not empty and holds no synth library ({MarkerFile} missing); choose an empty or new folder");
            }

            // A previous synth library: replace its outputs (and only those).
            foreach (var sub in new[] { "archives", "previews", "ground_truth", "unpacked", ".staging" })
            {
                TryDeleteDirectory(Path.Combine(outDir, sub));
            }
        }

        Directory.CreateDirectory(outDir);
    }

    private static void WriteMarker(string outDir, SynthOptions options, bool complete)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["generator"] = "datasetforge synth",
            ["format_version"] = 1,
            ["seed"] = options.Seed,
            ["songs"] = options.Songs,
            ["seconds"] = options.Seconds,
            ["complete"] = complete,
        }, new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllText(Path.Combine(outDir, MarkerFile), json + "\n");
    }

    private static void TryDeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
