using System.CommandLine;
using DatasetForge.Cli;
using DatasetForge.Common;
using DatasetForge.Tests.TestSupport;
using DatasetForge.Torch.Training;

namespace DatasetForge.Torch.Tests;

/// <summary>
/// `forge demo` reduced to seconds: 4 songs of 8 s (one archive broken on purpose), served on a free port, all songs
/// in the training split (a 3-song dataset could not otherwise feed every bsrnn target from train songs), 3 steps.
/// </summary>
[Collection("torch")]
public sealed class DemoCommandTests
{
    [Fact]
    public void A_reduced_demo_runs_everything_and_compares_with_the_ground_truth()
    {
        using var dir = new TempDir();
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args =
        [
            "demo", "--out", dir.Path, "--steps", "3", "--batch", "2",
            "--set", "source.songs=4", "--set", "source.seconds=8", "--set", "source.seed=2", "--set", "source.port=0",
            "--set", "split.train=1", "--set", "split.validation=0", "--set", "split.test=0",
        ];
        var code = ForgeCli.BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        var text = output.ToString();
        Assert.True(code == 0, text + error);

        // Scraped from the local server and downloaded: the broken archive is refused, the other songs made it.
        Assert.Contains("served at http://127.0.0.1:", text, StringComparison.Ordinal);
        Assert.Contains("songs: 3 of 4 in the dataset", text, StringComparison.Ordinal);
        Assert.Contains(CsvTable.Read<QuarantineRecord>(Path.Combine(dir.Path, "quarantine.csv")), q => q.Stage == "fetch");
        foreach (var file in new[] { "dataset/manifests/stems.csv", "dataset/splits.csv", "dataset/stats/index.html", "dataset/report/index.html", "labels/labels.csv", "train/metrics.jsonl" })
        {
            Assert.True(File.Exists(Path.Combine(dir.Path, file)), file);
        }

        Assert.Equal(3, Checkpoint.ReadState(Checkpoint.Latest(Path.Combine(dir.Path, "train"))!).Step);
        Assert.Contains("training: tiny-masknet on the 'bsrnn' mix stream, 3 steps", text, StringComparison.Ordinal);
        // The comparison joins on song ids: the songs keep the ids of the synthetic library, so every track is compared.
        Assert.DoesNotContain("(2)", File.ReadAllText(Path.Combine(dir.Path, "labels/labels.csv")), StringComparison.Ordinal);
        var labels = System.Text.RegularExpressions.Regex.Match(text, @"labels (\d+)/(\d+) tracks right \((\d+(?:\.\d+)?)%");
        Assert.True(labels.Success, text);
        Assert.True(int.Parse(labels.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) >= 20, labels.Value);
        Assert.InRange(double.Parse(labels.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), 80, 100);
        Assert.Matches(@"bleed: ROC AUC (\d\.\d{3}|n/a) \(\d+ tracks with injected bleed", text);
        Assert.Matches(@"demo: [\d.]+ s wall, [\d.]+ s CPU", text);

        // Again: everything is done already (same library, so the same pipeline keys; the training run has its steps).
        output.GetStringBuilder().Clear();
        code = ForgeCli.BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        Assert.True(code == 0, output.ToString() + error);
        Assert.Contains("already has 3 steps", output.ToString(), StringComparison.Ordinal);
    }
}
