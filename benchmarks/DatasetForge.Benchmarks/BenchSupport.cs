using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace DatasetForge.Benchmarks;

/// <summary>Timing, single-core pinning, data folders and output shared by the benchmarks.</summary>
public static class BenchSupport
{
    /// <summary>
    /// Pins this process (and so every child it starts: ffmpeg, sox) to one CPU core, so "per core" figures are per
    /// core. Returns the core used.
    /// </summary>
    public static int PinToOneCore()
    {
        var core = Environment.ProcessorCount - 1;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            using var process = Process.GetCurrentProcess();
            process.ProcessorAffinity = (nint)(1L << core);
        }

        return core;
    }

    /// <summary>Folder for generated benchmark inputs: .build/bench-data in the repository (ignored by git), else temp.</summary>
    public static string DataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DatasetForge.sln")))
            {
                var folder = Path.Combine(dir.FullName, ".build", "bench-data");
                Directory.CreateDirectory(folder);
                return folder;
            }
        }

        var temp = Path.Combine(Path.GetTempPath(), "forge-bench-data");
        Directory.CreateDirectory(temp);
        return temp;
    }

    /// <summary>The workplace's shared folder (oracles): $DATASETFORGE_SHARED, a `shared` folder above the binaries, or /work/shared.</summary>
    public static string SharedFolder()
    {
        var fromEnv = Environment.GetEnvironmentVariable("DATASETFORGE_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(Path.Combine(fromEnv, "oracles")))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "oracles")))
            {
                return candidate;
            }
        }

        return "/work/shared";
    }

    /// <summary>Runs an external program; returns (exit code, stderr). Throws a clear error if it is not installed.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed ({e.Message}); run scripts/ensure-bench-deps.sh", e);
        }
    }

    public static void Print(string title, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 160; // a log file has no window; do not wrap at 80 columns
        }

        var table = new Table { Title = new TableTitle(title) }.AddColumns(columns.Select(c => new TableColumn(c)).ToArray());
        foreach (var row in rows)
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(table);
    }

    public static void PrintJson(JsonNode node) =>
        Console.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
}
