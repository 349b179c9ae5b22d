using System.CommandLine;
using DatasetForge.Benchmarks;

// `./forge bench <name>`: one subcommand per benchmark, each in its own file implementing IBenchCommand.
var root = new RootCommand("DatasetForge benchmarks: our stages side by side with reference tools, reporting ratios.");
foreach (var command in typeof(IBenchCommand).Assembly.GetTypes()
    .Where(t => typeof(IBenchCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => ((IBenchCommand)Activator.CreateInstance(t)!).Create())
    .OrderBy(c => c.Name, StringComparer.Ordinal))
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
