using System.Globalization;
using System.Text;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Hierarchy;

namespace DatasetForge.Tests.TestSupport;

/// <summary>
/// Builds a small rendered dataset in the layout of docs/CONTRACTS.md sections 3 and 4, for tests and benchmarks
/// of stages that read datasets (mixing, training, evaluation) while the render and analysis stages are written:
/// per song `<Song>/<Song>_MIX.wav` and `<Song>/<Song>_STEMS/<Song>_STEM_L<level>_<node>.wav`, `manifests/songs.csv`,
/// `manifests/stems.csv`, `splits.csv`, `dataset.yaml`, and `analysis/segments.csv` (BSRNN-style salient
/// segments: 6 s, 50% overlap, 10 chunks, salient when more than half of the chunks are above
/// <see cref="SalientDb"/>) and `analysis/saliency.csv` (10 s frames, 2.5 s hop, salient above <see cref="SalientDb"/>).
///
/// Level-1 stems are synthetic instruments (a tone or noise texture per node, panned, playing in 2 s sections
/// that are on or off by seed); every parent stem is the exact sum of its children and the mixture the sum of all
/// level-1 stems ("consistent" render mode). Everything is seeded; the same calls give the same bytes.
/// <code>
/// var ds = new DatasetBuilder(dir.Path) { SampleRate = 16000, Seconds = 12 }
///     .Song("Ann - One", "train", "lead_vocal", "drum_set", "bass", "electric_guitar")
///     .Song("Bob - Two", "test", "backing_vocal", "bass", "pianos")
///     .Build();
/// </code>
/// </summary>
public sealed class DatasetBuilder(string root, string hierarchy = "ms21")
{
    private readonly List<(string SongId, string Split, string[] Instruments, int Seed)> songs = [];

    public string Root { get; } = root;

    public HierarchyDefinition Hierarchy { get; } = HierarchyDefinition.Load(hierarchy);

    public int SampleRate { get; init; } = 16000;

    public int Channels { get; init; } = 2;

    public double Seconds { get; init; } = 12;

    public SampleEncoding Encoding { get; init; } = SampleEncoding.Float32;

    /// <summary>Levels whose stems are written (null: every level). The mixture is always written.</summary>
    public IReadOnlyList<int>? Levels { get; init; }

    /// <summary>Write analysis/segments.csv and analysis/saliency.csv.</summary>
    public bool WriteAnalysis { get; init; } = true;

    /// <summary>Level (dBFS RMS) above which a chunk or frame counts as active.</summary>
    public double SalientDb { get; init; } = -40;

    /// <summary>Seconds per on/off section of each instrument.</summary>
    public double SectionSeconds { get; init; } = 2;

    /// <summary>Adds a song ("Artist - Title") with its level-1 instruments (nodes of the hierarchy's first level).</summary>
    public DatasetBuilder Song(string songId, string split, params string[] instruments)
    {
        var level1 = Hierarchy.NodesAt(1).Select(n => n.Name).ToHashSet();
        foreach (var instrument in instruments)
        {
            if (!level1.Contains(instrument))
            {
                throw new ArgumentException($"'{instrument}' is not a level-1 node of hierarchy '{Hierarchy.Name}'");
            }
        }

        songs.Add((songId, split, instruments, songs.Count + 1));
        return this;
    }

    /// <summary>Adds <paramref name="count"/> songs with 4-6 instruments each, artists and splits cycling train/train/validation/test.</summary>
    public DatasetBuilder Songs(int count, string[]? splits = null)
    {
        splits ??= ["train", "train", "validation", "test"];
        var pool = Hierarchy.NodesAt(1).Where(n => !n.Excluded).Select(n => n.Name).ToArray();
        string[] core = ["lead_vocal", "drum_set", "bass", "electric_guitar"];
        for (var i = 0; i < count; i++)
        {
            var rng = new Random(1000 + i);
            var instruments = core.Where(pool.Contains).ToList();
            var extra = rng.Next(0, 3);
            for (var k = 0; k < extra; k++)
            {
                var pick = pool[rng.Next(pool.Length)];
                if (!instruments.Contains(pick))
                {
                    instruments.Add(pick);
                }
            }

            Song($"Artist {i % Math.Max(1, count / 2):D2} - Song {i:D3}", splits[i % splits.Length], [.. instruments]);
        }

        return this;
    }

