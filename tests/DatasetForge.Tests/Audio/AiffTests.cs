using System.Buffers.Binary;
using DatasetForge.Audio;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Audio;

public sealed class AiffTests : IDisposable
{
    private readonly TempDir temp = new();

    private static byte[] Comm(int channels, uint frames, int bits, double rate, string? compression = null)
    {
        var comm = new List<byte>();
        var b = new byte[8];
        BinaryPrimitives.WriteInt16BigEndian(b, (short)channels);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(2), frames);
        BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(6), (short)bits);
        comm.AddRange(b);
        comm.AddRange(AiffHeaderAccess.Extended(rate));
        if (compression is not null)
        {
            comm.AddRange(System.Text.Encoding.ASCII.GetBytes(compression));
            comm.AddRange(new byte[] { 0, 0 }); // empty pascal string, padded
        }

        return [.. comm];
    }

    private static byte[] Ssnd(byte[] data) => [.. new byte[8], .. data];

    private string Save(string name, byte[] bytes)
    {
        var path = temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Aiff_16_bit_big_endian_stereo_is_read()
    {
        var data = new byte[8];
        BinaryPrimitives.WriteInt16BigEndian(data, 16384);
        BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(2), -16384);
        BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(4), 8192);
        BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(6), -8192);
        var bytes = RiffBuilder.Aiff().Chunk("COMM", Comm(2, 2, 16, 44100)).Chunk("ANNO", "odd"u8.ToArray()).Chunk("SSND", Ssnd(data)).Build();
        using var reader = AudioFile.OpenRead(Save("a.aiff", bytes));
        Assert.Equal(AudioContainer.Aiff, reader.Info.Container);
        Assert.Equal(44100, reader.Info.SampleRate);
        var buffer = reader.ReadAll();
        Assert.Equal([0.5f, 0.25f], buffer.Channels[0]);
        Assert.Equal([-0.5f, -0.25f], buffer.Channels[1]);
    }

    [Fact]
    public void Aiff_24_bit_at_96k_is_read()
    {
        byte[] data = [0x40, 0x00, 0x00, 0xC0, 0x00, 0x00];
        var bytes = RiffBuilder.Aiff().Chunk("COMM", Comm(1, 2, 24, 96000)).Chunk("SSND", Ssnd(data)).Build();
        var buffer = AudioFile.ReadAll(Save("b.aif", bytes));
        Assert.Equal(96000, buffer.SampleRate);
        Assert.Equal([0.5f, -0.5f], buffer.Channels[0]);
    }

    [Fact]
    public void Aifc_sowt_and_fl32_are_read()
    {
        var sowt = new byte[4];
        BinaryPrimitives.WriteInt16LittleEndian(sowt, 16384);
        BinaryPrimitives.WriteInt16LittleEndian(sowt.AsSpan(2), -16384);
        var a = RiffBuilder.Aiff("AIFC").Chunk("FVER", new byte[4]).Chunk("COMM", Comm(1, 2, 16, 48000, "sowt")).Chunk("SSND", Ssnd(sowt)).Build();
        Assert.Equal([0.5f, -0.5f], AudioFile.ReadAll(Save("s.aifc", a)).Channels[0]);

        var fl = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(fl, 0.25f);
        BinaryPrimitives.WriteSingleBigEndian(fl.AsSpan(4), -0.75f);
        var b = RiffBuilder.Aiff("AIFC").Chunk("COMM", Comm(1, 2, 32, 48000, "fl32")).Chunk("SSND", Ssnd(fl)).Build();
        Assert.Equal([0.25f, -0.75f], AudioFile.ReadAll(Save("f.aifc", b)).Channels[0]);
    }

    [Theory]
    [InlineData("ulaw", "unsupported encoding")]
    [InlineData("ima4", "unsupported encoding")]
    public void Compressed_aifc_is_refused_by_name(string compression, string reason)
    {
        var bytes = RiffBuilder.Aiff("AIFC").Chunk("COMM", Comm(1, 2, 16, 48000, compression)).Chunk("SSND", Ssnd(new byte[4])).Build();
        var path = Save("c.aifc", bytes);
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.ReadAll(path));
        Assert.Contains(reason, error.Message);
        Assert.Contains(compression, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Truncated_aiff_is_refused()
    {
        var bytes = RiffBuilder.Aiff().Chunk("COMM", Comm(2, 1000, 16, 44100)).Chunk("SSND", Ssnd(new byte[40])).Build();
        var path = Save("t.aiff", bytes);
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.ReadAll(path));
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(22050)]
    [InlineData(44100)]
    [InlineData(192000)]
    public void Extended_precision_sample_rates_round_trip(int rate) =>
        Assert.Equal(rate, AiffHeaderAccess.ReadExtended(AiffHeaderAccess.Extended(rate)));

    public void Dispose() => temp.Dispose();
}
