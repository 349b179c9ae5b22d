using DatasetForge.Synth;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Synth;

/// <summary>One small library (5 songs of 6 s, seed 7), generated once for the tests of this class, and its songs rendered in memory on demand.</summary>
public sealed class SynthLibraryFixture : IDisposable
{
    public static readonly SynthOptions Options = new(5, 7, 6);

    private readonly TempDir temp = new();
    private readonly Dictionary<int, SongRenderer> renderers = [];

    public SynthLibraryFixture()
    {
        Summary = SynthLibrary.GenerateAsync(Dir, Options).GetAwaiter().GetResult();
        Plans = SynthLibrary.PlanAll(Options);
    }

    public string Dir => temp.Path;

    public SynthSummary Summary { get; }

    public IReadOnlyList<SongPlan> Plans { get; }

    /// <summary>The in-memory render of a song (same plan as the files), shared by the tests that need it.</summary>
    public SongRenderer Renderer(SongPlan plan)
    {
        lock (renderers)
        {
            if (!renderers.TryGetValue(plan.Song.Index, out var renderer))
            {
                renderer = new SongRenderer(plan);
                renderers[plan.Song.Index] = renderer;
            }

            return renderer;
        }
    }

    public string Path(params string[] parts) => System.IO.Path.Combine([Dir, .. parts]);

    public void Dispose() => temp.Dispose();
}
