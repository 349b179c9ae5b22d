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
    [InlineData("09_MetalHit.wav", "Percussion", "nontonal_percussion")]
    [InlineData("19_SFXPad1.wav", "SFX", "fx_processed_sound")]
    [InlineData("12_Clavinet.wav", "Synthesizer", "electronic_keyboards")]
    [InlineData("VX end arp_1.wav", "Synthesizer", "electronic_keyboards")]
    [InlineData("29_Toms01_SFX.wav", "Drum_Tom", "drum_set")]
    [InlineData("Keys-Amp-M81.wav", "Electric_Organ", "electronic_keyboards")]
    [InlineData("25_Euphoniiums.wav", "Brass_Section", "brass")]
    [InlineData("04_Dulcimer.wav", "Acoustic_Guitar", "acoustic_guitar")]
    [InlineData("PANO B - ELA M 260.wav", "Piano", "pianos")]
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
    [InlineData("T1.wav", "Drum_Tom", "drum_set")]
    [InlineData("FT2.wav", "Drum_Tom", "drum_set")]
    [InlineData("SnrBtm.wav", "Drum_Snare", "drum_set")]
    [InlineData("Kik Sub.wav", "Drum_Kick", "drum_set")]
    [InlineData("Rhds.wav", "Electric_Piano", "pianos")]
    [InlineData("Mello.wav", "Electric_Organ", "electronic_keyboards")]
    [InlineData("BDI.wav", "Electric_Bass", "bass")]
    [InlineData("Hn 1.wav", "French_Horn", "brass")]
    [InlineData("Ten Sax.wav", "Saxophone", "woodwinds")]
    [InlineData("Prophet Pad.wav", "Synthesizer", "electronic_keyboards")]
    [InlineData("Vocoder.wav", "Synthesizer", "electronic_keyboards")]
    [InlineData("Gang Vox.wav", "Backing_Vocal", "backing_vocal")]
    [InlineData("Vox Stack 2.wav", "Backing_Vocal", "backing_vocal")]
    [InlineData("Talking Drum.wav", "Handdrum", "nontonal_percussion")]
    [InlineData("ExoDrum.wav", "Percussion", "nontonal_percussion")]
    [InlineData("02_RomanWarDrum.wav", "Percussion", "nontonal_percussion")]
    [InlineData("ElecDrums.wav", "Drum_Overheads", "drum_set")]
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
    public void Abbreviations_that_need_a_number_only_count_with_one()
    {
        // "T1" is a tom; a lone "T" is not ("TIm amp" is a player's amp, "Don't" splits into "don t")
        Assert.Equal("Drum_Tom", Label("T2.wav", "Kick.wav").Label);
        Assert.Equal("Electric_Guitar", Label("TIm amp-M81.wav", "Kick.wav").Label);
        Assert.Equal("amp-alone", Label("TIm amp-M81.wav").Rule);
        Assert.Equal("Electric_Guitar", Label("Don't Stop Gtr.wav", "Kick.wav").Label);
    }

    [Fact]
    public void A_joined_name_belongs_to_the_source_named_first()
    {
        // one mic on a singer who plays: "AcGtr plus Vox" is the guitar's, "Vox plus AcGtr" the voice's
        Assert.Equal("Acoustic_Guitar", Label("05_AcGtrPlusVox1.wav", "06_VoxPlusAcGtr1.wav", "09_BackingVox.wav").Label);
        Assert.Equal("Lead_Vocal", Label("06_VoxPlusAcGtr1.wav", "05_AcGtrPlusVox1.wav", "09_BackingVox.wav").Label);
        Assert.Equal("Lead_Vocal", Label("Vox+AcGtr.wav").Label);
        Assert.Equal("Electric_Guitar", Label("Gtr & Vox.wav", "Kick.wav").Label);
        // a '+' inside a vocal effect's description does not make it a joined mic
        Assert.Equal("Backing_Vocal", Label("Vox FX mono + delay.wav", "Lead Vox.wav").Label);
    }

    [Fact]
    public void A_double_of_a_vocal_effect_stays_an_effect()
    {
        Assert.Equal("Backing_Vocal", Label("41_WhisperDT.wav", "30_LeadVox1.wav", "40_Whisper.wav").Label);
        Assert.Equal("Lead_Vocal", Label("31_LeadVox1DT.wav", "30_LeadVox1.wav", "40_Whisper.wav").Label);
        Assert.Equal("Lead_Vocal", Label("Vox bridge dbl 1 L.wav", "Vox chorus lead 1 L.wav").Label);
    }

    [Fact]
    public void Context_decides_ambiguous_abbreviations()
    {
        // "Cb" is a contrabass among strings and a cowbell elsewhere
        Assert.Equal("Double_Bass", Label("Cb.wav", "Vln 1.wav", "Vc.wav").Label);
        Assert.Equal("Bell", Label("Cb.wav", "Kick.wav", "Snare.wav").Label);
        // a bare "Floor" or "Rack" beside a kit is a tom, otherwise nothing is guessed
        Assert.Equal("Drum_Tom", Label("Floor.wav", "Kick.wav", "Snare.wav").Label);
        Assert.Equal(HierarchyDefinition.Unknown, Label("Floor.wav", "Piano.wav").Label);
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
