using DatasetForge.Audio;
using DatasetForge.Ingest.Probe;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Ingest;

public sealed class ProbeTests
{
    private static string Wav(TempDir temp, string name, AudioBuffer buffer, SampleEncoding encoding = SampleEncoding.Pcm24)
    {
        var path = temp.File(name);
        WavFile.Write(path, buffer, encoding);
        return path;
    }

    [Fact]
    public void Peak_silence_and_dc_offset_are_measured_chunk_by_chunk()
    {
        using var temp = new TempDir();
        const int rate = 48000, frames = 96000;
        var left = Signals.Sine(1000, 0.5, rate, frames);
        var right = Signals.Sine(300, 0.25, rate, frames);
        for (var i = 0; i < 24000; i++)
        {
            left[i] = 0;
            right[i] = 0; // a quarter of the frames are digital silence in both channels
        }

        for (var i = 24000; i < 48000; i++)
        {
            right[i] = 0; // silence in one channel only does not count
        }

        for (var i = 48000; i < frames; i++)
        {
            right[i] += 0.04f; // DC on the right channel over half the file: mean +0.02
        }

        var path = Wav(temp, "t.wav", new AudioBuffer(rate, [left, right]), SampleEncoding.Float32);
        var whole = TrackProbe.Probe(path);
        var chunked = TrackProbe.Probe(path, new ProbeOptions { ChunkFrames = 1000 });
        Assert.True(whole.Readable);
        Assert.Equal(20 * Math.Log10(0.5), whole.PeakDbfs, 3);
        Assert.Equal(0.25, whole.SilentFraction, 6);
        Assert.Equal(0.02, whole.DcOffset, 3);
        Assert.Equal(1, whole.DcChannel);
        Assert.Equal(whole.PeakDbfs, chunked.PeakDbfs, 9);
        Assert.Equal(whole.SilentFraction, chunked.SilentFraction, 12);
        Assert.Equal(whole.DcOffset, chunked.DcOffset, 7);
        Assert.Equal(2, whole.Info!.Channels);
        Assert.Equal(48000, whole.Info.SampleRate);
        Assert.Equal(SampleEncoding.Float32, whole.Info.Encoding);
    }

    [Fact]
    public void Pcm24_levels_match_the_written_signal()
    {
        using var temp = new TempDir();
        var path = Wav(temp, "s.wav", new AudioBuffer(44100, [Signals.Sine(997, Levels(-12), 44100, 44100)]));
        var probe = TrackProbe.Probe(path);
        Assert.Equal(-12, probe.PeakDbfs, 2);
        Assert.Equal(24, probe.Info!.BitDepth);
        Assert.InRange(probe.SilentFraction, 0, 0.001);
    }

    [Theory]
    [InlineData(new byte[] { 0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6 }, "MP3")]
    [InlineData(new byte[] { }, "empty file")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 0, 0 }, "too short")]
    public void Unreadable_files_give_a_reason_not_an_exception(byte[] bytes, string reason)
    {
        using var temp = new TempDir();
        var path = temp.File("bad.wav");
        File.WriteAllBytes(path, bytes);
        var probe = TrackProbe.Probe(path);
        Assert.False(probe.Readable);
        Assert.Contains(reason, probe.Error);
    }

    [Fact]
    public void Song_checks_flag_mixed_rates_misaligned_lengths_empty_and_unreadable_tracks_with_reasons()
    {
        using var temp = new TempDir();
        var ok1 = TrackProbe.Probe(Wav(temp, "a.wav", new AudioBuffer(44100, [Signals.Sine(100, 0.3, 44100, 44100)])));
        var ok2 = TrackProbe.Probe(Wav(temp, "b.wav", new AudioBuffer(44100, [Signals.Sine(200, 0.3, 44100, 44100 + 2000)])));
        var rate = TrackProbe.Probe(Wav(temp, "c.wav", new AudioBuffer(48000, [Signals.Sine(300, 0.3, 48000, 48000)])));
        var longer = TrackProbe.Probe(Wav(temp, "d.wav", new AudioBuffer(44100, [Signals.Sine(400, 0.3, 44100, 44100 * 2)])));
        var silent = TrackProbe.Probe(Wav(temp, "e.wav", new AudioBuffer(44100, [new float[44100]])));
        var empty = TrackProbe.Probe(Wav(temp, "f.wav", new AudioBuffer(44100, [Array.Empty<float>()])));
        File.WriteAllBytes(temp.File("g.wav"), [1, 2, 3]);
        var broken = TrackProbe.Probe(temp.File("g.wav"));

        var verdict = SongChecks.Check([ok1, ok2, rate, longer, silent, empty, broken], new ProbeOptions { LengthToleranceSeconds = 0.1 });
        Assert.Equal(44100, verdict.SampleRate);
        Assert.Equal(1.0, verdict.DurationSeconds);
        Assert.Equal("flagged", verdict.Status);
        string Codes(int i) => string.Join(",", verdict.TrackFlags[i].Select(f => f.Code));
        Assert.Equal(string.Empty, Codes(0));
        Assert.Equal(string.Empty, Codes(1)); // 45 ms longer: within the tolerance
        Assert.Equal("sample_rate_mismatch", Codes(2));
        Assert.Equal("length_mismatch", Codes(3));
        Assert.Equal("silent", Codes(4));
        Assert.Equal("empty", Codes(5));
        Assert.Equal("unreadable", Codes(6));
        Assert.Contains("48000 Hz; most tracks are 44100 Hz", verdict.TrackFlags[2][0].ToString());
        Assert.Contains("+1.000 s", verdict.TrackFlags[3][0].Reason);
        Assert.Equal(["mixed_sample_rates", "length_misaligned", "empty_tracks", "unreadable_tracks"], verdict.SongFlags.Select(f => f.Code));
        Assert.Contains("44100 Hz x4, 48000 Hz x1", verdict.SongFlags[0].Reason);
    }

    [Fact]
    public void A_song_with_no_usable_audio_fails_and_a_clean_one_is_ok()
    {
        using var temp = new TempDir();
        File.WriteAllBytes(temp.File("x.wav"), [0]);
        Assert.Equal("failed", SongChecks.Check([TrackProbe.Probe(temp.File("x.wav"))]).Status);
        Assert.Equal("failed", SongChecks.Check([]).Status);
        var clean = TrackProbe.Probe(Wav(temp, "a.wav", new AudioBuffer(44100, [Signals.Sine(100, 0.3, 44100, 4410)])));
        var verdict = SongChecks.Check([clean, clean]);
        Assert.Equal("ok", verdict.Status);
        Assert.Empty(verdict.SongFlags);
    }

    private static double Levels(double db) => Math.Pow(10, db / 20);
}
