using DatasetForge.Synth;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Synth;

/// <summary>One small library (5 songs of 8 s, seed 7), generated once for the tests of this folder.</summary>
public sealed class SynthLibraryFixture : IDisposable
{
    public static readonly SynthOptions Options = new(5, 7, 8);

    private readonly TempDir temp = new();

    public SynthLibraryFixture()
    {
        Summary = SynthLibrary.GenerateAsync(Dir, Options).GetAwaiter().GetResult();
        Plans = SynthLibrary.PlanAll(Options);
    }

    public string Dir => temp.Path;

    public SynthSummary Summary { get; }

    public IReadOnlyList<SongPlan> Plans { get; }

    public string Path(params string[] parts) => System.IO.Path.Combine([Dir, .. parts]);

    public void Dispose() => temp.Dispose();
}
