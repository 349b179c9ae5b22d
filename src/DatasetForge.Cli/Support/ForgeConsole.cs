using Spectre.Console;

namespace DatasetForge.Cli.Support;

/// <summary>
/// A Spectre console over the *current* Console.Out. The static AnsiConsole binds to the writer it first saw, so
/// summaries written through it miss a later redirection (tests, `forge ... > file`).
/// </summary>
internal static class ForgeConsole
{
    public static IAnsiConsole Out() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
}
