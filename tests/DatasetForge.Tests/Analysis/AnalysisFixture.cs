using System.Globalization;
using System.Text;
using DatasetForge.Audio;
using DatasetForge.Synth;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Analysis;

/// <summary>
/// Builds small inputs in the layouts of docs/CONTRACTS.md: a rendered dataset (section 3: manifests/songs.csv,
/// stems.csv, raw_tracks.csv, song folders with _RAW and _STEMS) and an ingested catalog (section 1:
/// catalog/tracks.csv, labels/labels.csv), from the synthesizer's clean parts, with known bleed and one broken file.
/// </summary>
public static class AnalysisDatasets
{
    public const int Rate = 22050;
    public const double Seconds = 13;

    public sealed record Track(string File, string Label, string Instrument, float[] Audio);

    public sealed record Song(string SongId, string Artist, string Folder, List<Track> Tracks);

    /// <summary>Two songs: "Alpha Band - First Light" (vocal with guitar bleed at -20 dB, 9 ms) and "Beta Crew - Night: Two" (kit and piano, no bleed).</summary>
    public static List<Song> Songs()
    {
        var a = MusicalContext.Create(101, Rate, Seconds);
        var sections = Enumerable.Range(0, a.Sections.Count).Select(i => i % 3 != 1).ToArray();
        var vocal = InstrumentSynth.Render(a, new PartRequest(InstrumentKind.LeadVocal, 1, 2) { ActiveSections = sections }).Audio;
        var guitar = InstrumentSynth.Render(a, new PartRequest(InstrumentKind.AcousticGuitar, 3, 4)).Audio;
        var bass = InstrumentSynth.Render(a, new PartRequest(InstrumentKind.ElectricBass, 5, 6)).Audio;
        var leaky = (float[])vocal.Clone();
        BleedInjector.Inject([leaky], guitar, Rate, new BleedSpec(9, -20, 6000), [vocal]);
        var b = MusicalContext.Create(202, Rate, Seconds);
        var kick = InstrumentSynth.Render(b, new PartRequest(InstrumentKind.Kick, 7, 8)).Audio;
        var snare = InstrumentSynth.Render(b, new PartRequest(InstrumentKind.Snare, 7, 9)).Audio;
        var piano = InstrumentSynth.Render(b, new PartRequest(InstrumentKind.Piano, 10, 11)).Audio;
        return
        [
            new("Alpha Band - First Light", "Alpha Band", "Alpha Band - First Light",
                [new("01_LeadVox.wav", "Lead_Vocal", "lead_vocal", leaky), new("02_AcGtr.wav", "Acoustic_Guitar", "acoustic_guitar", guitar), new("03_Bass.wav", "Electric_Bass", "bass", bass)]),
            new("Beta Crew - Night: Two", "Beta Crew", "Beta Crew - Night_ Two",
                [new("Kick.wav", "Drum_Kick", "drum_set", kick), new("Snare.wav", "Drum_Snare", "drum_set", snare), new("Piano.wav", "Piano", "pianos", piano)]),
        ];
    }

    /// <summary>A rendered dataset (stems are plain sums of the raw tracks, as in `consistent` mode) plus a truncated raw file in song 2.</summary>
    public static string WriteDataset(string root, List<Song> songs)
    {
        var songsCsv = new StringBuilder("song_id,artist,title,broad_genre,sub_genre,folder,mix_path,sample_rate,channels,frames,duration_s,n_raw_tracks,mix_gain_db,render_key\n");
        var raw = new StringBuilder("song_id,file,path,label,instrument,sample_rate,channels,frames\n");
        var stems = new StringBuilder("song_id,level,node,path,sample_rate,channels,frames,normalization,lufs_before,lufs_after,peak_dbfs_after,gain_db,status,n_tracks\n");
        var tree = DatasetForge.Hierarchy.HierarchyDefinition.Load("ms21");
        foreach (var song in songs)
        {
            var frames = song.Tracks[0].Audio.Length;
            var mix = new float[frames];
            songsCsv.Append(CultureInfo.InvariantCulture, $"{Q(song.SongId)},{Q(song.Artist)},x,Rock,Rock,{Q(song.Folder)},{Q($"{song.Folder}/{song.Folder}_MIX.wav")},{Rate},2,{frames},{Seconds},{song.Tracks.Count},0,key-{song.Folder.Length}\n");
            foreach (var t in song.Tracks)
            {
                var rel = $"{song.Folder}/{song.Folder}_RAW/{t.File}";
                WavFile.Write(Path.Combine(root, rel), new AudioBuffer(Rate, [t.Audio]), SampleEncoding.Pcm24);
                raw.Append(CultureInfo.InvariantCulture, $"{Q(song.SongId)},{Q(t.File)},{Q(rel)},{t.Label},{t.Instrument},{Rate},1,{frames}\n");
                System.Numerics.Tensors.TensorPrimitives.Add(mix, t.Audio, mix);
            }

            for (var level = 1; level <= 2; level++)
            {
                foreach (var group in song.Tracks.GroupBy(t => tree.NodeAt(t.Label, level)!))
                {
                    var sum = new float[frames];
                    foreach (var t in group)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Add(sum, t.Audio, sum);
                    }

                    var rel = $"{song.Folder}/{song.Folder}_STEMS/{song.Folder}_STEM_L{level}_{group.Key}.wav";
                    WavFile.Write(Path.Combine(root, rel), new AudioBuffer(Rate, [sum, sum]), SampleEncoding.Float32);
                    stems.Append(CultureInfo.InvariantCulture, $"{Q(song.SongId)},{level},{group.Key},{Q(rel)},{Rate},2,{frames},loudness,-20,-25,-3,-5,ok,{group.Count()}\n");
                }
            }

            WavFile.Write(Path.Combine(root, song.Folder, $"{song.Folder}_MIX.wav"), new AudioBuffer(Rate, [mix, mix]), SampleEncoding.Float32);
        }

