using DatasetForge.Common.Config;
using DatasetForge.Torch.Models;

namespace DatasetForge.Torch.Tests;

public sealed class BandSchemeTests
{
    [Theory]
    [InlineData("v7", 41)]
    [InlineData("bass", 30)]
    [InlineData("drums", 55)]
    [InlineData("v1", 23)]
    [InlineData("v2", 19)]
    [InlineData("v3", 14)]
    [InlineData("v4", 23)]
    [InlineData("v5", 28)]
    [InlineData("v6", 26)]
    public void Band_counts_at_the_papers_stft_match(string scheme, int bands)
    {
        // BSRNN paper, Sec. IV: 2048-point STFT at 44.1 kHz; V7 (vocals) 41 bands, bass 30, drums 55.
        var bins = BandScheme.Load(scheme).Bins(2048, 44100);
        Assert.Equal(bands, bins.Count);
        AssertPartition(bins, 1025);
    }

    [Fact]
    public void V7_band_edges_are_the_hz_edges_in_bins()
    {
        var bins = BandScheme.Load("v7").Bins(2048, 44100);
        // 100 Hz bands below 1 kHz: edges round(k * 100 * 2048 / 44100) = 0, 5, 9, 14, 19, 23, ...
        Assert.Equal((0, 5), bins[0]);
        Assert.Equal((5, 9), bins[1]);
        Assert.Equal(46, bins[9].End);                 // 1 kHz
        Assert.Equal(186, bins[21].End);               // 4 kHz (10 + 12 bands)
        Assert.Equal((929, 1025), bins[^1]);           // 20 kHz to Nyquist in one band
    }

    [Theory]
    [InlineData("v7", 256, 8000)]
    [InlineData("drums", 512, 16000)]
    [InlineData("bass", 4096, 48000)]
    [InlineData("v1", 64, 8000)]
    public void Any_stft_gives_a_partition_without_empty_bands(string scheme, int nFft, int rate)
    {
        var bins = BandScheme.Load(scheme).Bins(nFft, rate);
        AssertPartition(bins, (nFft / 2) + 1);
        Assert.True(bins.Count >= 2, $"{bins.Count} bands");
    }

    [Fact]
    public void Every_preset_loads_and_a_bad_file_names_its_line()
    {
        Assert.Equal(["bass", "drums", "v1", "v2", "v3", "v4", "v5", "v6", "v7"], BandScheme.PresetNames.Order(StringComparer.Ordinal));
        using var dir = new DatasetForge.Tests.TestSupport.TempDir();
        var bad = Path.Combine(dir.Path, "bad.yaml");
        File.WriteAllText(bad, "name: bad\nsegments:\n  - { upto_hz: 1000, bandwidth_hz: -5 }\n");
        var e = Assert.Throws<ConfigException>(() => BandScheme.Load(bad));
        Assert.Contains($"{bad}:3", e.Message, StringComparison.Ordinal);
        File.WriteAllText(bad, "name: bad\nsegments:\n  - { upto_hz: null }\n  - { upto_hz: 4000 }\n");
        Assert.Throws<ConfigException>(() => BandScheme.Load(bad));
    }

    private static void AssertPartition(IReadOnlyList<(int Start, int End)> bins, int total)
    {
        Assert.Equal(0, bins[0].Start);
        Assert.Equal(total, bins[^1].End);
        for (var i = 0; i < bins.Count; i++)
        {
            Assert.True(bins[i].End > bins[i].Start, $"band {i} is empty");
            if (i > 0)
            {
                Assert.Equal(bins[i - 1].End, bins[i].Start);
            }
        }
    }
}
