using System.Buffers.Binary;
using DatasetForge.Audio;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Audio;

public sealed class WavHeaderTests : IDisposable
{
    private readonly TempDir temp = new();

    private static byte[] Pcm16(params short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
        }

        return bytes;
    }

    private string Save(string name, byte[] bytes)
    {
        var path = temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Unknown_and_odd_sized_chunks_are_skipped()
    {
        var bytes = RiffBuilder.Wav()
            .Chunk("JUNK", new byte[28])
            .Chunk("bext", new byte[603]) // odd size: followed by a pad byte
            .Chunk("fmt ", RiffBuilder.Fmt(1, 1, 44100, 16))
            .Chunk("LIST", "INFOISFT\u0005\0\0\0abcd\0\0"u8.ToArray())
            .Chunk("iXML", "<BWFXML/>"u8.ToArray())
            .Chunk("data", Pcm16(100, -200, 300))
            .Chunk("cue ", new byte[4])
            .Build();
        var buffer = AudioFile.ReadAll(Save("chunks.wav", bytes));
        Assert.Equal([100 / 32768f, -200 / 32768f, 300 / 32768f], buffer.Channels[0]);
    }

    [Fact]
    public void Extensible_with_24_valid_bits_in_32_bit_containers_is_read()
    {
        var sample = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(sample, 0x40000000); // +0.5 left-justified
        BinaryPrimitives.WriteInt32LittleEndian(sample.AsSpan(4), unchecked((int)0xC0000000)); // -0.5
        var bytes = RiffBuilder.Wav()
            .Chunk("fmt ", RiffBuilder.FmtExtensible(1, 2, 96000, 32, 24, 0x3))
            .Chunk("data", sample)
            .Build();
        using var reader = AudioFile.OpenRead(Save("ext.wav", bytes));
        Assert.Equal(24, reader.Info.BitDepth);
        Assert.Equal(0x3u, reader.Info.ChannelMask);
        var buffer = reader.ReadAll();
        Assert.Equal(0.5f, buffer.Channels[0][0]);
        Assert.Equal(-0.5f, buffer.Channels[1][0]);
    }

    [Fact]
    public void Rf64_with_ds64_sizes_is_read()
    {
        var data = Pcm16(1, 2, 3, 4);
        var ds64 = new byte[28];
        BinaryPrimitives.WriteInt64LittleEndian(ds64, 0);
        BinaryPrimitives.WriteInt64LittleEndian(ds64.AsSpan(8), data.Length);
        BinaryPrimitives.WriteInt64LittleEndian(ds64.AsSpan(16), 4);
        var bytes = RiffBuilder.Wav("RF64")
            .Chunk("ds64", ds64)
            .Chunk("fmt ", RiffBuilder.Fmt(1, 1, 48000, 16))
            .Chunk("data", data, declaredSize: 0xFFFFFFFF)
            .Build(declaredRiffSize: 0xFFFFFFFF);
        using var reader = AudioFile.OpenRead(Save("rf64.wav", bytes));
        Assert.Equal(AudioContainer.Rf64, reader.Info.Container);
        Assert.Equal(4, reader.Info.Frames);
    }

    public static TheoryData<string, byte[], string> BrokenFiles() => new()
    {
        { "truncated.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(1, 2, 44100, 16)).Chunk("data", new byte[40], declaredSize: 4000).Build(), "data chunk truncated" },
        { "nofmt.wav", RiffBuilder.Wav().Chunk("data", new byte[40]).Build(), "no fmt chunk" },
        { "nodata.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(1, 2, 44100, 16)).Build(), "no data chunk" },
        { "adpcm.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(2, 2, 44100, 4, blockAlign: 2048)).Chunk("data", new byte[2048]).Build(), "Microsoft ADPCM" },
        { "mp3inwav.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(0x55, 2, 44100, 0, blockAlign: 1)).Chunk("data", new byte[100]).Build(), "MP3" },
        { "badguid.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.FmtExtensible(1, 2, 44100, 16, 16, 3, validGuid: false)).Chunk("data", new byte[8]).Build(), "unknown sub-format" },
        { "align.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(1, 2, 44100, 16, blockAlign: 3)).Chunk("data", new byte[12]).Build(), "block align" },
        { "zerochan.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(1, 0, 44100, 16, blockAlign: 0)).Chunk("data", new byte[12]).Build(), "0 channels" },
        { "rate.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(1, 1, 0, 16)).Chunk("data", new byte[12]).Build(), "sample rate" },
        { "partial.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(1, 2, 44100, 16)).Chunk("data", new byte[6]).Build(), "whole number" },
        { "float16.wav", RiffBuilder.Wav().Chunk("fmt ", RiffBuilder.Fmt(3, 1, 44100, 16)).Chunk("data", new byte[6]).Build(), "16-bit IEEE float" },
        { "notwave.wav", RiffBuilder.Wav().Build()[..8].Concat("AVI "u8.ToArray()).ToArray(), "not WAVE" },
        { "empty.wav", [], "empty file" },
        { "tiny.wav", "RIFF"u8.ToArray(), "too short" },
        { "song.wav", [.. "ID3"u8.ToArray(), .. new byte[64]], "MP3" },
        { "flac.wav", [.. "fLaC"u8.ToArray(), .. new byte[64]], "FLAC" },
        { "rf64nods.wav", RiffBuilder.Wav("RF64").Chunk("fmt ", RiffBuilder.Fmt(1, 1, 44100, 16)).Chunk("data", new byte[4], declaredSize: 0xFFFFFFFF).Build(), "ds64" },
        { "chunkpastend.wav", RiffBuilder.Wav().Chunk("LIST", new byte[4], declaredSize: 100000).Build(), "past the end" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Broken_or_unsupported_files_raise_an_error_naming_file_and_reason(string name, byte[] bytes, string reason)
    {
        var path = Save(name, bytes);
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.ReadAll(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        var path = temp.File("missing.wav");
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.OpenRead(path));
        Assert.Contains("not found", error.Message);
    }

    public void Dispose() => temp.Dispose();
}
