using System.Buffers.Binary;

namespace DatasetForge.Ingest.Download;

/// <summary>
/// A quick structural check of a zip file: its end-of-central-directory record must be in the last 64 KiB and point
/// at a central directory inside the file. Catches downloads cut short under a wrong Content-Length, and web pages
/// served in place of archives, without reading the whole file.
/// </summary>
public static class ZipCheck
{
    private const uint EocdSignature = 0x06054b50;
    private const uint CentralSignature = 0x02014b50;
    private const int EocdSize = 22;

    /// <summary>Null when the file looks like a complete zip, else what is wrong.</summary>
    public static string? Problem(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = stream.Length;
        if (length < EocdSize)
        {
            return $"{length} bytes is too short for a zip";
        }

        var tailLength = (int)Math.Min(length, EocdSize + ushort.MaxValue);
        var tail = new byte[tailLength];
        stream.Seek(length - tailLength, SeekOrigin.Begin);
        stream.ReadExactly(tail);
        for (var i = tailLength - EocdSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) != EocdSignature)
            {
                continue;
            }

            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20));
            if (i + EocdSize + commentLength != tailLength)
            {
                continue;
            }

            var cdSize = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i + 12));
            var cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i + 16));
            if (cdOffset == uint.MaxValue || cdSize == uint.MaxValue)
            {
                return null; // zip64: the real offsets are in the zip64 record; trust the signature.
            }

            var eocdPosition = length - tailLength + i;
            if (cdOffset + (long)cdSize > eocdPosition)
            {
                return "central directory lies past the end record";
            }

            if (cdSize == 0)
            {
                return null; // an empty zip
            }

            var signature = new byte[4];
            stream.Seek(cdOffset, SeekOrigin.Begin);
            stream.ReadExactly(signature);
            return BinaryPrimitives.ReadUInt32LittleEndian(signature) == CentralSignature ? null : "central directory not where the end record says";
        }

        return "no end-of-central-directory record (cut short, or not a zip)";
    }
}
