using DatasetForge.Hierarchy;
using DatasetForge.Labels;

namespace DatasetForge.Tests.Labels;

public sealed class TrackLabelerTests
{
    private static readonly TrackLabeler Labeler = new(LabelRuleSet.Default, HierarchyDefinition.Load("ms21"));

    private static TrackLabel Label(string file, params string[] songContext)
    {
        var files = new[] { file }.Concat(songContext).ToList();
        return Labeler.LabelSong("Artist - Song", files)[0];
    }

    [Theory]
    [InlineData("01_Kick.wav", "Drum_Kick", "drum_set")]
    [InlineData("Kik In.wav", "Drum_Kick", "drum_set")]
    [InlineData("02_SnrBot.wav", "Drum_Snare", "drum_set")]
    [InlineData("HH.wav", "Drum_HiHat", "drum_set")]
    [InlineData("Rack Tom 1.wav", "Drum_Tom", "drum_set")]
    [InlineData("OH R.wav", "Drum_Overheads", "drum_set")]
    [InlineData("14_Rhodes.wav", "Electric_Piano", "pianos")]
    [InlineData("Wurli DI.wav", "Electric_Piano", "pianos")]
    [InlineData("Keys-Hammond-Passive DI.wav", "Electric_Organ", "electronic_keyboards")]
    [InlineData("Pno L.wav", "Piano", "pianos")]
    [InlineData("Syn Pad 2.wav", "Synthesizer", "electronic_keyboards")]
    [InlineData("11_BassSynth.wav", "Synth_Bass", "bass")]
    [InlineData("Bs DI.wav", "Electric_Bass", "bass")]
    [InlineData("Upright Bass Mic.wav", "Double_Bass", "bass")]
    [InlineData("EGtr Amp.wav", "Electric_Guitar", "electric_guitar")]
    [InlineData("AcGtr Mic1.wav", "Acoustic_Guitar", "acoustic_guitar")]
    [InlineData("Mandolin-DI.wav", "Acoustic_Guitar", "acoustic_guitar")]
    [InlineData("Str Section.wav", "String_Section", "strings")]
    [InlineData("Vln 1.wav", "Violin", "strings")]
    [InlineData("Tpt.wav", "Trumpet", "brass")]
    [InlineData("Horns-Bone1-AR51.wav", "Trombone", "brass")]
    [InlineData("Tenor Sax.wav", "Saxophone", "woodwinds")]
    [InlineData("Flt.wav", "Flute", "woodwinds")]
    [InlineData("Tamb.wav", "Tambourine", "nontonal_percussion")]
    [InlineData("Shakers.wav", "Shaker", "nontonal_percussion")]
    [InlineData("Handclaps.wav", "Claps", "nontonal_percussion")]
    [InlineData("07_FingerClicks1.wav", "Clicks", "nontonal_percussion")]
    [InlineData("Congas.wav", "Conga", "nontonal_percussion")]
    [InlineData("Glock.wav", "Other_Chromatic", "tonal_percussion")]
    [InlineData("Riser SFX.wav", "SFX", "fx_processed_sound")]
    [InlineData("01_Loop1.wav", "Loop", "drum_set")]
    [InlineData("01_MainPair.wav", "Ambient_Microphone", "ambient_mic")]
    [InlineData("01_KickTrigger.wav", "Unused", "unused")]
    [InlineData("Click Track.wav", "Unused", "unused")]
    [InlineData("Scratch Vox.wav", "Unused", "unused")]
    public void Names_map_to_fine_labels_and_level_one_instruments(string file, string label, string instrument)
    {
        var result = Label(file);
        Assert.Equal(label, result.Label);
        Assert.Equal(instrument, result.Instrument);
        Assert.Equal(LabelSource.Rule, result.Source);
        Assert.NotEmpty(result.Rule);
        Assert.InRange(result.Confidence, 0.01, 1.0);
        Assert.Null(result.Warning);
    }

    [Fact]
    public void Bass_drum_is_a_kick_in_a_drum_kit_song_and_an_orchestral_bass_drum_elsewhere()
    {
        Assert.Equal("Drum_Kick", Label("Bass Drum.wav", "Snare.wav", "Overheads.wav").Label);
        Assert.Equal("Bass_Drum", Label("Bass Drum.wav", "Timpani.wav", "Violins.wav").Label);
    }

