using DatasetForge.Hierarchy;
using DatasetForge.Render;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Render;

public sealed class RenderIdempotencyTests
{
    /// <summary>Every file under the song folder with its last write time and inode-like identity (write time + length).</summary>
    private static Dictionary<string, DateTime> Stamps(string songDir) =>
        Directory.EnumerateFiles(songDir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(songDir, f), File.GetLastWriteTimeUtc);

    private static string Quiet(TempDir temp) =>
        RenderLibrary.Write(temp.Path, new Dictionary<string, IReadOnlyList<TestTrack>> { ["Quiet - Song"] = RenderLibrary.Band(seconds: 2, level: 0.05) });

    [Fact]
    public void A_second_render_with_the_same_inputs_and_parameters_does_nothing()
    {
        using var temp = new TempDir();
        var labels = Quiet(temp);
        var first = SongRenderer.Render(RenderLibrary.PlanOne(labels, temp.File("ds")));
        var before = Stamps(first.Plan.SongDir);
        Thread.Sleep(20);
        var second = SongRenderer.Render(RenderLibrary.PlanOne(labels, temp.File("ds")));
        Assert.Equal(SongRenderOutcome.Skipped, second.Outcome);
        Assert.Equal(0, second.FilesWritten);
        Assert.Equal(before, Stamps(first.Plan.SongDir));
        var spill = Path.Combine(temp.File("ds"), ".render-tmp");
        Assert.True(!Directory.Exists(spill) || !Directory.EnumerateFileSystemEntries(spill).Any(), "temp spill files were left behind");
    }

