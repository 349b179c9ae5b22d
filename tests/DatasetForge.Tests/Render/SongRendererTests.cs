using DatasetForge.Audio;
using DatasetForge.Hierarchy;
using DatasetForge.Loudness;
using DatasetForge.Render;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Render;

public sealed class SongRendererTests(RenderFixture fixture) : IClassFixture<RenderFixture>
{
    private static string StemPath(SongRenderResult r, MetadataStem s) => Path.Combine(r.Plan.SongDir, r.Plan.StemDirName, s.Filename);

    private static string MixPath(SongRenderResult r) => Path.Combine(r.Plan.SongDir, r.Plan.MixFileName);

    private static double MaxDifference(float[][] a, float[][] b)
    {
        var max = 0.0;
        for (var c = 0; c < a.Length; c++)
        {
            for (var i = 0; i < a[c].Length; i++)
            {
                max = Math.Max(max, Math.Abs(a[c][i] - b[c][i]));
            }
        }

        return max;
    }

    private static float[][] Sum(IEnumerable<float[][]> parts)
    {
        float[][]? total = null;
        foreach (var p in parts)
        {
            total ??= p.Select(c => new float[c.Length]).ToArray();
            for (var c = 0; c < p.Length; c++)
            {
                for (var i = 0; i < p[c].Length; i++)
                {
                    total[c][i] += p[c][i];
                }
            }
        }

        return total!;
    }

