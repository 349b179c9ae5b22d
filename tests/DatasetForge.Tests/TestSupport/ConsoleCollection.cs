namespace DatasetForge.Tests.TestSupport;

/// <summary>
/// Tests that redirect Console.Out/Error (process-wide) run in this collection, alone, so no other test's output
/// lands in their capture and none of them restores the console under another's feet.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}
