using DatasetForge.Cli;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Labels;

/// <summary>`forge label` and `forge hierarchy` end to end through the command line (console redirected).</summary>
[Collection(ConsoleCollection.Name)]
public sealed class LabelCommandTests
{
    private static (int Code, string Out, string Err) Forge(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = ForgeCli.BuildRoot().Parse(args).Invoke();
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void Evaluate_json_prints_the_three_numbers()
    {
        using var temp = new TempDir();
        var truth = temp.File("truth.csv");
        File.WriteAllText(truth, "song_id,file,instrument,label\ns,Kick.wav,drum_set,Drum_Kick\ns,Vox.wav,lead_vocal,Lead_Vocal\ns,Gtr.wav,electric_guitar,Acoustic_Guitar\n");
        var (code, output, _) = Forge("label", "--evaluate", truth, "--json");
        Assert.Equal(0, code);
        Assert.Equal("{\"instrument_accuracy\": 1, \"label_accuracy\": 0.666667, \"n\": 3}", output.Trim());
    }

    [Fact]
    public void Label_writes_the_outputs_and_a_bad_rules_file_is_an_error_naming_it()
    {
        using var temp = new TempDir();
        var names = temp.File("names.csv");
        File.WriteAllText(names, "song_id,file\nA - B,01_Kick.wav\nA - B,Bass DI.wav\n");
        var outDir = temp.File("out");
        var (code, output, _) = Forge("label", names, "--out", outDir, "--hierarchy", "musdb");
        Assert.Equal(0, code);
        Assert.Contains("labelled 2 tracks of 1 songs", output);
        Assert.Contains("A - B,Bass DI.wav,Electric_Bass,bass,rule,bass,", File.ReadAllText(Path.Combine(outDir, "labels.csv")));

        var badRules = temp.File("rules.yaml");
        File.WriteAllText(badRules, "name: x\nvocabulary:\n  bass: [Electric_Bass]\nrules:\n  - id: b\n    any: [bass]\n    label: Bass\n");
        var (badCode, _, err) = Forge("label", names, "--out", outDir, "--rules", badRules);
        Assert.Equal(1, badCode);
        Assert.Contains($"{badRules}:7:5", err);
        Assert.Contains("'Bass' is not in the vocabulary", err);
    }

    [Fact]
    public void Explain_shows_words_and_the_winning_rule()
    {
        var (code, output, _) = Forge("label", "--explain", "03_ElecGtr2DI.wav", "Room.wav");
        Assert.Equal(0, code);
        Assert.Contains("03_ElecGtr2DI.wav: words [electric guitar di] -> Electric_Guitar (electric_guitar) by rule 'electric-guitar'", output);
    }

    [Fact]
    public void Hierarchy_import_writes_yaml_that_show_accepts()
    {
        using var temp = new TempDir();
        var yaml = temp.File("ms21.yaml");
        var (code, output, _) = Forge("hierarchy", "import", SharedData.Path("fixtures", "ms21", "hierarchy.json"), "--out", yaml);
        Assert.Equal(0, code);
        Assert.Contains("3 levels", output);
        var (showCode, shown, _) = Forge("hierarchy", "show", yaml);
        Assert.Equal(0, showCode);
        Assert.Contains("drum_set <- Loop, Drum_Kick", shown);

        File.WriteAllText(yaml, "name: x\nlevels:\n  - name: instrument\n    nodes:\n      a: [X]\n      b: [X]\n");
        var (badCode, _, err) = Forge("hierarchy", "show", yaml);
        Assert.Equal(1, badCode);
        Assert.Contains($"{yaml}:6:7: 'levels[0].nodes.b': label 'X' maps to two instruments", err);
    }
}
