using System.Diagnostics;

namespace DatasetForge.Benchmarks;

/// <summary>Small helpers shared by benchmarks: CPU pinning, running reference tools, scratch folders.</summary>
public static class BenchSupport
{
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
        return HasTool("taskset") ? Run("taskset", ["-c", cpus, .. prefix, .. args]) : Run(prefix[0], [.. prefix[1..], .. args]);
    }

    /// <summary>Runs a tool pinned to <paramref name="cpus"/> when taskset is there.</summary>
    public static (int Code, string Output) RunPinned(string cpus, string file, params string[] args) =>
        HasTool("taskset") ? Run("taskset", ["-c", cpus, file, .. args]) : Run(file, args);

    public static bool HasTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    /// <summary>Runs a tool, returns (exit code, stdout+stderr).</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public static string Scratch(string? given, string name)
    {
        var dir = given ?? Path.Combine(Path.GetTempPath(), $"forge-bench-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
