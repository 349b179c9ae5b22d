using System.Buffers.Binary;

namespace DatasetForge.Audio;

/// <summary>
/// Parses RIFF/WAVE, RF64 and BW64 headers (EBU Tech 3306/3285). Unknown chunks (LIST, bext, iXML, JUNK, ...) are
/// skipped, odd-sized chunks honour their pad byte, and everything wrong is reported with the file and reason.
/// </summary>
internal static class WavHeader
{
    // KSDATAFORMAT_SUBTYPE_* GUIDs share this tail after the 2-byte format code.
    private static readonly byte[] SubFormatTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public static ParsedHeader Parse(HeaderBytes h)
    {
        var path = h.Path;
        if (h.Length < 12)
        {
            throw new AudioFormatException(path, $"file too short for a WAV header ({h.Length} bytes)");
        }

        var riff = h.Ascii(0, 4);
        if (h.Ascii(8, 4) != "WAVE")
        {
            throw new AudioFormatException(path, $"RIFF file is not WAVE (form type '{h.Ascii(8, 4)}')");
        }

        var isRf64 = riff is "RF64" or "BW64";
        long? ds64DataSize = null;
        Format? format = null;
        long dataOffset = -1;
        long dataSize = -1;
        long pos = 12;
        while (pos + 8 <= h.Length)
        {
            var head = h.Slice(pos, 8);
            var id = System.Text.Encoding.ASCII.GetString(head, 0, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
            var body = pos + 8;
            switch (id)
            {
                case "ds64":
                    if (size < 24)
                    {
                        throw new AudioFormatException(path, $"ds64 chunk too small ({size} bytes)");
                    }

                    var ds64 = h.Slice(body, 24);
                    ds64DataSize = BinaryPrimitives.ReadInt64LittleEndian(ds64.AsSpan(8));
                    break;
                case "fmt ":
                    if (size < 16)
                    {
                        throw new AudioFormatException(path, $"fmt chunk too small ({size} bytes)");
                    }

                    format = ParseFormat(path, h.Slice(body, (int)Math.Min(size, 40)));
                    break;
                case "data":
                    dataOffset = body;
                    if (size == 0xFFFFFFFF && isRf64)
                    {
                        dataSize = ds64DataSize ?? throw new AudioFormatException(path, "RF64 file without a ds64 chunk before its data");
                    }
                    else
                    {
                        dataSize = size;
                    }

                    break;
            }

            if (dataOffset >= 0 && format is not null)
            {
                break;
            }

            var next = body + size + (size & 1);
            if (id != "data" && body + size > h.Length)
            {
                throw new AudioFormatException(path, $"chunk '{Printable(id)}' at offset {pos} declares {size} bytes past the end of the file");
            }

            pos = next;
        }

        if (format is null)
        {
            throw new AudioFormatException(path, "no fmt chunk");
        }

        if (dataOffset < 0)
        {
            throw new AudioFormatException(path, "no data chunk");
        }

        var f = format.Value;
        var available = h.Length - dataOffset;
        if (dataSize > available)
        {
            throw new AudioFormatException(path, $"data chunk truncated: header declares {dataSize} bytes, file holds {available}");
        }

        if (dataSize % f.BlockAlign != 0)
        {
            throw new AudioFormatException(path, $"data chunk size {dataSize} is not a whole number of {f.BlockAlign}-byte frames");
        }

        var info = new AudioFileInfo(path, isRf64 ? AudioContainer.Rf64 : AudioContainer.Wav, f.Encoding, f.SampleRate, f.Channels,
            dataSize / f.BlockAlign, f.ChannelMask, f.ValidBits);
        return new ParsedHeader(info, dataOffset, BigEndian: false);
    }

    private static Format ParseFormat(string path, byte[] b)
    {
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(b);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(2));
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4));
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(12));
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(14));
        var validBits = 0;
        uint mask = 0;
        if (channels == 0)
        {
            throw new AudioFormatException(path, "fmt chunk declares 0 channels");
        }

        if (sampleRate == 0 || sampleRate > 1_536_000)
        {
            throw new AudioFormatException(path, $"implausible sample rate {sampleRate} Hz");
        }

        if (tag == 0xFFFE)
        {
            if (b.Length < 40)
            {
                throw new AudioFormatException(path, "WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes");
            }

            validBits = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(18));
            mask = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(20));
            if (!b.AsSpan(26, 14).SequenceEqual(SubFormatTail))
            {
                throw new AudioFormatException(path, "unsupported encoding: WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID");
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(24));
            if (validBits > bits)
            {
                throw new AudioFormatException(path, $"valid bits ({validBits}) exceed container bits ({bits})");
            }
        }

        var encoding = tag switch
        {
            1 => ((bits + 7) / 8) switch
            {
                1 => SampleEncoding.Pcm8,
                2 => SampleEncoding.Pcm16,
                3 => SampleEncoding.Pcm24,
                4 => SampleEncoding.Pcm32,
                _ => throw new AudioFormatException(path, $"unsupported encoding: {bits}-bit PCM"),
            },
            3 => bits switch
            {
                32 => SampleEncoding.Float32,
                64 => SampleEncoding.Float64,
                _ => throw new AudioFormatException(path, $"unsupported encoding: {bits}-bit IEEE float"),
            },
            _ => throw new AudioFormatException(path, $"unsupported encoding: {DescribeTag(tag)} (format tag 0x{tag:X4})"),
        };

        if (tag == 1 && bits % 8 != 0)
        {
            // e.g. 20-bit PCM in 3-byte containers: samples are left-justified, so reading the container is right.
            validBits = bits;
        }

        var expectedAlign = channels * encoding.BytesPerSample();
        if (blockAlign != expectedAlign)
        {
            throw new AudioFormatException(path, $"block align {blockAlign} does not match {channels} channels of {encoding.BytesPerSample()}-byte samples");
        }

        return new Format(encoding, (int)sampleRate, channels, blockAlign, mask, validBits);
    }

    private static string DescribeTag(ushort tag) => tag switch
    {
        0x0002 => "Microsoft ADPCM",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        0x00FF or 0x1610 => "AAC",
        0xF1AC => "FLAC",
        _ => "unknown codec",
    };

    private static string Printable(string id) => new(id.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private readonly record struct Format(SampleEncoding Encoding, int SampleRate, int Channels, int BlockAlign, uint ChannelMask, int ValidBits);
}