    public BuiltDataset Build()
    {
        Directory.CreateDirectory(Root);
        var frames = (int)Math.Round(Seconds * SampleRate);
        var songRows = new StringBuilder("song_id,artist,title,broad_genre,sub_genre,folder,mix_path,sample_rate,channels,frames,duration_s,n_raw_tracks,mix_gain_db,render_key\n");
        var stemRows = new StringBuilder("song_id,level,node,path,sample_rate,channels,frames,normalization,lufs_before,lufs_after,peak_dbfs_after,gain_db,status,n_tracks\n");
        var splitRows = new StringBuilder("song_id,artist,split\n");
        var segmentRows = new StringBuilder("song_id,source,level,name,method,start_s,end_s,salient\n");
        var saliencyRows = new StringBuilder("song_id,level,node,frame,start_s,end_s,rms_db,salient\n");
        var built = new BuiltDataset(Root, SampleRate, Channels, frames);
        foreach (var (songId, split, instruments, seed) in songs)
        {
            var artist = songId.Contains(" - ", StringComparison.Ordinal) ? songId[..songId.IndexOf(" - ", StringComparison.Ordinal)] : songId;
            var title = songId.Contains(" - ", StringComparison.Ordinal) ? songId[(songId.IndexOf(" - ", StringComparison.Ordinal) + 3)..] : songId;
            var folder = Folder(songId);
            var stems = new Dictionary<(int Level, string Node), AudioBuffer>();
            foreach (var (instrument, k) in instruments.Select((x, k) => (x, k)))
            {
                stems[(1, instrument)] = Instrument(instrument, seed * 7919 + k, frames);
            }

            for (var level = 2; level <= Hierarchy.Depth; level++)
            {
                foreach (var ((childLevel, child), audio) in stems.Where(s => s.Key.Level == level - 1).ToList())
                {
                    var parent = Hierarchy.ParentOf(child, childLevel) ?? throw new InvalidOperationException($"{child} has no parent at level {level}");
                    if (!stems.TryGetValue((level, parent), out var sum))
                    {
                        stems[(level, parent)] = sum = new AudioBuffer(SampleRate, Channels, frames);
                    }

                    for (var c = 0; c < Channels; c++)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Add(sum.Channels[c], audio.Channels[c], sum.Channels[c]);
                    }
                }
            }

            var mix = new AudioBuffer(SampleRate, Channels, frames);
            foreach (var ((level, _), audio) in stems)
            {
                if (level == 1)
                {
                    for (var c = 0; c < Channels; c++)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Add(mix.Channels[c], audio.Channels[c], mix.Channels[c]);
                    }
                }
            }

