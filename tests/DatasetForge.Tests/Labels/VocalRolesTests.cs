using DatasetForge.Common.Config;
using DatasetForge.Hierarchy;
using DatasetForge.Labels;

namespace DatasetForge.Tests.Labels;

/// <summary>Song-level lead vs backing for vocals without a role word (<see cref="VocalRoles"/>), on small constructed songs.</summary>
public sealed class VocalRolesTests
{
    private static readonly TrackLabeler Labeler = new(LabelRuleSet.Default, HierarchyDefinition.Load("ms21"));

    private static Dictionary<string, string> Instruments(string songId, params string[] files) =>
        Labeler.LabelSong(songId, files).ToDictionary(l => l.File, l => l.Instrument);

    [Fact]
    public void A_vocal_named_after_the_artist_is_the_lead_and_the_other_singers_back_it()
    {
        string[] files = ["Vocals-Amy-M80.wav", "Vocals-Byron-M80.wav", "Vocals-Dan-M80.wav", "Drums-Kick-D112.wav"];
        var song = Instruments("Amy Stone & The Strangers - Rescue", files);
        Assert.Equal("lead_vocal", song["Vocals-Amy-M80.wav"]);
        Assert.Equal("backing_vocal", song["Vocals-Byron-M80.wav"]);
        Assert.Equal("backing_vocal", song["Vocals-Dan-M80.wav"]);
        Assert.Equal("drum_set", song["Drums-Kick-D112.wav"]);
        Assert.Equal(VocalRoles.ArtistRule, Labeler.LabelSong("Amy Stone & The Strangers - Rescue", files)[1].Rule);

        // an explicit artist wins over the song id; no singer named after the artist: the rules' labels stay
        Assert.Equal("backing_vocal", Labeler.LabelSong("x", files, artist: "Dan Miller").Single(l => l.File == "Vocals-Amy-M80.wav").Instrument);
        Assert.All(Instruments("Candle Box - Pills", files).Where(kv => kv.Key.StartsWith("Vocals", StringComparison.Ordinal)), kv => Assert.Equal("lead_vocal", kv.Value));
    }

