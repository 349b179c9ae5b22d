using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Ingest;
using DatasetForge.Ingest.Catalog;
using DatasetForge.Ingest.Import;
using DatasetForge.Ingest.Synthetic;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Ingest;

public sealed class IngestTests
{
    private static readonly SyntheticLibraryOptions Tiny = new() { Songs = 3, TracksPerSong = 4, Seconds = 0.3, Seed = 5 };

    private static void Wav(string path, double seconds = 0.3, int rate = 44100, int channels = 1)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var frames = (int)(seconds * rate);
        WavFile.Write(path, new AudioBuffer(rate, Enumerable.Range(0, channels).Select(c => Signals.Sine(220 * (c + 1), 0.4, rate, frames)).ToArray()), SampleEncoding.Pcm16);
    }

    private static async Task<IngestSummary> Ingest(string source, string outDir, string? format = null, IngestOptions? options = null) =>
        await new IngestEngine(new CatalogLayout(outDir), options ?? new IngestOptions { Concurrency = 2 }).IngestSourceAsync(source, format);

    [Fact]
    public async Task A_folder_of_archives_and_song_folders_ingests_and_broken_archives_are_quarantined_while_others_continue()
    {
        using var temp = new TempDir();
        var lib = temp.File("lib");
        var projects = SyntheticLibrary.Write(lib, Tiny);
        File.WriteAllText(Path.Combine(lib, "Broken_Garbage_Full.zip"), "<html>404</html>");
        var good = File.ReadAllBytes(projects[0].ArchivePath);
        File.WriteAllBytes(Path.Combine(lib, "Cut_Short_Full.zip"), good[..(good.Length / 2)]);
        new ZipBuilder().Wav("Slip/01_Kick.wav").Add("../../escape.wav", ZipBuilder.WavBytes()).Write(Path.Combine(lib, "Slip_Song_Full.zip"));
        Wav(Path.Combine(lib, "Folder Band - Live Take", "Drums", "Kick In.wav"));
        Wav(Path.Combine(lib, "Folder Band - Live Take", "Bass DI.wav"), seconds: 0.8);
        File.WriteAllText(Path.Combine(lib, "Folder Band - Live Take", "notes.txt"), "take 3");

        var outDir = temp.File("out");
        var summary = await Ingest(lib, outDir);
        var layout = new CatalogLayout(outDir);
        var songs = CsvTable.Read<SongRecord>(layout.SongsCsv).ToDictionary(s => s.SongId);
        var tracks = CsvTable.Read<TrackRecord>(layout.TracksCsv);
        var quarantine = CsvTable.Read<QuarantineRecord>(layout.QuarantineCsv);

        Assert.Equal(7, summary.Songs);
        Assert.Equal(7, songs.Count);
        foreach (var p in projects)
        {
            var id = songs.Values.Single(s => s.Origin == "folder:" + p.ArchivePath).SongId;
            Assert.Equal("ok", songs[id].Status);
            Assert.Equal(4, songs[id].NTracks);
            Assert.Equal(44100, songs[id].SampleRate);
            Assert.Equal(0.3, songs[id].DurationS);
            Assert.Equal(p.TrackFiles, tracks.Where(t => t.SongId == id).Select(t => t.File));
            Assert.Equal(2, songs[id].NAside); // Readme.txt and the preview MP3; macOS litter dropped
            foreach (var t in tracks.Where(t => t.SongId == id))
            {
                Assert.StartsWith($"songs/{id}/audio/", t.Path);
                Assert.True(File.Exists(layout.Resolve(t.Path)));
                Assert.Equal("pcm_s24", t.Encoding);
                Assert.Equal(24, t.BitDepth);
                Assert.Equal(13230, t.Frames);
                Assert.InRange(t.PeakDbfs!.Value, -30, 0);
            }
        }

        Assert.Equal("failed", songs["Broken - Garbage"].Status);
        Assert.Equal("failed", songs["Cut - Short"].Status);
        Assert.Contains(quarantine, q => q.Item == "Broken_Garbage_Full.zip" && q.Stage == "extract" && q.Reason.Contains("corrupt or truncated"));
        Assert.Contains(quarantine, q => q.Item == "Cut_Short_Full.zip" && q.Stage == "extract");
        Assert.Equal("ok", songs["Slip - Song"].Status);
        Assert.Contains(quarantine, q => q.Item == "Slip_Song_Full.zip!../../escape.wav" && q.Reason.Contains("zip-slip"));
        Assert.False(File.Exists(temp.File("escape.wav")));

        var folder = songs["Folder Band - Live Take"];
        Assert.Equal("flagged", folder.Status);
        Assert.Contains("length_misaligned", folder.Flags);
        var bass = tracks.Single(t => t.File == "Bass DI.wav");
        Assert.Equal(Path.Combine(lib, "Folder Band - Live Take", "Bass DI.wav"), bass.Path); // used in place
        Assert.Contains("length_mismatch", bass.Flags);
        Assert.Equal(1, folder.NAside);

        // Nothing half-written anywhere.
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDir, "*.tmp", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(layout.SongDir("Broken - Garbage")));
    }

    [Fact]
    public async Task A_rerun_skips_done_songs_and_redoes_only_what_changed()
    {
        using var temp = new TempDir();
        var lib = temp.File("lib");
        var projects = SyntheticLibrary.Write(lib, Tiny);
        var outDir = temp.File("out");
        var first = await Ingest(lib, outDir);
        Assert.Equal(3, first.Ingested);
        var tracksBefore = File.ReadAllText(new CatalogLayout(outDir).TracksCsv);

        var second = await Ingest(lib, outDir);
        Assert.Equal(0, second.Ingested);
        Assert.Equal(3, second.Skipped);
        Assert.Equal(tracksBefore, File.ReadAllText(new CatalogLayout(outDir).TracksCsv));

        // A replaced archive (different content) is redone; the others are not.
        SyntheticLibrary.WriteArchive(projects[1].ArchivePath, "Changed", Tiny with { TracksPerSong = 2 }, 99);
        var third = await Ingest(lib, outDir);
        Assert.Equal(1, third.Ingested);
        var songId = CsvTable.Read<SongRecord>(new CatalogLayout(outDir).SongsCsv).Single(s => s.Origin.EndsWith(Path.GetFileName(projects[1].ArchivePath), StringComparison.Ordinal)).SongId;
        Assert.Equal(2, CsvTable.Read<TrackRecord>(new CatalogLayout(outDir).TracksCsv).Count(t => t.SongId == songId));
        Assert.Equal(2, Directory.GetFiles(new CatalogLayout(outDir).SongDir(songId), "*.wav", SearchOption.AllDirectories).Length);

        // Other parameters are another key: everything is redone.
        var fourth = await Ingest(lib, outDir, options: new IngestOptions { Concurrency = 1, Probe = new() { LengthToleranceSeconds = 0.5 } });
        Assert.Equal(3, fourth.Ingested);
    }

    [Fact]
    public async Task Musdb18hq_layout_imports_stems_and_mixture_with_the_split()
    {
        using var temp = new TempDir();
        var root = temp.File("musdb");
        foreach (var part in new[] { "mixture", "drums", "bass", "other", "vocals" })
        {
            Wav(Path.Combine(root, "train", "A Classic Education - NightOwl", part + ".wav"), channels: 2);
            if (part != "vocals")
            {
                Wav(Path.Combine(root, "test", "Al James - Schoolboy Facination", part + ".wav"), channels: 2);
            }
        }

        Assert.Equal("musdb", DatasetImporters.For(root).Format);
        var summary = await Ingest(root, temp.File("out"));
        var layout = new CatalogLayout(temp.File("out"));
        var songs = CsvTable.Read<SongRecord>(layout.SongsCsv);
        var tracks = CsvTable.Read<TrackRecord>(layout.TracksCsv);
        Assert.Equal(2, summary.Songs);
        var train = songs.Single(s => s.SongId == "A Classic Education - NightOwl");
        Assert.Equal(("train", "musdb18hq", "A Classic Education", "NightOwl", 5, "ok"), (train.Split, train.Source, train.Artist, train.Title, train.NTracks, train.Status));
        Assert.Equal(["mix", "stem", "stem", "stem", "stem"], tracks.Where(t => t.SongId == train.SongId).Select(t => t.Kind));
        Assert.Equal(["mixture", "drums", "bass", "other", "vocals"], tracks.Where(t => t.SongId == train.SongId).Select(t => t.SourceLabel));
        Assert.All(tracks, t => Assert.Equal(2, t.Channels));
        Assert.Equal("test", songs.Single(s => s.SongId == "Al James - Schoolboy Facination").Split);
        Assert.Contains(CsvTable.Read<QuarantineRecord>(layout.QuarantineCsv), q => q.Item == "test/Al James - Schoolboy Facination/vocals.wav" && q.Stage == "import");
    }

    [Fact]
    public async Task Medleydb_layout_imports_raw_tracks_stems_and_mix_with_metadata_labels()
    {
        using var temp = new TempDir();
        var root = temp.File("medleydb");
        var song = Path.Combine(root, "Audio", "LizNelson_Rainfall");
        Wav(Path.Combine(song, "LizNelson_Rainfall_RAW", "LizNelson_Rainfall_RAW_01_01.wav"));
        Wav(Path.Combine(song, "LizNelson_Rainfall_RAW", "LizNelson_Rainfall_RAW_02_01.wav"));
        Wav(Path.Combine(song, "LizNelson_Rainfall_STEMS", "LizNelson_Rainfall_STEM_01.wav"));
        Wav(Path.Combine(song, "LizNelson_Rainfall_STEMS", "LizNelson_Rainfall_STEM_02.wav"));
        Wav(Path.Combine(song, "LizNelson_Rainfall_MIX.wav"));
        File.WriteAllText(Path.Combine(song, "LizNelson_Rainfall_METADATA.yaml"), """
            album: ''
            artist: Liz Nelson
            title: Rainfall
            genre: Singer/Songwriter
            mix_filename: LizNelson_Rainfall_MIX.wav
            raw_dir: LizNelson_Rainfall_RAW
            stem_dir: LizNelson_Rainfall_STEMS
            stems:
              S01:
                component: melody
                filename: LizNelson_Rainfall_STEM_01.wav
                instrument: female singer
                raw:
                  R01:
                    filename: LizNelson_Rainfall_RAW_01_01.wav
                    instrument: female singer
              S02:
                component: ''
                filename: LizNelson_Rainfall_STEM_02.wav
                instrument: acoustic guitar
                raw:
                  R01:
                    filename: LizNelson_Rainfall_RAW_02_01.wav
                    instrument: acoustic guitar
            """);
        var other = Path.Combine(root, "Audio", "NoMeta_Song");
        Wav(Path.Combine(other, "NoMeta_Song_RAW", "NoMeta_Song_RAW_01_01.wav"));

        Assert.Equal("medleydb", DatasetImporters.For(root).Format);
        await Ingest(root, temp.File("out"));
        var layout = new CatalogLayout(temp.File("out"));
        var songs = CsvTable.Read<SongRecord>(layout.SongsCsv);
        var tracks = CsvTable.Read<TrackRecord>(layout.TracksCsv).Where(t => t.SongId == "Liz Nelson - Rainfall").ToList();
        var liz = songs.Single(s => s.SongId == "Liz Nelson - Rainfall");
        Assert.Equal(("medleydb", "Singer/Songwriter", 5), (liz.Source, liz.BroadGenre, liz.NTracks));
        Assert.Equal(["raw", "raw", "stem", "stem", "mix"], tracks.Select(t => t.Kind));
        Assert.Equal(["female singer", "acoustic guitar", "female singer", "acoustic guitar", "mix"], tracks.Select(t => t.SourceLabel));
        Assert.Equal("LizNelson_Rainfall_RAW_01_01.wav", tracks[0].File);
        Assert.Contains(songs, s => s.SongId == "No Meta - Song");
        Assert.Contains(CsvTable.Read<QuarantineRecord>(layout.QuarantineCsv), q => q.Item.EndsWith("NoMeta_Song_METADATA.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Slakh_layout_imports_stems_with_instrument_classes_and_flags_flac_as_unreadable()
    {
        using var temp = new TempDir();
        var root = temp.File("slakh");
        var track = Path.Combine(root, "train", "Track00001");
        Wav(Path.Combine(track, "stems", "S00.wav"));
        Wav(Path.Combine(track, "stems", "S01.wav"));
        Wav(Path.Combine(track, "mix.wav"));
        Directory.CreateDirectory(Path.Combine(track, "MIDI"));
        File.WriteAllText(Path.Combine(track, "metadata.yaml"), """
            UUID: 3f9e8d3b
            audio_dir: stems
            midi_dir: MIDI
            normalized: true
            stems:
              S00:
                audio_rendered: true
                inst_class: Piano
                is_drum: false
                midi_program_name: Acoustic Grand Piano
                program_num: 0
              S01:
                audio_rendered: true
                inst_class: Drums
                is_drum: true
                midi_program_name: Drums
                program_num: 128
            """);
        var flac = Path.Combine(root, "test", "Track01876");
        Directory.CreateDirectory(Path.Combine(flac, "stems"));
        File.WriteAllBytes(Path.Combine(flac, "stems", "S00.flac"), "fLaC\0\0\0\"0123456789abcdef0123456789abcdef"u8.ToArray());
        File.WriteAllText(Path.Combine(flac, "metadata.yaml"), "stems:\n  S00:\n    inst_class: Bass\n");

        Assert.Equal("slakh", DatasetImporters.For(root).Format);
        await Ingest(root, temp.File("out"));
        var layout = new CatalogLayout(temp.File("out"));
        var songs = CsvTable.Read<SongRecord>(layout.SongsCsv).ToDictionary(s => s.SongId);
        var tracks = CsvTable.Read<TrackRecord>(layout.TracksCsv);
        Assert.Equal(("train", "slakh2100", 3, "ok"), (songs["Slakh2100 - Track00001"].Split, songs["Slakh2100 - Track00001"].Source, songs["Slakh2100 - Track00001"].NTracks, songs["Slakh2100 - Track00001"].Status));
        Assert.Equal(["Piano: Acoustic Grand Piano", "Drums: Drums", "mix"], tracks.Where(t => t.SongId == "Slakh2100 - Track00001").Select(t => t.SourceLabel));
        var flacSong = songs["Slakh2100 - Track01876"];
        Assert.Equal("failed", flacSong.Status);
        var flacTrack = tracks.Single(t => t.SongId == flacSong.SongId);
        Assert.Contains("unreadable (unsupported format: FLAC", flacTrack.Flags);
        Assert.Null(flacTrack.Frames);
        Assert.Contains(CsvTable.Read<QuarantineRecord>(layout.QuarantineCsv), q => q.Item == "Slakh2100 - Track01876/S00.flac" && q.Stage == "probe");
    }

    [Fact]
    public async Task Several_datasets_share_one_catalog_and_colliding_song_ids_are_made_unique()
    {
        using var temp = new TempDir();
        var musdb = temp.File("musdb");
        foreach (var part in new[] { "mixture", "drums", "bass", "other", "vocals" })
        {
            Wav(Path.Combine(musdb, "train", "Same Artist - Same Song", part + ".wav"));
        }

        var folder = temp.File("folders");
        Wav(Path.Combine(folder, "Same Artist - Same Song", "Kick.wav"));
        var outDir = temp.File("out");
        await Ingest(musdb, outDir, "musdb");
        await Ingest(folder, outDir, "folder");
        await Ingest(musdb, outDir, "musdb"); // again: keeps its id, nothing redone
        var songs = CsvTable.Read<SongRecord>(new CatalogLayout(outDir).SongsCsv);
        Assert.Equal(["Same Artist - Same Song", "Same Artist - Same Song (2)"], songs.Select(s => s.SongId));
        Assert.Equal(["musdb18hq", "folder"], songs.Select(s => s.Source));
    }

    [Fact]
    public async Task Song_units_can_be_run_one_by_one_and_cancelled_without_leaving_temp_folders()
    {
        using var temp = new TempDir();
        var lib = temp.File("lib");
        SyntheticLibrary.Write(lib, Tiny with { Songs = 2 });
        var engine = new IngestEngine(new CatalogLayout(temp.File("out")));
        var sources = engine.AssignIds(new FolderImporter().Scan(lib).Songs);
        var progress = new List<StageProgress>();
        var unit = engine.IngestSong(sources[0], new SyncProgress(progress.Add));
        Assert.False(unit.Skipped);
        Assert.Equal(4, unit.Unit.Tracks.Count);
        Assert.Contains(progress, p => p.Stage == "probe" && p.Done == 4 && p.Total == 4);
        Assert.True(engine.IngestSong(sources[0]).Skipped);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.IngestSongAsync(sources[1], null, cancelled.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.File("out"), "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(engine.Layout.UnitPath(sources[1].SongId!)));
    }

    private sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