    [Fact]
    public void Room_is_the_kits_room_in_a_drum_song_and_an_ambient_mic_otherwise()
    {
        Assert.Equal("Drum_Room", Label("Room.wav", "Kick.wav", "Snare.wav").Label);
        Assert.Equal("Drum_Room", Label("Drums Room Mono.wav").Label);
        Assert.Equal("Ambient_Microphone", Label("Room.wav", "Violin.wav", "Cello.wav").Label);
        Assert.Equal("Ambient_Microphone", Label("ROOM LEFT - M81.wav", "Kick.wav").Label);
    }

    [Fact]
    public void Song_level_logic_decides_lead_versus_backing_vocals()
    {
        // A bare "Vox" is the lead when nothing else is; next to an explicit lead it is a backing vocal.
        Assert.Equal("Lead_Vocal", Label("Vox.wav", "Gtr.wav").Label);
        Assert.Equal("Backing_Vocal", Label("Vox 2.wav", "Lead Vox.wav").Label);
        Assert.Equal("Lead_Vocal", Label("Lead Vox.wav", "Vox 2.wav").Label);
        // "Vocals-Bass" is the bassist's harmony when someone else sings lead, the lead when alone.
        Assert.Equal("Backing_Vocal", Label("Vocals-Bass-M81.wav", "Vocals-Lead-M81.wav").Label);
        Assert.Equal("Lead_Vocal", Label("Vocals-Bass-M81.wav", "Bass-DI.wav").Label);
        // doubles of a lead stay lead, backing stays backing
        Assert.Equal("Lead_Vocal", Label("LeadVoxDT.wav", "BackingVox1.wav").Label);
        Assert.Equal("Backing_Vocal", Label("BVs.wav", "LeadVox.wav").Label);
    }

    [Fact]
    public void Nothing_matched_gives_unknown_with_a_warning_never_a_guess()
    {
        var result = Label("Caro & Doriane1.wav");
        Assert.Equal(HierarchyDefinition.Unknown, result.Label);
        Assert.Equal(HierarchyDefinition.Unknown, result.Instrument);
        Assert.Equal(0, result.Confidence);
        Assert.Empty(result.Rule);
        Assert.Contains("no rule matched", result.Warning);
        Assert.Contains("doriane", result.Warning);
    }

    [Fact]
    public void Odd_names_work_spaces_dots_brackets_accents_and_decomposed_unicode()
    {
        Assert.Equal("Acoustic_Guitar", Label("Guitarra Ac\u00FAstica (toma 2) [L].wav").Label);
        Assert.Equal("Acoustic_Guitar", Label("Guitarra Acu\u0301stica (toma 2) [L].wav").Label);
        Assert.Equal("Drum_Snare", Label("  caja   (arriba)  .WAV").Label);
        Assert.Equal("Drum_Kick", Label("Drums-Kick In-M82.20_01.wav").Label);
        Assert.Equal("Claps", Label("808 clap stereo delays .wav").Label);
        Assert.Equal("Lead_Vocal", Label("Voz principal.wav").Label);
    }

    [Fact]
    public void A_spelling_fix_lowers_the_confidence()
    {
        var typo = Label("Gutiar 2.wav", "Kick.wav");
        var clean = Label("Guitar 2.wav", "Kick.wav");
        Assert.Equal("Electric_Guitar", typo.Label);
        Assert.Equal(typo.Rule, clean.Rule);
        Assert.True(typo.Confidence < clean.Confidence);
    }

    [Fact]
    public void Output_keeps_input_order_and_the_file_names_as_given()
    {
        string[] files = ["b.wav", "01_Kick.wav", "Vox.wav"];
        var labels = Labeler.LabelSong("s", files);
        Assert.Equal(files, labels.Select(l => l.File));
        Assert.All(labels, l => Assert.Equal("s", l.SongId));
        Assert.Empty(Labeler.LabelSong("empty", []));
    }

    [Fact]
    public void Without_a_hierarchy_the_vocabulary_gives_the_instrument_and_with_one_the_hierarchy_does()
    {
        var plain = new TrackLabeler(LabelRuleSet.Default);
        Assert.Equal("drum_set", plain.LabelSong("s", ["Kick.wav"])[0].Instrument);
        var cadenza = new TrackLabeler(LabelRuleSet.Default, HierarchyDefinition.Load("cadenza-classical"));
        Assert.Equal("violin", cadenza.LabelSong("s", ["Fiddle.wav"])[0].Instrument);
        Assert.Equal("not_classical", cadenza.LabelSong("s", ["Kick.wav"])[0].Instrument);
    }
}
