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

    /// <summary>The repository root (where DatasetForge.sln is), found upwards from the binary or the working folder.</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DatasetForge.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (DatasetForge.sln).");
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

    /// <summary>The first <paramref name="count"/> CPUs this process may run on, as a taskset list ("0,1").</summary>
    public static string CpuList(int count)
    {
        long allowed = OperatingSystem.IsLinux() || OperatingSystem.IsWindows() ? (long)Process.GetCurrentProcess().ProcessorAffinity : (1L << Environment.ProcessorCount) - 1;
        var cpus = Enumerable.Range(0, 64).Where(bit => (allowed & (1L << bit)) != 0).Take(count);
        return string.Join(',', cpus);
    }

    /// <summary>
    /// Runs this benchmark executable again with <paramref name="args"/>, pinned to <paramref name="cpus"/> with
    /// taskset (a child process, because pinning a running .NET process on Linux only pins its main thread).
    /// </summary>
    public static (int Code, string Output) RunSelfPinned(string cpus, params string[] args)
    {
        var dll = typeof(BenchSupport).Assembly.Location;
        var dotnet = Environment.ProcessPath ?? "dotnet";
        string[] prefix = dll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !dotnet.EndsWith("forge-bench", StringComparison.Ordinal) ? [dotnet, dll] : [dotnet];
        return HasTool("taskset") ? RunTool("taskset", ["-c", cpus, .. prefix, .. args]) : RunTool(prefix[0], [.. prefix[1..], .. args]);
    }

    /// <summary>Runs a tool pinned to <paramref name="cpus"/> when taskset is there.</summary>
    public static (int Code, string Output) RunPinned(string cpus, string file, params string[] args) =>
        HasTool("taskset") ? RunTool("taskset", ["-c", cpus, file, .. args]) : RunTool(file, args);

    public static bool HasTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    /// <summary>Runs a tool, returns (exit code, stdout+stderr).</summary>
    public static (int Code, string Output) RunTool(string file, params string[] args)
    {
        var (code, stdout, stderr) = Run(file, args.AsEnumerable());
        return (code, stdout + stderr);
    }

    public static string Scratch(string? given, string name)
    {
        var dir = given ?? Path.Combine(Path.GetTempPath(), $"forge-bench-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