    [Fact]
    public void Consistent_mode_every_parent_is_the_sum_of_its_children_and_the_mixture_of_all()
    {
        var r = fixture.Consistent;
        var meta = r.Metadata!;
        Assert.Equal(SongRenderOutcome.Rendered, r.Outcome);
        var audio = meta.AllStems.ToDictionary(s => (s.Level, s.Node), s => RenderLibrary.Read(StemPath(r, s)));
        Assert.Equal([1, 2, 3], meta.AllStems.Select(s => s.Level).Distinct().Order());
        foreach (var parent in meta.GroupStems)
        {
            var sum = Sum(parent.Children.Select(c => audio[(parent.Level - 1, c)]));
            Assert.True(MaxDifference(audio[(parent.Level, parent.Node)], sum) <= 1e-4, $"L{parent.Level} {parent.Node} differs from the sum of {string.Join(", ", parent.Children)}");
        }

        var mix = RenderLibrary.Read(MixPath(r));
        Assert.True(MaxDifference(mix, Sum(meta.Stems.Values.Select(s => audio[(1, s.Node)]))) <= 1e-4, "mixture != sum of level 1");
        Assert.True(MaxDifference(mix, Sum(meta.GroupStems.Where(s => s.Level == 3).Select(s => audio[(3, s.Node)]))) <= 1e-4, "mixture != sum of level 3");
        Assert.Equal(
            ["backing_vocal", "bass", "drum_set", "electric_guitar", "lead_vocal", "nontonal_percussion"],
            meta.Stems.Values.Select(s => s.Node).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_output_has_the_target_rate_channels_and_length()
    {
        var r = fixture.Consistent;
        var infos = r.Metadata!.AllStems.Select(s => AudioFile.ReadInfo(StemPath(r, s))).Append(AudioFile.ReadInfo(MixPath(r))).ToList();
        Assert.All(infos, i => Assert.Equal((44100, 2, r.Metadata.Frames, SampleEncoding.Float32), (i.SampleRate, i.Channels, i.Frames, i.Encoding)));

        // The longest track decides the length: 3 s at 96 kHz -> 44.1 kHz (ceil(n * 441 / 960)).
        Assert.Equal((3 * 96000 * 441L + 959) / 960, r.Metadata.Frames);
    }

    [Fact]
    public void Loudness_stems_meet_the_target_and_percussive_stems_the_peak_after_the_common_gain()
    {
        foreach (var r in new[] { fixture.Consistent, fixture.Ms21 })
        {
            var meta = r.Metadata!;
            var options = r.Plan.Options;
            foreach (var stem in meta.AllStems.Where(s => s.Normalization != "none"))
            {
                var measured = LoudnessMeter.MeasureFile(StemPath(r, stem), measureTruePeak: false);
                if (stem.Normalization == "loudness")
                {
                    Assert.InRange(measured.IntegratedLufs - (options.TargetLufs + meta.MixGainDb), -0.01, 0.01);
                }
                else
                {
                    Assert.InRange(measured.SamplePeakDbfs - (options.PeakDbfs + meta.MixGainDb), -0.01, 0.01);
                }

                Assert.Equal(measured.IntegratedLufs, stem.LufsAfter!.Value, 3);
            }
        }
    }

    [Fact]
    public void Percussive_nodes_are_peak_normalized_as_the_hierarchy_says()
    {
        var byNode = fixture.Ms21.Metadata!.AllStems.ToDictionary(s => $"L{s.Level}:{s.Node}", s => s.Normalization);
        Assert.Equal("peak", byNode["L1:drum_set"]);
        Assert.Equal("peak", byNode["L1:nontonal_percussion"]);
        Assert.Equal("peak", byNode["L2:percussion"]);
        Assert.Equal("loudness", byNode["L2:vocal"]);
        Assert.Equal("loudness", byNode["L1:bass"]);
        Assert.Equal("none", byNode["L3:accompaniment"]);
        var consistent = fixture.Consistent.Metadata!.AllStems.ToDictionary(s => $"L{s.Level}:{s.Node}", s => s.Normalization);
        Assert.Equal("none", consistent["L2:percussion"]);
        Assert.Equal("peak", consistent["L1:drum_set"]);
    }

    [Fact]
    public void Ms21_mode_normalizes_level_2_on_its_own_and_mixes_level_2()
    {
        var r = fixture.Ms21;
        var meta = r.Metadata!;
        var audio = meta.AllStems.ToDictionary(s => (s.Level, s.Node), s => RenderLibrary.Read(StemPath(r, s)));
        var level2 = meta.GroupStems.Where(s => s.Level == 2).ToList();
        Assert.Equal(["bass", "other", "percussion", "vocal"], level2.Select(s => s.Node).Order(StringComparer.Ordinal));
        var mix = RenderLibrary.Read(MixPath(r));
        Assert.True(MaxDifference(mix, Sum(level2.Select(s => audio[(2, s.Node)]))) <= 1e-4);

        // The inclusion relation is broken, as in MS21: the vocal stem is not the sum of its lead and backing stems.
        var vocal = meta.GroupStems.Single(s => s.Level == 2 && s.Node == "vocal");
        Assert.True(MaxDifference(audio[(2, "vocal")], Sum(vocal.Children.Select(c => audio[(1, c)]))) > 1e-3);
        Assert.Equal("ms21", meta.Mode);
    }

    [Fact]
    public void Unused_ambient_and_unknown_tracks_are_linked_but_never_mixed()
    {
        var r = fixture.Consistent;
        var meta = r.Metadata!;
        var excluded = meta.RawTracks.Where(t => !t.Mixed).Select(t => (t.File, t.Instrument, t.Status)).Order().ToList();
        Assert.Equal([("Click.wav", "unused", "excluded"), ("Mystery.wav", "unknown", "excluded"), ("Room.wav", "ambient_mic", "excluded")], excluded);
        Assert.All(meta.Stems.Values, s => Assert.DoesNotContain(s.Raw!.Values, raw => raw.Filename is "Click.wav" or "Mystery.wav" or "Room.wav"));
        Assert.Equal(8, meta.Mix.NTracks);
        foreach (var t in meta.RawTracks)
        {
            Assert.True(File.Exists(Path.Combine(r.Plan.SongDir, r.Plan.RawDirName, t.RawFilename)));
            Assert.Equal(new FileInfo(t.SourcePath).Length, new FileInfo(Path.Combine(r.Plan.SongDir, r.Plan.RawDirName, t.RawFilename)).Length);
        }
    }

    [Fact]
    public void A_mono_track_is_centred_at_full_level_in_both_channels()
    {
        var r = fixture.Consistent;
        var guitar = RenderLibrary.Read(StemPath(r, r.Metadata!.Stems.Values.Single(s => s.Node == "electric_guitar")));
        Assert.Equal(guitar[0], guitar[1]);
        Assert.StartsWith("mono to 2", r.Metadata.RawTracks.Single(t => t.File == "Gtr.wav").ChannelMap, StringComparison.Ordinal);
        Assert.Equal("identity", r.Metadata.RawTracks.Single(t => t.File == "Bass DI.wav").ChannelMap);
    }

    [Fact]
    public void Loud_targets_make_the_mixture_clip_and_every_output_gets_one_common_gain()
    {
        using var temp = new TempDir();
        var r = SongRenderer.Render(RenderLibrary.PlanOne(fixture.Labels, temp.File("loud"), new RenderOptions { TargetLufs = -8, PeakDbfs = -0.5 }));
        var meta = r.Metadata!;
        Assert.True(meta.MixGainDb < -1, $"mix gain {meta.MixGainDb}");
        Assert.NotEmpty(meta.MixGainSource);
        var peaks = meta.AllStems.Select(s => LoudnessMeter.MeasureFile(StemPath(r, s), false).SamplePeakDbfs).Append(LoudnessMeter.MeasureFile(MixPath(r), false).SamplePeakDbfs).ToList();
        Assert.InRange(peaks.Max(), r.Plan.Options.CeilingDbfs - 0.001, r.Plan.Options.CeilingDbfs + 0.001);
        var drums = meta.Stems.Values.Single(s => s.Node == "drum_set");
        Assert.InRange(drums.PeakDbfsAfter!.Value, -0.5 + meta.MixGainDb - 0.01, -0.5 + meta.MixGainDb + 0.01);
        var vocal = meta.Stems.Values.Single(s => s.Node == "lead_vocal");
        Assert.InRange(vocal.LufsAfter!.Value, -8 + meta.MixGainDb - 0.01, -8 + meta.MixGainDb + 0.01);
    }

    [Fact]
    public void Metadata_has_medleydb_keys_and_reads_back()
    {
        var r = fixture.Consistent;
        var text = File.ReadAllText(r.Plan.MetadataPath);
        foreach (var key in new[] { "artist: The Band", "title: First Song", "has_bleed: unknown", "instrumental: no", "mix_filename:", "raw_dir:", "stem_dir:", "stems:", "  S01:", "      R01:" })
        {
            Assert.Contains(key, text, StringComparison.Ordinal);
        }

        var back = SongMetadata.Read(r.Plan.MetadataPath);
        Assert.Equal(r.Metadata!.RenderKey, back.RenderKey);
        Assert.Equal(r.Metadata.AllStems.Select(s => (s.Filename, s.Key, s.Xxh128)), back.AllStems.Select(s => (s.Filename, s.Key, s.Xxh128)));
        Assert.Equal(r.Metadata.RawTracks.Select(t => t.Xxh128), back.RawTracks.Select(t => t.Xxh128));
    }

    [Fact]
    public void The_medleydb_importer_reads_a_rendered_song_with_its_labels()
    {
        var scan = new DatasetForge.Ingest.Import.MedleyDbImporter().Scan(fixture.Path("consistent"));
        var song = Assert.Single(scan.Songs);
        Assert.Equal(("The Band", "First Song"), (song.Artist, song.Title));
        var raw = song.Tracks.Where(t => t.Kind == "raw").ToDictionary(t => Path.GetFileName(t.Path), t => t.Label);
        Assert.Equal("Drum_Kick", raw["Kick.wav"]);
        Assert.Equal("Lead_Vocal", raw["Lead Vox.wav"]);
        Assert.Contains(song.Tracks, t => t.Kind == "mix");
        Assert.Equal(fixture.Consistent.Metadata!.AllStems.Count(), song.Tracks.Count(t => t.Kind == "stem"));
    }
}
