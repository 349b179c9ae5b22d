using System.Text.Json;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Cli;

public sealed class LoudnessCommandTests
{
    private static (int ExitCode, string Output, string Error) Forge(params string[] args) => ForgeInProcess.Run(args);

    [Fact]
    public void Json_lists_every_readable_file_and_names_the_unreadable_one()
    {
        using var dir = new TempDir();
        var broken = dir.File("broken.wav");
        File.WriteAllText(broken, "this is not audio at all");
        var tech = SharedData.Path("oracles", "loudness", "tech3341_1_48k.wav");
        var silence = SharedData.Path("oracles", "loudness", "silence_48k.wav");

        var (code, output, error) = Forge("loudness", "--json", tech, broken, silence);

        Assert.Equal(1, code);
        Assert.Contains(broken, error);
        Assert.Contains("not a WAV or AIFF file", error);
        using var doc = JsonDocument.Parse(output);
        var rows = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Equal(tech, rows[0].GetProperty("file").GetString());
        Assert.Equal(48000, rows[0].GetProperty("sample_rate").GetInt32());
        Assert.Equal(2, rows[0].GetProperty("channels").GetInt32());
        Assert.Equal(960000, rows[0].GetProperty("frames").GetInt64());
        Assert.Equal(-22.9934, rows[0].GetProperty("integrated_lufs").GetDouble(), 2);
        Assert.Equal(-22.9992, rows[0].GetProperty("sample_peak_dbfs").GetDouble(), 2);
        Assert.Equal(-22.9992, rows[0].GetProperty("true_peak_dbtp").GetDouble(), 1);
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("integrated_lufs").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("sample_peak_dbfs").ValueKind);
    }

    [Fact]
    public void Plain_output_has_one_line_per_file_and_exit_code_zero()
    {
        var file = SharedData.Path("oracles", "loudness", "pink_noise_44.1k.wav");
        var (code, output, error) = Forge("loudness", file);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal([file, "44100", "2", "220500", "-21.15", "-9.93", "-9.93"], lines[1].TrimEnd('\r').Split('\t'));
    }

    [Fact]
    public void A_missing_file_is_an_error_line_and_a_non_zero_exit()
    {
        var (code, output, error) = Forge("loudness", "--json", "/no/such/file.wav");
        Assert.Equal(1, code);
        Assert.Contains("/no/such/file.wav", error);
        Assert.Equal("[]", output.Trim());
    }
}
