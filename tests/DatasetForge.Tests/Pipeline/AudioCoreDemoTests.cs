using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Pipeline;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Pipeline;

public sealed class AudioCoreDemoTests
{
    [Fact]
    public void Demo_renders_every_track_at_44k1_on_the_target_loudness_and_is_reproducible()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var tracks = AudioCoreDemo.Run(a.Path, seed: 7, targetLufs: -20);
        AudioCoreDemo.Run(b.Path, seed: 7, targetLufs: -20);

        Assert.Equal(["bass", "keys", "hats"], tracks.Select(t => t.Name));
        foreach (var t in tracks)
        {
            Assert.Equal(-20, t.RenderedLufs, 1);
            Assert.Equal(44100, AudioFile.ReadInfo(t.RenderedPath).SampleRate);
            Assert.Equal(48000, AudioFile.ReadInfo(t.RawPath).SampleRate);
            Assert.Equal(ContentHash.OfFile(t.RenderedPath), ContentHash.OfFile(t.RenderedPath.Replace(a.Path, b.Path, StringComparison.Ordinal)));
        }

        Assert.DoesNotContain(Directory.GetFiles(a.Path, "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith('.'));
    }
}
