using System.Buffers.Binary;
using System.Text;

namespace DatasetForge.Tests.TestSupport;

/// <summary>Builds WAV/AIFF files byte by byte, so tests can make exactly the odd or broken headers they need.</summary>
public sealed class RiffBuilder
{
    private readonly List<byte> body = [];
    private readonly bool bigEndian;
    private readonly string magic;
    private readonly string form;

    private RiffBuilder(string magic, string form, bool bigEndian)
    {
        this.magic = magic;
        this.form = form;
        this.bigEndian = bigEndian;
    }

    public static RiffBuilder Wav(string magic = "RIFF") => new(magic, "WAVE", false);

    public static RiffBuilder Aiff(string form = "AIFF") => new("FORM", form, true);

    public RiffBuilder Chunk(string id, byte[] data, uint? declaredSize = null, bool pad = true)
    {
        body.AddRange(Encoding.ASCII.GetBytes(id));
        body.AddRange(U32((uint)(declaredSize ?? (uint)data.Length)));
        body.AddRange(data);
        if (pad && data.Length % 2 == 1)
        {
            body.Add(0);
        }

        return this;
    }

    public byte[] Build(uint? declaredRiffSize = null)
    {
        var result = new List<byte>();
        result.AddRange(Encoding.ASCII.GetBytes(magic));
        result.AddRange(U32(declaredRiffSize ?? (uint)(body.Count + 4)));
        result.AddRange(Encoding.ASCII.GetBytes(form));
        result.AddRange(body);
        return [.. result];
    }

    public static byte[] Fmt(ushort tag, int channels, int rate, int bits, int? blockAlign = null)
    {
        var b = new byte[16];
        var align = blockAlign ?? (channels * ((bits + 7) / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(b, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)(rate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), (ushort)bits);
        return b;
    }

    public static byte[] FmtExtensible(ushort subFormat, int channels, int rate, int containerBits, int validBits, uint mask, bool validGuid = true)
    {
        var b = new byte[40];
        Fmt(0xFFFE, channels, rate, containerBits).CopyTo(b, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), (ushort)validBits);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), mask);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(24), subFormat);
        byte[] tail = validGuid
            ? [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
            : [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E];
        tail.CopyTo(b, 26);
        return b;
    }

    private byte[] U32(uint v)
    {
        var b = new byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        }

        return b;
    }
}
