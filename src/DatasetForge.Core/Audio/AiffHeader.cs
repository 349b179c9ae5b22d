using System.Buffers.Binary;

namespace DatasetForge.Audio;

/// <summary>
/// Parses AIFF and AIFF-C headers (big-endian; AIFC 'sowt' is little-endian PCM). Compressed AIFC (ulaw, alaw,
/// ima4, MACE, ...) is refused with the codec named.
/// </summary>
internal static class AiffHeader
{
    public static ParsedHeader Parse(HeaderBytes h)
    {
        var path = h.Path;
        if (h.Length < 12)
        {
            throw new AudioFormatException(path, $"file too short for an AIFF header ({h.Length} bytes)");
        }

        var form = h.Ascii(8, 4);
        if (form is not ("AIFF" or "AIFC"))
        {
            throw new AudioFormatException(path, $"IFF file is not AIFF (form type '{form}')");
        }

        var isAifc = form == "AIFC";
        int channels = 0, sampleSize = 0;
        long frames = -1;
        double sampleRate = 0;
        var compression = "NONE";
        long ssndData = -1;
        long pos = 12;
        while (pos + 8 <= h.Length)
        {
            var head = h.Slice(pos, 8);
            var id = System.Text.Encoding.ASCII.GetString(head, 0, 4);
            long size = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(4));
            var body = pos + 8;
            if (id == "COMM")
            {
                if (size < 18)
                {
                    throw new AudioFormatException(path, $"COMM chunk too small ({size} bytes)");
                }

                var comm = h.Slice(body, (int)Math.Min(size, 22));
                channels = BinaryPrimitives.ReadInt16BigEndian(comm);
                frames = BinaryPrimitives.ReadUInt32BigEndian(comm.AsSpan(2));
                sampleSize = BinaryPrimitives.ReadInt16BigEndian(comm.AsSpan(6));
                sampleRate = ReadExtended(comm.AsSpan(8, 10));
                if (isAifc)
                {
                    if (size < 22)
                    {
                        throw new AudioFormatException(path, "AIFC COMM chunk lacks a compression type");
                    }

                    compression = System.Text.Encoding.ASCII.GetString(comm, 18, 4);
                }
            }
            else if (id == "SSND")
            {
                var offset = BinaryPrimitives.ReadUInt32BigEndian(h.Slice(body, 8));
                ssndData = body + 8 + offset;
            }
            else if (body + size > h.Length)
            {
                throw new AudioFormatException(path, $"chunk '{id}' at offset {pos} declares {size} bytes past the end of the file");
            }

            if (ssndData >= 0 && frames >= 0)
            {
                break;
            }

            pos = body + size + (size & 1);
        }

        if (frames < 0)
        {
            throw new AudioFormatException(path, "no COMM chunk");
        }

        if (channels <= 0)
        {
            throw new AudioFormatException(path, $"COMM chunk declares {channels} channels");
        }

        if (sampleRate is < 1 or > 1_536_000 || double.IsNaN(sampleRate))
        {
            throw new AudioFormatException(path, $"implausible sample rate {sampleRate} Hz");
        }

        if (Math.Abs(sampleRate - Math.Round(sampleRate)) > 1e-6)
        {
            throw new AudioFormatException(path, $"non-integer sample rate {sampleRate} Hz is not supported");
        }

        var (encoding, bigEndian) = (compression, sampleSize) switch
        {
            ("NONE" or "twos", <= 8) => (SampleEncoding.PcmS8, true),
            ("raw ", <= 8) => (SampleEncoding.Pcm8, true),
            ("NONE" or "twos", <= 16) => (SampleEncoding.Pcm16, true),
            ("NONE" or "twos" or "in24", <= 24) => (SampleEncoding.Pcm24, true),
            ("NONE" or "twos" or "in32", <= 32) => (SampleEncoding.Pcm32, true),
            ("sowt", <= 16) => (SampleEncoding.Pcm16, false),
            ("sowt", <= 24) => (SampleEncoding.Pcm24, false),
            ("sowt", <= 32) => (SampleEncoding.Pcm32, false),
            ("fl32" or "FL32", _) => (SampleEncoding.Float32, true),
            ("fl64" or "FL64", _) => (SampleEncoding.Float64, true),
            _ => throw new AudioFormatException(path, $"unsupported encoding: AIFC compression '{compression}' with {sampleSize}-bit samples"),
        };

        if (sampleSize <= 0 && !encoding.IsFloat())
        {
            throw new AudioFormatException(path, $"COMM chunk declares {sampleSize}-bit samples");
        }

        if (frames > 0 && ssndData < 0)
        {
            throw new AudioFormatException(path, "no SSND chunk");
        }

        var needed = frames * channels * encoding.BytesPerSample();
        var available = ssndData < 0 ? 0 : h.Length - ssndData;
        if (needed > available)
        {
            throw new AudioFormatException(path, $"sound data truncated: header declares {needed} bytes, file holds {available}");
        }

        var validBits = sampleSize % 8 != 0 ? sampleSize : 0;
        var info = new AudioFileInfo(path, isAifc ? AudioContainer.Aifc : AudioContainer.Aiff, encoding, (int)Math.Round(sampleRate), channels,
            frames, ValidBitsPerSample: validBits);
        return new ParsedHeader(info, Math.Max(ssndData, 0), bigEndian);
    }

    /// <summary>80-bit IEEE 754 extended precision (big-endian), as AIFF stores the sample rate.</summary>
    internal static double ReadExtended(ReadOnlySpan<byte> b)
    {
        var sign = (b[0] & 0x80) != 0 ? -1 : 1;
        var exponent = ((b[0] & 0x7F) << 8) | b[1];
        var mantissa = BinaryPrimitives.ReadUInt64BigEndian(b[2..]);
        if (exponent == 0 && mantissa == 0)
        {
            return 0;
        }

        if (exponent == 0x7FFF)
        {
            return double.NaN;
        }

        return sign * (double)mantissa * Math.Pow(2, exponent - 16383 - 63);
    }

    /// <summary>Inverse of <see cref="ReadExtended"/>, for writing test files.</summary>
    internal static byte[] WriteExtended(double value)
    {
        var bytes = new byte[10];
        if (value == 0)
        {
            return bytes;
        }

        var exponent = (int)Math.Floor(Math.Log2(value));
        var mantissa = (ulong)Math.Round(value * Math.Pow(2, 63 - exponent));
        var biased = exponent + 16383;
        bytes[0] = (byte)((biased >> 8) & 0x7F);
        bytes[1] = (byte)biased;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(2), mantissa);
        return bytes;
    }
}
