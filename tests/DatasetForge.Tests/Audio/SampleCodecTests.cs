using System.Runtime.InteropServices;
using DatasetForge.Audio;

namespace DatasetForge.Tests.Audio;

public sealed class SampleCodecTests
{
    [Fact]
    public void Pcm16_encoding_rounds_half_to_even_clamps_and_counts_clips_in_every_lane()
    {
        // 53 values so both the vector groups of 16 and the scalar tail see every kind of value.
        var random = new Random(5);
        var values = new float[53];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (i % 7) switch
            {
                0 => 1.5f,
                1 => -1.25f,
                2 => 2.5f / 32768, // a midpoint: rounds to even (2)
                3 => 3.5f / 32768, // rounds to 4
                4 => 32767.5f / 32768, // rounds to 32768 -> clipped to 32767
                _ => (float)((random.NextDouble() * 2) - 1),
            };
        }

        var bytes = new byte[values.Length * 2];
        var clipped = SampleCodec.Encode(values, SampleEncoding.Pcm16, bytes);
        var shorts = MemoryMarshal.Cast<byte, short>(bytes);
        var expectedClipped = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var r = Math.Round((double)(values[i] * 32768f));
            var expected = (short)Math.Clamp(r, short.MinValue, short.MaxValue);
            expectedClipped += r > short.MaxValue || r < short.MinValue ? 1 : 0;
            Assert.Equal(expected, shorts[i]);
        }

        Assert.Equal(expectedClipped, clipped);
        Assert.True(clipped >= 20);
    }

    [Fact]
    public void Pcm16_encoding_counts_nan_as_clipped_and_writes_zero()
    {
        var values = Enumerable.Repeat(0.25f, 40).ToArray();
        values[3] = float.NaN;
        values[35] = float.NaN;
        var bytes = new byte[values.Length * 2];
        Assert.Equal(2, SampleCodec.Encode(values, SampleEncoding.Pcm16, bytes));
        var shorts = MemoryMarshal.Cast<byte, short>(bytes);
        Assert.Equal(0, shorts[3]);
        Assert.Equal(0, shorts[35]);
        Assert.Equal(8192, shorts[4]);
    }

    [Fact]
    public void Pcm16_decoding_is_exact_in_every_lane()
    {
        var shorts = Enumerable.Range(0, 37).Select(i => (short)((i * 1777) - 32768)).ToArray();
        var floats = new float[shorts.Length];
        SampleCodec.Decode(MemoryMarshal.AsBytes(shorts.AsSpan()), SampleEncoding.Pcm16, bigEndian: false, floats);
        for (var i = 0; i < shorts.Length; i++)
        {
            Assert.Equal(shorts[i] / 32768f, floats[i]);
        }
    }
}

public sealed class RawReadTests
{
    [Fact]
    public void Raw_range_reads_return_the_stored_bytes_and_stop_at_the_end()
    {
        using var dir = new TestSupport.TempDir();
        var path = dir.File("raw.wav");
        var left = TestSupport.Signals.Noise(1000, 0.5, 1);
        var right = TestSupport.Signals.Noise(1000, 0.5, 2);
        WavFile.Write(path, new AudioBuffer(44100, [left, right]), SampleEncoding.Pcm16);
        using var reader = AudioFile.OpenRead(path);
        Assert.Equal(4, reader.BlockAlign);
        Assert.False(reader.IsBigEndian);
        var bytes = new byte[100 * 4];
        Assert.Equal(100, reader.ReadRaw(900, 100, bytes));
        var decoded = new float[200];
        SampleCodec.Decode(bytes, SampleEncoding.Pcm16, bigEndian: false, decoded);
        var expected = reader.Read(900, 100);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(expected.Channels[0][i], decoded[2 * i]);
            Assert.Equal(expected.Channels[1][i], decoded[(2 * i) + 1]);
        }

        Assert.Equal(50, reader.ReadRaw(950, 100, bytes));
        Assert.Equal(0, reader.ReadRaw(1000, 100, bytes));
    }
}