    [Fact]
    public void Three_numbered_vocals_are_the_lead_and_its_harmonies_whatever_the_file_order()
    {
        string[] files = ["VOX 3 - M80.wav", "VOX 1 - M80.wav", "VOX 2- M80.wav", "Kick In.wav"];
        var song = Instruments("Band - Song", files);
        Assert.Equal("lead_vocal", song["VOX 1 - M80.wav"]);
        Assert.Equal("backing_vocal", song["VOX 2- M80.wav"]);
        Assert.Equal("backing_vocal", song["VOX 3 - M80.wav"]);
        Assert.Equal(song, Instruments("Band - Song", [.. files.Reverse()]));

        // doubles of the lowest take are the lead too; the track number is not the take number
        var doubled = Instruments("Band - Song", "12_Vox1.wav", "13_Vox1DT.wav", "14_Vox2.wav", "15_Vox3.wav");
        Assert.Equal(["lead_vocal", "lead_vocal", "backing_vocal", "backing_vocal"], doubled.Values);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    public void Two_or_many_numbered_vocals_stay_as_the_rules_said(int count)
    {
        var files = Enumerable.Range(1, count).Select(n => $"{20 + n}_Vox{n}.wav").ToArray();
        Assert.All(Instruments("Band - Song", files).Values, v => Assert.Equal("lead_vocal", v));
    }

    [Fact]
    public void Role_words_and_explicit_leads_are_never_overruled()
    {
        var song = Instruments("Band - Song", "LeadVox.wav", "Vox1.wav", "Vox2.wav", "Vox3.wav", "BGV 1.wav");
        Assert.Equal("lead_vocal", song["LeadVox.wav"]);
        Assert.Equal("backing_vocal", song["Vox1.wav"]); // role-less next to an explicit lead: backing, by the rules
        Assert.Equal("backing_vocal", song["BGV 1.wav"]);

        // a vocal that is not numbered keeps the numbered rule out
        var mixed = Instruments("Band - Song", "Vox1.wav", "Vox2.wav", "Vox3.wav", "Vox Outro.wav");
        Assert.All(mixed.Values, v => Assert.Equal("lead_vocal", v));
    }

    [Fact]
    public void Vocal_effects_accents_and_doubles_of_another_instrument()
    {
        // a vocal effect is a sound effect when no track of the song is a singer, a backing effect otherwise
        Assert.Equal("SFX", Labeler.LabelSong("Band - Song", ["36_VoxSFX.wav", "01_Kick.wav", "02_Synth.wav"])[0].Label);
        Assert.Equal("Backing_Vocal", Labeler.LabelSong("Band - Song", ["36_VoxSFX.wav", "01_LeadVox.wav"])[0].Label);

        var song = Instruments("Band - Song", "LeadVox1.wav", "LeadVox1Accents1.wav", "ORGAN DBL VOX ALTO-U47.wav", "Vox bridge dbl.wav");
        Assert.Equal("lead_vocal", song["LeadVox1.wav"]);
        Assert.Equal("backing_vocal", song["LeadVox1Accents1.wav"]);
        Assert.Equal("backing_vocal", song["ORGAN DBL VOX ALTO-U47.wav"]); // doubles the organ's line
        Assert.Equal("lead_vocal", song["Vox bridge dbl.wav"]); // doubles the lead
    }

    [Theory]
    [InlineData("VOX 2- M80.wav", 2)]
    [InlineData("Vocals-Vocal3-M81.wav", 3)]
    [InlineData("44_Vox2DT.wav", 2)]
    [InlineData("Vocals-1-M80.wav", 1)]
    [InlineData("03_LeadVox.wav", null)]
    [InlineData("Vocals-Amy-U47.wav", null)]
    [InlineData("Vox.wav", null)]
    public void The_take_number_skips_track_numbers_and_microphone_models(string file, int? number) =>
        Assert.Equal(number, LabelRuleSet.Default.Tokenizer.TakeNumber(file));

    [Theory]
    [InlineData("10_LowBVs.wav", "backing_vocal")]
    [InlineData("BkV1D_CONS.wav", "backing_vocal")]
    [InlineData("KIn_CONS.wav", "drum_set")]
    [InlineData("KOut_CONS.wav", "drum_set")]
    public void CamelCase_splits_that_tear_an_abbreviation_apart_are_joined_again(string file, string instrument) =>
        Assert.Equal(instrument, Labeler.LabelSong("Band - Song", [file])[0].Instrument);

    [Fact]
    public void A_vocal_roles_section_must_name_existing_rules_and_labels()
    {
        const string Rules = """
            name: tiny
            vocabulary:
              lead_vocal: [Lead_Vocal]
              backing_vocal: [Backing_Vocal]
            vocal_roles:
              roleless_rules: [vocal-any, vocal-nameless]
              lead_label: Lead_Vocal
              backing_label: Backing_Vocals
            rules:
              - id: vocal-any
                any: [vocal]
                label: Lead_Vocal
            """;
        var error = Assert.Throws<ConfigException>(() => LabelRuleSet.Parse(Rules, "tiny.yaml"));
        Assert.Contains("tiny.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains("'vocal-nameless'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Backing_Vocals'", error.Message, StringComparison.Ordinal);

        var fixedRules = LabelRuleSet.Parse(Rules.Replace(", vocal-nameless", string.Empty, StringComparison.Ordinal).Replace("Backing_Vocals", "Backing_Vocal", StringComparison.Ordinal), "tiny.yaml");
        Assert.Equal(3, fixedRules.VocalRoles!.NumberedMin);
        var labels = new TrackLabeler(fixedRules).LabelSong("Band - Song", ["Vocal 1.wav", "Vocal 2.wav", "Vocal 3.wav"]);
        Assert.Equal(["Lead_Vocal", "Backing_Vocal", "Backing_Vocal"], labels.Select(l => l.Label));
    }
}
