using System.CommandLine;

namespace DatasetForge.Benchmarks;

public static class BenchCli
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("forge bench: DatasetForge speed and accuracy figures, side by side with reference implementations.");
        foreach (var command in typeof(BenchCli).Assembly.GetTypes()
                     .Where(t => typeof(IBenchCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                     .Select(t => ((IBenchCommand)Activator.CreateInstance(t)!).Create())
                     .OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
