using System.CommandLine;
using System.Reflection;

namespace DatasetForge.Cli;

/// <summary>A top-level `forge` command. Each lives in its own file under Commands/ and is found by reflection.</summary>
public interface IForgeCommand
{
    Command Create();
}

/// <summary>The `forge` command tree.</summary>
public static class ForgeCli
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("DatasetForge: turn raw multitrack music libraries into source-separation training corpora.");
        var factories = typeof(ForgeCli).Assembly.GetTypes()
            .Where(t => typeof(IForgeCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IForgeCommand)Activator.CreateInstance(t)!)
            .Select(f => f.Create())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var command in factories)
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
