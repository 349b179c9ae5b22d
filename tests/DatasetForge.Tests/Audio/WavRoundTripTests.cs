using DatasetForge.Audio;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Audio;

public sealed class WavRoundTripTests : IDisposable
{
    private readonly TempDir temp = new();

    public static TheoryData<SampleEncoding, int> Formats()
    {
        var data = new TheoryData<SampleEncoding, int>();
        SampleEncoding[] encodings = [SampleEncoding.Pcm8, SampleEncoding.Pcm16, SampleEncoding.Pcm24, SampleEncoding.Pcm32, SampleEncoding.Float32, SampleEncoding.Float64];
        foreach (var encoding in encodings)
        {
            foreach (var channels in new[] { 1, 2, 3, 6, 8, 11 })
            {
                data.Add(encoding, channels);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_encoding_and_channel_layout_round_trips(SampleEncoding encoding, int channels)
    {
        const int frames = 1001; // odd, so 8-bit and 24-bit mono need a pad byte
        var original = new AudioBuffer(44100, Enumerable.Range(0, channels)
            .Select(c => Signals.Noise(frames, 0.9, seed: c + 1)).ToArray());
        var path = temp.File($"rt_{encoding}_{channels}.wav");

        var clipped = WavFile.Write(path, original, encoding);

        Assert.Equal(0, clipped);
        using var reader = AudioFile.OpenRead(path);
        Assert.Equal(encoding, reader.Info.Encoding);
        Assert.Equal(channels, reader.Info.Channels);
        Assert.Equal(frames, reader.Info.Frames);
        Assert.Equal(44100, reader.Info.SampleRate);
        if (channels > 2)
        {
            Assert.Equal(WavWriter.DefaultChannelMask(channels), reader.Info.ChannelMask);
        }

        var read = reader.ReadAll();
        var tolerance = encoding switch
        {
            SampleEncoding.Pcm8 => 1.0 / 256,
            SampleEncoding.Pcm16 => 1.0 / 65536,
            SampleEncoding.Pcm24 => 1.0 / (1 << 24),
            _ => 1e-7,
        };
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < frames; i++)
            {
                Assert.True(Math.Abs(read.Channels[c][i] - original.Channels[c][i]) <= tolerance,
                    $"channel {c} frame {i}: {read.Channels[c][i]} vs {original.Channels[c][i]}");
            }
        }

        // Decoded PCM re-encodes to the identical bytes: the scaling is exact both ways.
        var again = temp.File($"rt2_{encoding}_{channels}.wav");
        WavFile.Write(again, read, encoding);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void Range_reads_match_the_whole_file()
    {
        var original = new AudioBuffer(48000, [Signals.Noise(50000, 0.5, 1), Signals.Noise(50000, 0.5, 2)]);
        var path = temp.File("range.wav");
        WavFile.Write(path, original, SampleEncoding.Pcm24);
        var whole = AudioFile.ReadAll(path);

        using var reader = AudioFile.OpenRead(path);
        foreach (var (start, count) in new[] { (0, 10), (12345, 20000), (49990, 10), (33333, 1) })
        {
            var part = reader.Read(start, count);
            Assert.Equal(count, part.Frames);
            for (var c = 0; c < 2; c++)
            {
                Assert.Equal(whole.Channels[c].AsSpan(start, count).ToArray(), part.Channels[c]);
            }
        }

        // Past the end: short read, never garbage.
        Assert.Equal(5, reader.Read(49995, 100).Frames);
        Assert.Equal(0, reader.Read(60000, 100).Frames);
    }

    [Fact]
    public void Range_reads_are_safe_from_several_threads()
    {
        var original = new AudioBuffer(44100, [Signals.Noise(200000, 0.5, 7)]);
        var path = temp.File("threads.wav");
        WavFile.Write(path, original, SampleEncoding.Pcm16);
        var whole = AudioFile.ReadAll(path);
        using var reader = AudioFile.OpenRead(path);
        Parallel.For(0, 64, i =>
        {
            var start = i * 3000;
            var part = reader.Read(start, 2500);
            Assert.Equal(whole.Channels[0].AsSpan(start, 2500).ToArray(), part.Channels[0]);
        });
    }

    [Fact]
    public void Pcm_writes_report_clipping_instead_of_wrapping()
    {
        var buffer = new AudioBuffer(44100, [[0.5f, 1.5f, -2f, 0.999f]]);
        var path = temp.File("clip.wav");
        var clipped = WavFile.Write(path, buffer, SampleEncoding.Pcm16);
        Assert.Equal(2, clipped);
        var read = AudioFile.ReadAll(path);
        Assert.Equal(32767 / 32768f, read.Channels[0][1]);
        Assert.Equal(-1f, read.Channels[0][2]);
    }

    [Fact]
    public void Writer_switches_to_rf64_past_its_threshold_and_reader_reads_it()
    {
        var original = new AudioBuffer(44100, [Signals.Noise(3000, 0.5, 3), Signals.Noise(3000, 0.5, 4)]);
        var path = temp.File("big.wav");
        using (var writer = WavWriter.CreateWithRf64Threshold(path, 44100, 2, SampleEncoding.Float32, rf64Threshold: 1000))
        {
            writer.Write(original);
            writer.Commit();
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal("RF64", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal("ds64", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        using var reader = AudioFile.OpenRead(path);
        Assert.Equal(AudioContainer.Rf64, reader.Info.Container);
        Assert.Equal(3000, reader.Info.Frames);
        Assert.Equal(original.Channels[1], reader.ReadAll().Channels[1]);
    }

    [Fact]
    public void An_uncommitted_writer_leaves_nothing_behind()
    {
        var path = temp.File("never.wav");
        File.WriteAllText(path, "previous content");
        using (var writer = WavWriter.Create(path, 44100, 1, SampleEncoding.Pcm16))
        {
            writer.WriteInterleaved(new float[100]);
        }

        Assert.Equal("previous content", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    public void Dispose() => temp.Dispose();
}
