using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Hierarchy;
using DatasetForge.Render;

namespace DatasetForge.Tests.TestSupport;

/// <summary>A raw track to write: file name, fine label, rate, and its channels' samples.</summary>
public sealed record TestTrack(string File, string Label, int SampleRate, float[][] Channels);

/// <summary>
/// Builds small labelled libraries for render tests: WAV files under DIR/audio/&lt;song&gt;/ and a labels.csv (forge
/// label's columns, absolute paths) in DIR/labels/, so <see cref="RenderPlanner"/> reads them as it reads a real run.
/// </summary>
public static class RenderLibrary
{
    public static string Write(string dir, IReadOnlyDictionary<string, IReadOnlyList<TestTrack>> songs, HierarchyDefinition? hierarchy = null)
    {
        hierarchy ??= HierarchyDefinition.Load("ms21");
        var labelsDir = Path.Combine(dir, "labels");
        Directory.CreateDirectory(labelsDir);
        var rows = new List<DatasetForge.Labels.LabelRow>();
        foreach (var (songId, tracks) in songs)
        {
            foreach (var t in tracks)
            {
                var path = Path.Combine(dir, "audio", songId, t.File);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                WavFile.Write(path, new AudioBuffer(t.SampleRate, t.Channels), SampleEncoding.Pcm24);
                rows.Add(new DatasetForge.Labels.LabelRow(songId, t.File, t.Label, hierarchy.InstrumentOf(t.Label), "rule", "test", 1, t.Label, string.Empty, path, string.Empty));
            }
        }

        DatasetForge.Labels.LabelFiles.WriteLong(Path.Combine(labelsDir, "labels.csv"), rows);
        return labelsDir;
    }

    public static float[][] Mono(float[] samples) => [samples];

    public static float[][] Stereo(float[] left, float[] right) => [left, right];

    /// <summary>A tone with short gaps (a "tonal" part).</summary>
    public static float[] Tone(double frequency, double amplitude, int rate, double seconds, int seed = 1)
    {
        var n = (int)(rate * seconds);
        var x = Signals.Sine(frequency, amplitude, rate, n);
        var noise = Signals.Noise(n, amplitude * 0.05, seed);
        for (var i = 0; i < n; i++)
        {
            var t = (double)i / rate;
            x[i] = (t % 2.0) < 1.7 ? x[i] + noise[i] : 0;
        }

        return x;
    }

    /// <summary>Decaying noise hits (a "percussive" part).</summary>
    public static float[] Hits(double amplitude, int rate, double seconds, double every, int seed)
    {
        var n = (int)(rate * seconds);
        var noise = Signals.Noise(n, amplitude, seed);
        var result = new float[n];
        var period = (int)(every * rate);
        for (var i = 0; i < n; i++)
        {
            result[i] = (float)(noise[i] * Math.Exp(-(i % period) / (0.03 * rate)));
        }

        return result;
    }

    /// <summary>The standard test song: drums (mono 48 kHz), percussion, bass (stereo 44.1 kHz), guitar, lead and backing vocals (96 kHz mono), and tracks that must never be mixed.</summary>
    public static IReadOnlyList<TestTrack> Band(double seconds = 3, double level = 0.3)
    {
        return
        [
            new("Kick.wav", "Drum_Kick", 48000, Mono(Hits(level * 2, 48000, seconds, 0.5, 1))),
            new("Snare.wav", "Drum_Snare", 48000, Mono(Hits(level, 48000, seconds, 0.25, 2))),
            new("OH.wav", "Drum_Overheads", 48000, Stereo(Hits(level * 0.5, 48000, seconds, 0.125, 3), Hits(level * 0.5, 48000, seconds, 0.125, 4))),
            new("Shaker.wav", "Shaker", 44100, Mono(Hits(level * 0.3, 44100, seconds, 0.1, 5))),
            new("Bass DI.wav", "Electric_Bass", 44100, Stereo(Tone(55, level, 44100, seconds, 6), Tone(55, level * 0.9, 44100, seconds, 7))),
            new("Gtr.wav", "Electric_Guitar", 44100, Mono(Tone(330, level * 0.2, 44100, seconds, 8))),
            new("Lead Vox.wav", "Lead_Vocal", 96000, Mono(Tone(440, level * 0.5, 96000, seconds, 9))),
            new("BV.wav", "Backing_Vocal", 96000, Mono(Tone(660, level * 0.1, 96000, seconds, 10))),
            new("Room.wav", "Ambient_Microphone", 44100, Mono(Signals.Noise((int)(44100 * seconds), 0.9, 11))),
            new("Click.wav", "Unused", 44100, Mono(Hits(0.9, 44100, seconds, 0.5, 12))),
            new("Mystery.wav", "unknown", 44100, Mono(Signals.Noise((int)(44100 * seconds), 0.9, 13))),
        ];
    }

    /// <summary>Every sample of a WAV file, planar.</summary>
    public static float[][] Read(string path) => AudioFile.ReadAll(path).Channels;

    public static SongRenderPlan PlanOne(string labelsDir, string datasetDir, RenderOptions? options = null, string hierarchy = "ms21") =>
        RenderPlanner.Plan(labelsDir, null, HierarchyDefinition.Load(hierarchy), options ?? new RenderOptions(), datasetDir).Songs.Single();
}
