using DatasetForge.Cli;
using DatasetForge.Common;
using DatasetForge.Synth;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Synth;

[Collection(ConsoleCollection.Name)]
public sealed class SynthDeterminismTests
{
    [Fact]
    public async Task Same_seed_gives_byte_identical_files_whatever_the_parallelism()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        using var c = new TempDir();
        var options = new SynthOptions(3, 42, 4);
        await SynthLibrary.GenerateAsync(a.Path, options with { Parallelism = 1 });
        await SynthLibrary.GenerateAsync(b.Path, options with { Parallelism = 3 });
        await SynthLibrary.GenerateAsync(c.Path, options with { Seed = 43, Parallelism = 2 });
        var ha = Hashes(a.Path);
        // synth.json, library.csv, 5 ground-truth tables, 3 archives, 3 previews.
        Assert.Equal(13, ha.Count);
        Assert.Equal(ha, Hashes(b.Path));
        var hc = Hashes(c.Path);
        Assert.NotEqual(ha.Where(kv => kv.Key.StartsWith("archives/", StringComparison.Ordinal)).Select(kv => kv.Value).Order(),
            hc.Where(kv => kv.Key.StartsWith("archives/", StringComparison.Ordinal)).Select(kv => kv.Value).Order());
    }

    [Fact]
    public async Task Regenerating_into_the_same_folder_replaces_the_library_and_an_unrelated_folder_is_refused()
    {
        using var dir = new TempDir();
        await SynthLibrary.GenerateAsync(dir.Path, new SynthOptions(2, 1, 4));
        var first = Hashes(dir.Path);
        await SynthLibrary.GenerateAsync(dir.Path, new SynthOptions(2, 1, 4));
        Assert.Equal(first, Hashes(dir.Path));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories), p => AtomicFile.IsTempFile(p) || p.Contains(".staging"));

        using var other = new TempDir();
        File.WriteAllText(other.File("mine.txt"), "not a library");
        await Assert.ThrowsAsync<IOException>(() => SynthLibrary.GenerateAsync(other.Path, new SynthOptions(1, 1, 4)));
        Assert.True(File.Exists(other.File("mine.txt")));
    }

    [Fact]
    public async Task Cli_generates_a_library_and_reports_errors_with_a_non_zero_exit_code()
    {
        using var dir = new TempDir();
        var outDir = Path.Combine(dir.Path, "lib");
        var writer = new StringWriter();
        var original = Console.Out;
        int code;
        try
        {
            Console.SetOut(writer);
            code = await ForgeCli.BuildRoot().Parse(["synth", "--songs", "2", "--seed", "5", "--seconds", "4", "--out", outDir, "--unpacked"]).InvokeAsync();
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(outDir, "library.csv")));
        Assert.Equal(2, CsvTable.Read<LibraryRow>(Path.Combine(outDir, "library.csv")).Count);
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(outDir, "unpacked"), "*.wav", SearchOption.AllDirectories));
        Assert.Contains("songs / artists", writer.ToString());

        var bad = await ForgeCli.BuildRoot().Parse(["synth", "--songs", "0", "--out", Path.Combine(dir.Path, "x")]).InvokeAsync();
        Assert.NotEqual(0, bad);
    }

    [Fact]
    public async Task Cancelling_stops_the_run_and_leaves_no_partial_files()
    {
        using var dir = new TempDir();
        using var cts = new CancellationTokenSource();
        var progress = new CancelOnFirstReport(cts);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            SynthLibrary.GenerateAsync(dir.Path, new SynthOptions(4, 9, 4) { Parallelism = 1 }, progress, cts.Token));
        var left = Directory.EnumerateFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dir.Path, p)).ToList();
        Assert.DoesNotContain(left, p => AtomicFile.IsTempFile(p) || p.Contains(".staging", StringComparison.Ordinal));
        Assert.DoesNotContain("library.csv", left);
        Assert.Contains("synth.json", left);
        Assert.Contains("\"complete\": false", File.ReadAllText(Path.Combine(dir.Path, "synth.json")));
    }

    private static Dictionary<string, string> Hashes(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(root, p).Replace('\\', '/'), ContentHash.OfFile);

    private sealed class CancelOnFirstReport(CancellationTokenSource cts) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => cts.Cancel();
    }
}
