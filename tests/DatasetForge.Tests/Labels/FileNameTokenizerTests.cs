using DatasetForge.Common;
using DatasetForge.Labels;

namespace DatasetForge.Tests.Labels;

public sealed class FileNameTokenizerTests
{
    private static readonly FileNameTokenizer Tokenizer = LabelRuleSet.Default.Tokenizer;

    private static string Words(string name) => string.Join(' ', Tokenizer.Tokenize(name).Words);

    [Theory]
    [InlineData("03_ElecGtr2DI.L.wav", "electric guitar di l")]
    [InlineData("01_KickIn.wav", "kick in")]
    [InlineData("1-Snr Top.aif", "snare top")]
    [InlineData("12 - Hi-Hat.flac", "hihat")]
    [InlineData("OHL.wav", "overhead")]
    [InlineData("20_BackingVox1DT.wav", "backing vocal double")]
    [InlineData("LdVox_take3.wav", "lead vocal take")]
    [InlineData("BVs.wav", "backing vocal")]
    [InlineData("AcGtr1Mic2.wav", "acoustic guitar mic")]
    [InlineData("Wurli.LA220.wav", "epiano gear")]
    [InlineData("Drums-Kick Out-M82.wav", "drum kick out gear")]
    [InlineData("09_FrenchHorns.wav", "frenchhorn")]
    [InlineData("ELECGTR.wav", "electric guitar")]
    [InlineData("16_Toms.wav", "tom")]
    [InlineData("12_DTWhisper.wav", "double whisper vocal")]
    [InlineData("05_AcGtr+Vox.wav", "acoustic guitar plus vocal")]
    [InlineData("Tambourine & congas perc_1.wav", "tambourine and conga percussion")]
    [InlineData("T1 Rack.wav", "tom rack")]
    [InlineData("Snare Btm.wav", "snare btm")]
    public void Splits_separators_camel_case_numbers_and_expands_abbreviations(string name, string expected) =>
        Assert.Equal(expected, Words(name));

    [Fact]
    public void Accents_compare_equal_in_NFC_and_NFD_and_are_folded()
    {
        var nfc = "Guitarra Ac\u00FAstica (toma 2) [L].wav";
        var nfd = "Guitarra Acu\u0301stica (toma 2) [L].wav";
        Assert.Equal("guitar acoustic l", Words(nfc));
        Assert.Equal(Words(nfc), Words(nfd));
        Assert.Equal("acustica", TextFold.Fold("Acu\u0301stica"));
        Assert.Equal(TextFold.Key("Bj\u00F6rk - J\u00F3ga"), TextFold.Key("Bjo\u0308rk  -  Jo\u0301ga"));
    }

    [Fact]
    public void A_one_letter_typo_is_fixed_and_marked_as_guessed()
    {
        var name = Tokenizer.Tokenize("EGutiar 2 - (Palmer PDI09).wav");
        Assert.Contains("guitar", name.Words);
        Assert.Contains("guitar", name.Guessed);
        Assert.DoesNotContain("guitar", Tokenizer.Tokenize("Guitar.wav").Guessed);
    }

    [Fact]
    public void Unknown_words_are_reported_and_the_first_naming_word_skips_noise_and_gear()
    {
        var name = Tokenizer.Tokenize("SD VOX-LEAD-M80-1081.wav");
        Assert.Equal("vocal", name.First);
        Assert.Contains("sd", name.Unknown);
        Assert.Contains("gear", name.Words);

        var paths = Tokenizer.Tokenize("Song/Sub folder\\07_Bass DI.wav");
        Assert.Equal(["bass", "di"], paths.Words);
    }

    [Fact]
    public void Numbered_aliases_expand_only_when_a_number_follows()
    {
        Assert.Equal("tom", Words("FT2.wav"));
        Assert.Contains("t", Tokenizer.Tokenize("T.wav").Unknown);
        Assert.Empty(Tokenizer.Tokenize("T.wav").Words);
        var rules = LabelRuleSet.Parse("""
            name: tiny
            vocabulary:
              drum_set: [Drum_Tom]
            tokenizer:
              numbered_aliases:
                tt: tom
            rules:
              - id: tom
                any: [tom]
                label: Drum_Tom
            """, "tiny.yaml");
        Assert.Equal(["tom"], rules.Tokenizer.Tokenize("TT3.wav").Words);
        Assert.Empty(rules.Tokenizer.Tokenize("TT.wav").Words);
    }

    [Fact]
    public void Camel_case_splitting_keeps_acronyms_whole()
    {
        Assert.Equal(["Elec", "Gtr", "2", "DI"], FileNameTokenizer.SplitCamel("ElecGtr2DI"));
        Assert.Equal(["DT", "Whisper"], FileNameTokenizer.SplitCamel("DTWhisper"));
        Assert.Equal(["HIHAT"], FileNameTokenizer.SplitCamel("HIHAT"));
    }

    [Theory]
    [InlineData("gutiar", "guitar", true)]
    [InlineData("acousti", "acoustic", true)]
    [InlineData("vibrophone", "vibraphone", true)]
    [InlineData("guitar", "guitar", true)]
    [InlineData("gitaur", "guitar", false)]
    [InlineData("bass", "brass", true)]
    [InlineData("bas", "brass", false)]
    public void Damerau_distance_one(string a, string b, bool expected) => Assert.Equal(expected, FileNameTokenizer.WithinOneEdit(a, b));
}
