using System.IO.Compression;
using System.Text;
using DatasetForge.Ingest.Extract;
using DatasetForge.Tests.TestSupport;
using SharpCompress.Common;
using SharpCompress.Writers;
using SharpCompress.Writers.Zip;

namespace DatasetForge.Tests.Ingest;

public sealed class ExtractorTests
{
    private static ExtractResult Extract(TempDir temp, string archive, ExtractOptions? options = null) =>
        ArchiveExtractor.Extract(archive, temp.File("out/audio"), temp.File("out/aside"), options ?? new ExtractOptions());

    private static string[] FilesUnder(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order().ToArray() : [];

    [Fact]
    public void Nested_folders_are_kept_junk_is_dropped_and_non_audio_goes_aside()
    {
        using var temp = new TempDir();
        var zip = new ZipBuilder()
            .Wav("Band_Song/Drums/01_Kick.wav")
            .Wav("Band_Song/Drums/02_Snare.WAV")
            .Wav("Band_Song/Vox/Lead Vocal (final).wav", channels: 2)
            .Add("Band_Song/Keys.aif", File.ReadAllBytes(WriteAiff(temp)))
            .Text("Band_Song/Readme.txt", "hello")
            .Add("Band_Song/Band_Song_Preview.mp3", Encoding.ASCII.GetBytes("ID3 not really"))
            .Add("Band_Song/Session.ptx", [1, 2, 3])
            .Add("Band_Song/Take 2.flac", Encoding.ASCII.GetBytes("fLaC...."))
            .Add("__MACOSX/Band_Song/._01_Kick.wav", [0, 5, 22, 7])
            .Add("Band_Song/.DS_Store", [0, 0, 0, 1])
            .Add("Band_Song/Thumbs.db", [1])
            .Add("Band_Song/Empty Folder/", [])
            .Write(temp.File("Band_Song_Full.zip"));

        var result = Extract(temp, zip);
        Assert.Equal("System.IO.Compression", result.Reader);
        Assert.Equal(["Band_Song/Drums/01_Kick.wav", "Band_Song/Drums/02_Snare.WAV", "Band_Song/Keys.aif", "Band_Song/Vox/Lead Vocal (final).wav"], FilesUnder(temp.File("out/audio")));
        Assert.Equal(["Band_Song/Band_Song_Preview.mp3", "Band_Song/Readme.txt", "Band_Song/Session.ptx", "Band_Song/Take 2.flac"], FilesUnder(temp.File("out/aside")));
        Assert.Equal(3, result.JunkSkipped);
        Assert.Empty(result.Refused);
        var kinds = result.Files.Where(f => f.Role == EntryAction.Aside).ToDictionary(f => Path.GetFileName(f.RelativePath), f => f.AsideKind);
        Assert.Equal("document", kinds["Readme.txt"]);
        Assert.Equal("audio_other", kinds["Band_Song_Preview.mp3"]);
        Assert.Equal("session", kinds["Session.ptx"]);
        Assert.Equal(ZipBuilder.WavBytes(channels: 2), File.ReadAllBytes(temp.File("out/audio/Band_Song/Vox/Lead Vocal (final).wav")));
    }

    [Theory]
    [InlineData("../evil.wav", "'..' segment")]
    [InlineData("Song/../../evil.wav", "'..' segment")]
    [InlineData("/etc/evil.wav", "absolute path")]
    [InlineData("C:\\Windows\\evil.wav", "absolute path")]
    [InlineData("Song\\..\\..\\evil.wav", "'..' segment")]
    public void Zip_slip_entries_are_refused_and_the_rest_extracts(string hostile, string reason)
    {
        using var temp = new TempDir();
        var zip = new ZipBuilder().Wav("Song/ok.wav").Add(hostile, ZipBuilder.WavBytes()).Write(temp.File("slip.zip"));
        var result = Extract(temp, zip);
        var refused = Assert.Single(result.Refused);
        Assert.Equal($"slip.zip!{hostile}", refused.Item);
        Assert.Equal("extract", refused.Stage);
        Assert.Contains(reason, refused.Reason);
        Assert.Equal(["Song/ok.wav"], FilesUnder(temp.File("out/audio")));
        Assert.False(File.Exists(temp.File("evil.wav")));
        Assert.False(File.Exists(temp.File("out/evil.wav")));
    }

    [Fact]
    public void Symbolic_link_entries_are_refused()
    {
        using var temp = new TempDir();
        var zip = new ZipBuilder().Wav("Song/ok.wav").Link("Song/link.wav", "/etc/passwd").Write(temp.File("link.zip"));
        var result = Extract(temp, zip);
        Assert.Contains("link", Assert.Single(result.Refused).Reason);
        Assert.Equal(["Song/ok.wav"], FilesUnder(temp.File("out/audio")));
    }

    [Fact]
    public void A_zip_bomb_by_ratio_is_refused_and_leaves_nothing_behind()
    {
        using var temp = new TempDir();
        var zip = new ZipBuilder().Wav("Song/a.wav").Add("Song/zeros.wav", new byte[20_000_000], CompressionLevel.SmallestSize).Write(temp.File("bomb.zip"));
        var e = Assert.Throws<ArchiveRejectedException>(() => Extract(temp, zip));
        Assert.Contains("zip bomb: compression ratio", e.Reason);
        Assert.Empty(FilesUnder(temp.File("out")));
    }

    [Fact]
    public void A_zip_bomb_by_total_size_is_refused()
    {
        using var temp = new TempDir();
        var zip = new ZipBuilder().Wav("Song/a.wav", seconds: 2).Wav("Song/b.wav", seconds: 2).Write(temp.File("big.zip"));
        var e = Assert.Throws<ArchiveRejectedException>(() => Extract(temp, zip, new ExtractOptions { MaxTotalBytes = 200_000 }));
        Assert.Contains("declares", e.Reason);
        Assert.Contains("limit 200000", e.Reason);
    }

    [Fact]
    public void An_entry_that_inflates_beyond_its_declared_size_is_refused()
    {
        using var temp = new TempDir();
        var bytes = new ZipBuilder().Add("Song/a.wav", ZipBuilder.WavBytes(seconds: 1), CompressionLevel.Optimal).Build();
        // Lie about the uncompressed size (local header at 22, central directory entry at 24): 1000 bytes.
        PatchSizes(bytes, 1000);
        var zip = temp.File("liar.zip");
        File.WriteAllBytes(zip, bytes);
        var e = Assert.Throws<ArchiveRejectedException>(() => Extract(temp, zip));
        Assert.Contains("Song/a.wav", e.Reason);
        // System.IO.Compression stops at the declared size, so the lie shows up as a CRC mismatch; readers that do
        // not stop are caught by the extractor's own count ("inflates beyond its declared ... bytes").
        Assert.True(e.Reason.Contains("CRC-32", StringComparison.Ordinal) || e.Reason.Contains("inflates beyond", StringComparison.Ordinal), e.Reason);
        Assert.Empty(FilesUnder(temp.File("out")));
    }

    [Fact]
    public void Garbage_and_truncated_archives_are_rejected_with_the_reason()
    {
        using var temp = new TempDir();
        var garbage = temp.File("garbage.zip");
        File.WriteAllBytes(garbage, Encoding.ASCII.GetBytes("<html><body>Not Found</body></html>"));
        var e1 = Assert.Throws<ArchiveRejectedException>(() => Extract(temp, garbage));
        Assert.Equal("garbage.zip", e1.Archive);
        Assert.Contains("corrupt or truncated", e1.Reason);

        var whole = new ZipBuilder().Wav("Song/a.wav", seconds: 1).Wav("Song/b.wav", seconds: 1).Build();
        var truncated = temp.File("truncated.zip");
        File.WriteAllBytes(truncated, whole[..(whole.Length * 2 / 3)]);
        var e2 = Assert.Throws<ArchiveRejectedException>(() => Extract(temp, truncated));
        Assert.Contains("corrupt or truncated", e2.Reason);
        Assert.Empty(FilesUnder(temp.File("out")));
    }

    [Fact]
    public void A_flipped_byte_in_a_stored_entry_is_caught_by_the_crc()
    {
        using var temp = new TempDir();
        var bytes = new ZipBuilder().Wav("Song/a.wav", level: CompressionLevel.NoCompression).Wav("Song/b.wav", level: CompressionLevel.NoCompression).Build();
        bytes[5000] ^= 0x55; // inside a.wav's data
        var zip = temp.File("flipped.zip");
        File.WriteAllBytes(zip, bytes);
        var e = Assert.Throws<ArchiveRejectedException>(() => Extract(temp, zip));
        Assert.Contains("CRC-32", e.Reason);
        Assert.Contains("Song/a.wav", e.Reason);
        Assert.Empty(FilesUnder(temp.File("out")));
    }

    [Fact]
    public void SharpCompress_reads_what_System_IO_Compression_cannot()
    {
        using var temp = new TempDir();
        var zip = temp.File("bzip2.zip");
        using (var stream = File.Create(zip))
        using (var writer = new ZipWriter(stream, new ZipWriterOptions(CompressionType.BZip2)))
        {
            writer.Write("Song/01_Kick.wav", new MemoryStream(ZipBuilder.WavBytes()), (DateTime?)null);
            writer.Write("Song/../evil.wav", new MemoryStream(ZipBuilder.WavBytes()), (DateTime?)null);
            writer.Write("Song/notes.txt", new MemoryStream(Encoding.UTF8.GetBytes("n")), (DateTime?)null);
        }

        var result = Extract(temp, zip);
        Assert.StartsWith("SharpCompress", result.Reader);
        Assert.Equal(["Song/01_Kick.wav"], FilesUnder(temp.File("out/audio")));
        Assert.Equal(["Song/notes.txt"], FilesUnder(temp.File("out/aside")));
        Assert.Contains("'..' segment", Assert.Single(result.Refused).Reason);
        Assert.Equal(ZipBuilder.WavBytes(), File.ReadAllBytes(temp.File("out/audio/Song/01_Kick.wav")));
    }

    [Fact]
    public void Tar_gz_archives_are_read_by_SharpCompress()
    {
        using var temp = new TempDir();
        var tgz = temp.File("Song.tar.gz");
        using (var stream = File.Create(tgz))
        using (var writer = WriterFactory.OpenWriter(stream, ArchiveType.Tar, new WriterOptions(CompressionType.GZip)))
        {
            writer.Write("Song/01_Bass.wav", new MemoryStream(ZipBuilder.WavBytes()), (DateTime?)null);
        }

        var result = Extract(temp, tgz);
        Assert.StartsWith("SharpCompress", result.Reader);
        Assert.Equal(["Song/01_Bass.wav"], FilesUnder(temp.File("out/audio")));
    }

    /// <summary>An AIFF file built by hand (the audio core writes WAV only); enough for the extension rule.</summary>
    private static string WriteAiff(TempDir temp)
    {
        var path = temp.File("keys-src.aif");
        File.WriteAllBytes(path, AiffBytes(22050));
        return path;
    }

    private static byte[] AiffBytes(int frames)
    {
        var comm = new byte[18];
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(comm, 1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(comm.AsSpan(2), (uint)frames);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(comm.AsSpan(6), 16);
        AiffHeaderAccess.Extended(44100).CopyTo(comm, 8);
        var ssnd = new byte[8 + (frames * 2)];
        return RiffBuilder.Aiff().Chunk("COMM", comm).Chunk("SSND", ssnd).Build();
    }

    private static void PatchSizes(byte[] zip, uint size)
    {
        // Local file header: signature 0x04034b50, uncompressed size at offset 22.
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(22), size);
        for (var i = zip.Length - 22; i >= 0; i--)
        {
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i)) == 0x02014b50)
            {
                // Central directory header: uncompressed size at offset 24.
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
                return;
            }
        }
    }
}
