using System.CommandLine;

namespace DatasetForge.Benchmarks;

/// <summary>A `forge bench` subcommand. Each lives in its own file and is found by reflection.</summary>
public interface IBenchCommand
{
    Command Create();
}
