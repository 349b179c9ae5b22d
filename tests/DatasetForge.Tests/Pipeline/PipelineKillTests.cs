using System.Diagnostics;
using DatasetForge.Common;
using DatasetForge.Pipeline;
using DatasetForge.Tests.TestSupport;
using Xunit.Abstractions;

namespace DatasetForge.Tests.Pipeline;

/// <summary>
/// The built CLI (`forge run`, a child process) on a tiny synthetic library, killed with SIGKILL at several random
/// points of a run and resumed each time: every output file ends up byte-identical to an uninterrupted run's. A kill
/// point is a random number of the run's own events (song x stage steps: how far it got, whatever it skipped) plus a
/// random delay, so the kills land in different stages and mid-work, also in resumed runs that skip what is done.
/// </summary>
public sealed class PipelineKillTests(ITestOutputHelper log)
{
    /// <summary>
    /// Files that legitimately differ between two runs: the run logs (times) and the analysis stage's cache of file
    /// stamps (size and write time of the rendered stems, which are written at different moments).
    /// </summary>
    private static bool Excluded(string relative) =>
        relative is "pipeline/events.jsonl" or "pipeline/summary.json" or "pipeline/.lock"
        || (relative.StartsWith("dataset/analysis/songs/", StringComparison.Ordinal) && relative.EndsWith("/analysis.json", StringComparison.Ordinal));

    [Fact]
    public void Killed_at_random_points_and_resumed_gives_the_same_files_as_an_uninterrupted_run()
    {
        using var temp = new TempDir();
        var definition = temp.File("tiny.yaml");
        File.WriteAllText(definition, PipelineRunnerTests.TinyLibrary);
        var output = temp.File("out");

        // The reference: one uninterrupted run (in the same folder, as outputs record absolute paths), moved aside.
        var clock = Stopwatch.StartNew();
        var (code, text) = Forge(definition, output, kill: null);
        Assert.True(code is 0 or 1, text);
        var events = File.ReadAllLines(Path.Combine(output, "pipeline", "events.jsonl")).Length;
        Directory.Move(output, temp.File("reference"));
        log.WriteLine($"uninterrupted run: {clock.Elapsed.TotalSeconds:0.0} s, {events} events");

        // Kill -9 at seeded random points of runs that resume each other, then let the last one finish.
        var random = new Random(20240611);
        var interrupted = 0;
        for (var k = 0; k < 5; k++)
        {
            var point = (Events: random.Next(1, events - 6), Delay: TimeSpan.FromSeconds(0.4 * random.NextDouble()));
            var (killedCode, _) = Forge(definition, output, point);
            interrupted += killedCode == -9 ? 1 : 0;
            log.WriteLine($"kill {k + 1} after {point.Events} events + {point.Delay.TotalSeconds:0.00} s: {(killedCode == -9 ? "killed" : $"had finished (exit {killedCode})")}");
        }

        (code, text) = Forge(definition, output, kill: null);
        Assert.True(code is 0 or 1, text);
        Assert.True(interrupted >= 4, $"only {interrupted} of 5 kills hit a running pipeline");
        Assert.True(PipelineEventLog.Read(Path.Combine(output, "pipeline", "events.jsonl")).Count(e => e.Event == "run_start") >= 1 + interrupted);

        var expected = Hashes(temp.File("reference"));
        var actual = Hashes(output);
        Assert.True(expected.Count > 50, $"only {expected.Count} files compared");
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        var different = expected.Where(kv => actual[kv.Key] != kv.Value).Select(kv => kv.Key).ToList();
        Assert.True(different.Count == 0, "files that differ from the uninterrupted run: " + string.Join(", ", different));
        log.WriteLine($"{expected.Count} files identical after {interrupted} kills");
    }

    private static int CountLines(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var n = 0;
            int b;
            while ((b = stream.ReadByte()) >= 0)
            {
                n += b == '\n' ? 1 : 0;
            }

            return n;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static Dictionary<string, string> Hashes(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (Relative: Path.GetRelativePath(root, f).Replace('\\', '/'), Path: f))
            .Where(f => !Excluded(f.Relative))
            .ToDictionary(f => f.Relative, f => ContentHash.OfFileFast(f.Path), StringComparer.Ordinal);

    /// <summary>
    /// Runs `forge run` as a child process; with <paramref name="kill"/>, SIGKILLs it once this run has written that
    /// many events and the delay has passed (exit code -9 when it was still running then).
    /// </summary>
    private static (int Code, string Output) Forge(string definition, string output, (int Events, TimeSpan Delay)? kill)
    {
        var eventsPath = Path.Combine(output, "pipeline", "events.jsonl");
        var before = File.Exists(eventsPath) ? File.ReadAllLines(eventsPath).Length : 0;
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "forge.dll"), "run", definition, "--out", output })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (kill is { } point)
        {
            while (!process.HasExited && (File.Exists(eventsPath) ? CountLines(eventsPath) : 0) - before < point.Events)
            {
                Thread.Sleep(5);
            }

            if (!process.WaitForExit(point.Delay))
            {
                process.Kill(entireProcessTree: true); // SIGKILL: no handler runs, no cleanup
                process.WaitForExit();
                return (-9, string.Empty);
            }
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