            var mixPath = $"{folder}/{folder}_MIX.wav";
            WavFile.Write(Full(mixPath), mix, Encoding);
            built.Add(songId, 0, "mixture", mixPath, mix);
            songRows.Append(Csv(songId, artist, title, "Pop", "Pop", folder, mixPath, Num(SampleRate), Num(Channels), Num(frames), Num(Seconds),
                Num(instruments.Length), "0", ContentHash.OfParts(songId, Num(seed))[..16])).Append('\n');
            splitRows.Append(Csv(songId, artist, split)).Append('\n');
            foreach (var ((level, node), audio) in stems.OrderBy(s => s.Key.Level).ThenBy(s => s.Key.Node, StringComparer.Ordinal))
            {
                if (Levels is not null && !Levels.Contains(level))
                {
                    continue;
                }

                var path = $"{folder}/{folder}_STEMS/{folder}_STEM_L{level}_{node}.wav";
                WavFile.Write(Full(path), audio, Encoding);
                built.Add(songId, level, node, path, audio);
                var peak = audio.Channels.Max(ch => ch.Length == 0 ? 0 : ch.Max(Math.Abs));
                stemRows.Append(Csv(songId, Num(level), node, path, Num(SampleRate), Num(Channels), Num(frames), "none", "", "",
                    Num(Math.Round(20 * Math.Log10(Math.Max(peak, 1e-12)), 3)), "0", peak > 0 ? "ok" : "silent", "1")).Append('\n');
                if (WriteAnalysis)
                {
                    foreach (var (start, end, salient) in BsrnnSegments(audio))
                    {
                        segmentRows.Append(Csv(songId, "stem", Num(level), node, "bsrnn", Num(start), Num(end), salient ? "true" : "false")).Append('\n');
                    }

                    var frame = 0;
                    foreach (var (start, end, db) in SaliencyFrames(audio))
                    {
                        saliencyRows.Append(Csv(songId, Num(level), node, Num(frame++), Num(start), Num(end), Num(Math.Round(db, 2)), db > SalientDb ? "true" : "false")).Append('\n');
                    }
                }
            }
        }

        AtomicFile.WriteAllText(Full("manifests/songs.csv"), songRows.ToString());
        AtomicFile.WriteAllText(Full("manifests/stems.csv"), stemRows.ToString());
        AtomicFile.WriteAllText(Full("splits.csv"), splitRows.ToString());
        AtomicFile.WriteAllText(Full("dataset.yaml"), $"hierarchy: {Hierarchy.Name}\nrender_mode: consistent\nsample_rate: {SampleRate}\nchannels: {Channels}\nbuilt_by: DatasetBuilder (tests)\n");
        if (WriteAnalysis)
        {
            AtomicFile.WriteAllText(Full("analysis/segments.csv"), segmentRows.ToString());
            AtomicFile.WriteAllText(Full("analysis/saliency.csv"), saliencyRows.ToString());
        }

        return built;
    }

    /// <summary>The filesystem-safe folder name of a song id.</summary>
    public static string Folder(string songId)
    {
        var sb = new StringBuilder();
        foreach (var ch in songId.Replace(" - ", "_", StringComparison.Ordinal))
        {
            sb.Append(char.IsLetterOrDigit(ch) ? ch : ch == ' ' ? '_' : '-');
        }

        return sb.ToString();
    }

    private string Full(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>A synthetic instrument: a node-specific tone or noise texture, panned, on in some sections.</summary>
    private AudioBuffer Instrument(string node, int seed, int frames)
    {
        var rng = new Random(seed);
        var audio = new AudioBuffer(SampleRate, Channels, frames);
        var hash = 0;
        foreach (var ch in node)
        {
            hash = (hash * 31) + ch;
        }

        var kind = Math.Abs(hash) % 4;
        var baseHz = node switch
        {
            "bass" => 55.0,
            "drum_set" or "nontonal_percussion" => 0,
            "lead_vocal" => 330,
            "backing_vocal" => 440,
            _ => 110 * Math.Pow(2, (Math.Abs(hash) % 24) / 12.0),
        };
        var amplitude = 0.05 + (0.15 * rng.NextDouble());
        var pan = node == "bass" || node == "lead_vocal" ? 0.5 : 0.2 + (0.6 * rng.NextDouble());
        var section = Math.Max(1, (int)(SectionSeconds * SampleRate));
        var sections = (frames + section - 1) / section;
        var on = Enumerable.Range(0, sections).Select(k => k == 0 || rng.NextDouble() < 0.7).ToArray();
        var noise = new Random(seed + 1);
        var left = audio.Channels[0];
        var ramp = SampleRate / 100;
        double phase = 0;
        for (var i = 0; i < frames; i++)
        {
            var s = i / section;
            var pos = i - (s * section);
            var gate = !on[s] ? 0 : Math.Min(1.0, Math.Min(pos, section - pos) / (double)ramp);
            double x;
            if (baseHz == 0)
            {
                var beat = SampleRate / 4;
                x = (noise.NextDouble() * 2 - 1) * Math.Exp(-(i % beat) / (0.05 * SampleRate)) + (0.5 * Math.Sin(2 * Math.PI * 60 * (i % beat) / SampleRate) * Math.Exp(-(i % beat) / (0.1 * SampleRate)));
            }
            else
            {
                var note = baseHz * (1 + (0.25 * ((i / (SampleRate / 2)) % 3)));
                phase += 2 * Math.PI * note / SampleRate;
                x = kind switch
                {
                    0 => Math.Sin(phase),
                    1 => Math.Sin(phase) + (0.5 * Math.Sin(2 * phase)) + (0.25 * Math.Sin(3 * phase)),
                    2 => Math.Sign(Math.Sin(phase)) * 0.6,
                    _ => Math.Sin(phase + (2 * Math.Sin(0.5 * phase))),
                };
            }

            left[i] = (float)(amplitude * gate * x);
        }

        if (Channels == 2)
        {
            var right = audio.Channels[1];
            for (var i = 0; i < frames; i++)
            {
                right[i] = (float)(left[i] * 2 * pan);
                left[i] = (float)(left[i] * 2 * (1 - pan));
            }
        }

        return audio;
    }

    private IEnumerable<(double Start, double End, bool Salient)> BsrnnSegments(AudioBuffer audio)
    {
        var length = (int)(6.0 * SampleRate);
        var hop = length / 2;
        for (var start = 0; start + length <= audio.Frames; start += hop)
        {
            var chunk = length / 10;
            var active = 0;
            for (var k = 0; k < 10; k++)
            {
                active += RmsDb(audio, start + (k * chunk), chunk) > SalientDb ? 1 : 0;
            }

            yield return ((double)start / SampleRate, (double)(start + length) / SampleRate, active > 5);
        }
    }

    private IEnumerable<(double Start, double End, double Db)> SaliencyFrames(AudioBuffer audio)
    {
        var length = (int)(10.0 * SampleRate);
        var hop = (int)(2.5 * SampleRate);
        if (audio.Frames < length)
        {
            yield return (0, (double)audio.Frames / SampleRate, RmsDb(audio, 0, audio.Frames));
            yield break;
        }

        for (var start = 0; start + length <= audio.Frames; start += hop)
        {
            yield return ((double)start / SampleRate, (double)(start + length) / SampleRate, RmsDb(audio, start, length));
        }
    }

    private static double RmsDb(AudioBuffer audio, int start, int count)
    {
        double sum = 0;
        foreach (var ch in audio.Channels)
        {
            for (var i = start; i < start + count; i++)
            {
                sum += (double)ch[i] * ch[i];
            }
        }

        return 10 * Math.Log10(Math.Max(sum / Math.Max(1, count * audio.ChannelCount), 1e-20));
    }

    private static string Num(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Num(int x) => x.ToString(CultureInfo.InvariantCulture);

    private static string Csv(params string[] fields) =>
        string.Join(',', fields.Select(f => f.Contains(',') || f.Contains('"') ? $"\"{f.Replace("\"", "\"\"")}\"" : f));
}

/// <summary>What <see cref="DatasetBuilder.Build"/> wrote: every file's dataset-relative path and its audio.</summary>
public sealed class BuiltDataset(string root, int sampleRate, int channels, int frames)
{
    private readonly Dictionary<(string Song, int Level, string Node), (string Path, AudioBuffer Audio)> files = [];

    public string Root { get; } = root;

    public int SampleRate { get; } = sampleRate;

    public int Channels { get; } = channels;

    public int Frames { get; } = frames;

    public IReadOnlyCollection<(string Song, int Level, string Node)> Keys => files.Keys;

    /// <summary>Audio of a stem (level >= 1) or of the mixture (level 0, node "mixture").</summary>
    public AudioBuffer Audio(string songId, int level, string node) => files[(songId, level, node)].Audio;

    public string PathOf(string songId, int level, string node) => files[(songId, level, node)].Path;

    public string FullPath(string songId, int level, string node) => Path.Combine(Root, PathOf(songId, level, node).Replace('/', Path.DirectorySeparatorChar));

    internal void Add(string songId, int level, string node, string path, AudioBuffer audio) => files[(songId, level, node)] = (path, audio);
}
