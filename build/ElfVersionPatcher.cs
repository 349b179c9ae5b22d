using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// MSBuild task: marks one version requirement of an ELF shared library as weak (VER_FLG_WEAK in its Vernaux
/// entry), so glibc's loader warns instead of refusing the library. TorchSharp 0.107's libLibTorchSharp.so asks
/// for GLIBCXX_3.4.32 only for a link-time marker symbol it never calls, and Debian 12's libstdc++ stops at 3.4.30.
/// Idempotent; harmless where the version exists. See ../shared/torchsharp/README.md.
/// </summary>
public class PatchElfWeakVersion : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string VersionName { get; set; } = string.Empty;

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                var result = Patch(path, VersionName);
                Log.LogMessage(MessageImportance.Normal, $"{path}: {result}");
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                Log.LogError($"{path}: cannot patch ELF version requirement {VersionName}: {e.Message}");
            }
        }

        return !Log.HasLoggedErrors;
    }

    public static string Patch(string path, string versionName)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a little-endian ELF64 file");
        }

        var shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (var s = 0; s < shnum; s++)
        {
            var sh = shoff + (s * shentsize);
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed)
            {
                continue;
            }

            var offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            var strtabIndex = BitConverter.ToUInt32(elf, (int)sh + 0x28);
            var count = BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            var strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (strtabIndex * shentsize) + 0x18));
            for (var n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)offset + 2);
                var aux = offset + BitConverter.ToUInt32(elf, (int)offset + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    if (name == versionName)
                    {
                        var flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) != 0)
                        {
                            return $"{versionName} already weak";
                        }

                        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
                        {
                            stream.Position = aux + 4;
                            var patched = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                            stream.Write(patched, 0, 2);
                        }

                        return $"{versionName} marked weak";
                    }

                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }

                offset += BitConverter.ToUInt32(elf, (int)offset + 12);
            }
        }

        return $"no {versionName} requirement";
    }

    private static string ReadString(byte[] bytes, long start)
    {
        var end = start;
        while (end < bytes.Length && bytes[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(bytes, (int)start, (int)(end - start));
    }
}