    [Fact]
    public void Changing_the_loudness_target_rewrites_exactly_the_files_it_affects()
    {
        using var temp = new TempDir();
        var labels = Quiet(temp);
        var options = new RenderOptions { TargetLufs = -36, PeakDbfs = -14 };
        var first = SongRenderer.Render(RenderLibrary.PlanOne(labels, temp.File("ds"), options));
        Assert.Equal(0, first.Metadata!.MixGainDb);
        var before = Stamps(first.Plan.SongDir);
        Thread.Sleep(20);
        var second = SongRenderer.Render(RenderLibrary.PlanOne(labels, temp.File("ds"), options with { TargetLufs = -34 }));
        Assert.Equal(SongRenderOutcome.Rendered, second.Outcome);
        Assert.Equal(0, second.Metadata!.MixGainDb);
        var after = Stamps(second.Plan.SongDir);
        var changed = after.Where(kv => !before.TryGetValue(kv.Key, out var t) || t != kv.Value).Select(kv => Path.GetFileName(kv.Key)).Order(StringComparer.Ordinal).ToList();

        // Loudness stems, every sum that holds one, the mixture and the metadata; not the peak-normalized drum and
        // percussion stems (nor their level-2 sum), not the raw links.
        string Stem(int level, string node) => second.Plan.StemFileName(level, node);
        var expected = new[]
        {
            Stem(1, "bass"), Stem(1, "electric_guitar"), Stem(1, "lead_vocal"), Stem(1, "backing_vocal"),
            Stem(2, "bass"), Stem(2, "other"), Stem(2, "vocal"), Stem(3, "vocal"), Stem(3, "accompaniment"),
            second.Plan.MixFileName, Path.GetFileName(second.Plan.MetadataPath),
        }.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, changed);
        Assert.Equal(second.Metadata.AllStems.Count() + 1 - 9 - 1, second.FilesKept);
    }

    [Fact]
    public void A_changed_song_field_rewrites_only_the_metadata()
    {
        using var temp = new TempDir();
        var labels = Quiet(temp);
        var hierarchy = HierarchyDefinition.Load("ms21");
        var plan = RenderLibrary.PlanOne(labels, temp.File("ds"));
        SongRenderer.Render(plan);
        var before = Stamps(plan.SongDir);
        Thread.Sleep(20);
        var renamed = plan with { Fields = plan.Fields with { BroadGenre = "Rock / Punk / Metal" } };
        var result = SongRenderer.Render(renamed);
        Assert.Equal(SongRenderOutcome.MetadataOnly, result.Outcome);
        var changed = Stamps(plan.SongDir).Where(kv => before[kv.Key] != kv.Value).Select(kv => kv.Key).ToList();
        Assert.Equal([Path.GetRelativePath(plan.SongDir, plan.MetadataPath)], changed);
        Assert.Equal("Rock / Punk / Metal", SongMetadata.Read(plan.MetadataPath).Genre);
        Assert.Equal(SongRenderOutcome.Skipped, SongRenderer.Render(renamed).Outcome);
    }

    [Fact]
    public void A_corrected_label_moves_the_track_and_drops_the_stale_stem()
    {
        using var temp = new TempDir();
        var labels = Quiet(temp);
        var first = SongRenderer.Render(RenderLibrary.PlanOne(labels, temp.File("ds")));
        var guitarStem = Path.Combine(first.Plan.SongDir, first.Plan.StemDirName, first.Plan.StemFileName(1, "electric_guitar"));
        Assert.True(File.Exists(guitarStem));

        var path = Path.Combine(labels, "labels.csv");
        File.WriteAllText(path, File.ReadAllText(path).Replace("Gtr.wav,Electric_Guitar,electric_guitar", "Gtr.wav,Acoustic_Guitar,acoustic_guitar", StringComparison.Ordinal));
        var second = SongRenderer.Render(RenderLibrary.PlanOne(labels, temp.File("ds")));
        Assert.Equal(SongRenderOutcome.Rendered, second.Outcome);
        Assert.False(File.Exists(guitarStem));
        Assert.True(File.Exists(Path.Combine(second.Plan.SongDir, second.Plan.StemDirName, second.Plan.StemFileName(1, "acoustic_guitar"))));
    }

    [Fact]
    public void Silent_and_too_short_stems_are_reported_not_normalized()
    {
        using var temp = new TempDir();
        var labels = RenderLibrary.Write(temp.Path, new Dictionary<string, IReadOnlyList<TestTrack>>
        {
            ["A - Silence"] =
            [
                new("Vox.wav", "Lead_Vocal", 44100, RenderLibrary.Mono(RenderLibrary.Tone(440, 0.3, 44100, 2))),
                new("Flute.wav", "Flute", 44100, RenderLibrary.Mono(new float[88200])),
                new("Hiss.wav", "Cello", 44100, RenderLibrary.Mono(Signals.Noise(88200, 1e-4, 3))),
                new("Kick.wav", "Drum_Kick", 44100, RenderLibrary.Mono(new float[88200])),
            ],
            ["B - Blip"] = [new("Vox.wav", "Lead_Vocal", 44100, RenderLibrary.Mono(RenderLibrary.Tone(440, 0.3, 44100, 0.2)))],
        });
        var plans = RenderPlanner.Plan(labels, null, HierarchyDefinition.Load("ms21"), new RenderOptions(), temp.File("ds")).Songs;
        var silent = SongRenderer.Render(plans[0]).Metadata!;
        var status = silent.Stems.Values.ToDictionary(s => s.Node, s => (s.Status, s.GainDb));
        Assert.Equal(("silent", 0.0), status["woodwinds"]);
        Assert.Equal(("silent", 0.0), status["strings"]); // -80 dBFS hiss: below the -60 LUFS floor, not lifted into noise
        Assert.Equal(("silent", 0.0), status["drum_set"]);
        Assert.Equal("ok", status["lead_vocal"].Status);
        Assert.Equal("silent", silent.GroupStems.Single(s => s.Level == 2 && s.Node == "percussion").Status);
        var hiss = RenderLibrary.Read(Path.Combine(plans[0].SongDir, plans[0].StemDirName, plans[0].StemFileName(1, "strings")));
        Assert.True(hiss[0].Max(Math.Abs) < 1e-3);

        var blip = SongRenderer.Render(plans[1]).Metadata!;
        Assert.All(blip.AllStems, s => Assert.Equal("too_short", s.Status));
        Assert.Equal("too_short", blip.Mix.Status);
    }

    [Fact]
    public void Unreadable_tracks_are_quarantined_and_the_song_still_renders()
    {
        using var temp = new TempDir();
        var labels = Quiet(temp);
        var broken = Path.Combine(temp.Path, "audio", "Quiet - Song", "Gtr.wav");
        File.WriteAllBytes(broken, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        var result = SongRenderer.Render(RenderLibrary.PlanOne(labels, temp.File("ds")));
        Assert.Equal(SongRenderOutcome.Rendered, result.Outcome);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("Quiet - Song/Gtr.wav", problem.Item);
        Assert.Contains("Gtr.wav", problem.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Metadata!.Stems.Values, s => s.Node == "electric_guitar");
        Assert.Equal("unreadable", result.Metadata.RawTracks.Single(t => t.File == "Gtr.wav").Status);
    }

    [Fact]
    public void A_song_with_nothing_to_mix_fails_and_leaves_no_metadata()
    {
        using var temp = new TempDir();
        var labels = RenderLibrary.Write(temp.Path, new Dictionary<string, IReadOnlyList<TestTrack>>
        {
            ["A - Clicks"] = [new("Click.wav", "Unused", 44100, RenderLibrary.Mono(RenderLibrary.Hits(0.5, 44100, 1, 0.5, 1)))],
        });
        var result = SongRenderer.Render(RenderLibrary.PlanOne(labels, temp.File("ds")));
        Assert.Equal(SongRenderOutcome.Failed, result.Outcome);
        Assert.Contains("nothing to mix", Assert.Single(result.Problems).Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(result.Plan.MetadataPath));
        Assert.False(Directory.Exists(result.Plan.SongDir));
    }
}
