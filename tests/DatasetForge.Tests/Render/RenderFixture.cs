using DatasetForge.Render;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Render;

/// <summary>The standard band song rendered once in each mode, shared by the assertion-only tests.</summary>
public sealed class RenderFixture : IDisposable
{
    private readonly TempDir temp = new();

    public RenderFixture()
    {
        Labels = RenderLibrary.Write(temp.Path, new Dictionary<string, IReadOnlyList<TestTrack>> { ["The Band - First Song"] = RenderLibrary.Band() });
        Consistent = SongRenderer.Render(RenderLibrary.PlanOne(Labels, temp.File("consistent")));
        Ms21 = SongRenderer.Render(RenderLibrary.PlanOne(Labels, temp.File("ms21"), new RenderOptions { Mode = RenderMode.Ms21 }));
    }

    public string Labels { get; }

    public SongRenderResult Consistent { get; }

    public SongRenderResult Ms21 { get; }

    public string Path(params string[] parts) => System.IO.Path.Combine([temp.Path, .. parts]);

    public void Dispose() => temp.Dispose();
}
