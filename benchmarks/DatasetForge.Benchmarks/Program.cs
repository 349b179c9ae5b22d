using System.CommandLine;

namespace DatasetForge.Benchmarks;

/// <summary>A `forge bench` subcommand. Each lives in its own file and is found by reflection.</summary>
public interface IBenchCommand
{
    Command Create();
}

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("DatasetForge benchmarks: our implementation side by side with the named reference, in one run.");
        foreach (var command in typeof(Program).Assembly.GetTypes()
                     .Where(t => typeof(IBenchCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                     .Select(t => ((IBenchCommand)Activator.CreateInstance(t)!).Create())
                     .OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            root.Subcommands.Add(command);
        }

        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
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

    /// <summary>The shared folder (oracles, peers): $DATASETFORGE_SHARED, ../shared beside the repository, or /work/shared.</summary>
    public static string SharedRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("DATASETFORGE_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(Path.Combine(fromEnv, "oracles")))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(RepoRoot()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "oracles")))
            {
                return candidate;
            }
        }

        return "/work/shared";
    }


}
