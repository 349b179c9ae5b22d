using System.Text;
using Microsoft.Win32.SafeHandles;

namespace DatasetForge.Audio;

/// <summary>Entry point for audio files: sniffs the container and hands out readers; whole-file helpers.</summary>
public static class AudioFile
{
    /// <summary>File extensions we read, lower case with the dot.</summary>
    public static readonly IReadOnlySet<string> ReadableExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".wav", ".wave", ".bwf", ".rf64", ".aif", ".aiff", ".aifc" };

    /// <summary>Opens a file for range reads. Throws <see cref="AudioFormatException"/> naming the file and the reason.</summary>
    public static AudioReader OpenRead(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (FileNotFoundException e)
        {
            throw new AudioFormatException(path, "file not found", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new AudioFormatException(path, "folder not found", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AudioFormatException(path, "permission denied", e);
        }

        try
        {
            var header = new HeaderBytes(handle, path);
            var magic = header.Ascii(0, 4);
            var parsed = magic switch
            {
                "RIFF" or "RF64" or "BW64" => WavHeader.Parse(header),
                "FORM" => AiffHeader.Parse(header),
                _ => throw new AudioFormatException(path, DescribeUnknown(header)),
            };
            return new AudioReader(handle, parsed.Info, parsed.DataOffset, parsed.BigEndian);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public static AudioFileInfo ReadInfo(string path)
    {
        using var reader = OpenRead(path);
        return reader.Info;
    }

    public static AudioBuffer ReadAll(string path)
    {
        using var reader = OpenRead(path);
        return reader.ReadAll();
    }

    private static string DescribeUnknown(HeaderBytes header)
    {
        if (header.Length < 12)
        {
            return header.Length == 0 ? "empty file" : $"file too short for an audio header ({header.Length} bytes)";
        }

        var magic = header.Ascii(0, 4);
        if (magic.StartsWith("ID3", StringComparison.Ordinal) || (header.Byte(0) == 0xFF && (header.Byte(1) & 0xE0) == 0xE0))
        {
            return "unsupported format: MP3 (only WAV/RF64 and AIFF/AIFC are read)";
        }

        return magic switch
        {
            "fLaC" => "unsupported format: FLAC (only WAV/RF64 and AIFF/AIFC are read)",
            "OggS" => "unsupported format: Ogg (only WAV/RF64 and AIFF/AIFC are read)",
            _ when header.Ascii(4, 4) == "ftyp" => "unsupported format: MP4/M4A (only WAV/RF64 and AIFF/AIFC are read)",
            _ => $"not a WAV or AIFF file (starts with bytes {Convert.ToHexString(header.Slice(0, 4))})",
        };
    }
}

/// <summary>Positional little helper over the start of a file, for header parsing.</summary>
internal sealed class HeaderBytes
{
    private readonly SafeFileHandle handle;

    public HeaderBytes(SafeFileHandle handle, string path)
    {
        this.handle = handle;
        Path = path;
        Length = RandomAccess.GetLength(handle);
    }

    public string Path { get; }

    public long Length { get; }

    public byte[] Slice(long offset, int count)
    {
        if (offset < 0 || offset + count > Length)
        {
            throw new AudioFormatException(Path, $"header truncated: needed {count} bytes at offset {offset}, file has {Length}");
        }

        var bytes = new byte[count];
        var total = 0;
        while (total < count)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(total), offset + total);
            if (n == 0)
            {
                throw new AudioFormatException(Path, $"header truncated at offset {offset + total}");
            }

            total += n;
        }

        return bytes;
    }

    public byte Byte(long offset) => Slice(offset, 1)[0];

    public string Ascii(long offset, int count) =>
        offset + count > Length ? string.Empty : Encoding.ASCII.GetString(Slice(offset, count));
}

internal readonly record struct ParsedHeader(AudioFileInfo Info, long DataOffset, bool BigEndian);