        // A raw track listed in the manifest whose file is cut short (its data chunk truncated), in the last song.
        var broken = $"{songs[^1].Folder}/{songs[^1].Folder}_RAW/Broken.wav";
        WavFile.Write(Path.Combine(root, broken), new AudioBuffer(Rate, [new float[Rate]]), SampleEncoding.Pcm16);
        var bytes = File.ReadAllBytes(Path.Combine(root, broken));
        File.WriteAllBytes(Path.Combine(root, broken), bytes[..(bytes.Length / 2)]);
        raw.Append(CultureInfo.InvariantCulture, $"{Q(songs[^1].SongId)},Broken.wav,{Q(broken)},Piano,pianos,{Rate},1,{Rate}\n");

        Directory.CreateDirectory(Path.Combine(root, "manifests"));
        File.WriteAllText(Path.Combine(root, "manifests", "songs.csv"), songsCsv.ToString());
        File.WriteAllText(Path.Combine(root, "manifests", "raw_tracks.csv"), raw.ToString());
        File.WriteAllText(Path.Combine(root, "manifests", "stems.csv"), stems.ToString());
        File.WriteAllText(Path.Combine(root, "dataset.yaml"), "hierarchy: ms21\nmode: consistent\n");
        return root;
    }

    /// <summary>An ingested catalog: catalog/tracks.csv (paths relative to the folder) and, when asked, labels/labels.csv.</summary>
    public static string WriteCatalog(string root, List<Song> songs, bool withLabels)
    {
        var tracks = new StringBuilder("song_id,file,path,channels,sample_rate,bit_depth,encoding,frames,duration_s,peak_dbfs,silent_fraction,flags\n");
        var labels = new StringBuilder("song_id,file,label,instrument,source,rule,confidence\n");
        foreach (var song in songs)
        {
            foreach (var t in song.Tracks)
            {
                var rel = $"audio/{song.Folder}/{t.File}";
                WavFile.Write(Path.Combine(root, rel), new AudioBuffer(Rate, [t.Audio]), SampleEncoding.Pcm16);
                tracks.Append(CultureInfo.InvariantCulture, $"{Q(song.SongId)},{Q(t.File)},{Q(rel)},1,{Rate},16,pcm,{t.Audio.Length},{Seconds},-6,0.1,\n");
                labels.Append(CultureInfo.InvariantCulture, $"{Q(song.SongId)},{Q(t.File)},{t.Label},{t.Instrument},manual,,1\n");
            }
        }

        Directory.CreateDirectory(Path.Combine(root, "catalog"));
        File.WriteAllText(Path.Combine(root, "catalog", "tracks.csv"), tracks.ToString());
        File.WriteAllText(Path.Combine(root, "catalog", "songs.csv"), "song_id,artist,title,broad_genre,sub_genre,source,n_tracks,sample_rate,duration_s,status\n" +
            string.Concat(songs.Select(s => $"{Q(s.SongId)},{Q(s.Artist)},x,Rock,Rock,test,{s.Tracks.Count},{Rate},{Seconds},ok\n")));
        if (withLabels)
        {
            Directory.CreateDirectory(Path.Combine(root, "labels"));
            File.WriteAllText(Path.Combine(root, "labels", "labels.csv"), labels.ToString());
        }

        return root;
    }

    private static string Q(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}

/// <summary>The dataset and catalog, built and analysed once for a test class.</summary>
public sealed class AnalysisFixture : IDisposable
{
    private readonly TempDir temp = new();

    public AnalysisFixture()
    {
        Songs = AnalysisDatasets.Songs();
        Dataset = AnalysisDatasets.WriteDataset(Path.Combine(temp.Path, "dataset"), Songs);
        Catalog = AnalysisDatasets.WriteCatalog(Path.Combine(temp.Path, "catalog"), Songs, withLabels: true);
        var input = DatasetForge.Analysis.AnalysisInput.Open(Dataset);
        Run = DatasetForge.Analysis.AnalysisStage.RunAsync(input, DatasetForge.Analysis.AnalysisOptions.Default, 1).GetAwaiter().GetResult();
    }

    public List<AnalysisDatasets.Song> Songs { get; }

    public string Dataset { get; }

    public string Catalog { get; }

    public DatasetForge.Analysis.AnalysisRunSummary Run { get; }

    public string Temp => temp.Path;

    public void Dispose() => temp.Dispose();
}
