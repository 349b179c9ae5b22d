using DatasetForge.Audio;
using DatasetForge.Dsp.Resampling;
using DatasetForge.Loudness;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Dsp;

public sealed class FileResamplerTests
{
    [Fact]
    public void Converts_a_file_keeping_encoding_mask_and_loudness()
    {
        using var dir = new TempDir();
        var input = dir.File("in.wav");
        var output = dir.File("out.wav");
        var tone = Signals.Sine(997, 0.25, 48000, 150000);
        WavFile.Write(input, new AudioBuffer(48000, [tone, tone]), SampleEncoding.Pcm24, channelMask: 0x3);

        var result = FileResampler.Resample(input, output, 44100);

        var info = AudioFile.ReadInfo(output);
        Assert.Equal(44100, info.SampleRate);
        Assert.Equal(137813, info.Frames); // ceil(150000 * 147 / 160)
        Assert.Equal(result.OutputFrames, info.Frames);
        Assert.Equal(SampleEncoding.Pcm24, info.Encoding);
        Assert.Equal(0x3u, info.ChannelMask);
        Assert.Equal(0, result.ClippedSamples);
        Assert.Equal(LoudnessMeter.MeasureFile(input).IntegratedLufs, LoudnessMeter.MeasureFile(output).IntegratedLufs, 2);
        Assert.Equal([Path.GetFileName(input), Path.GetFileName(output)], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Overshoot_past_full_scale_is_counted_when_pcm_clips_it()
    {
        using var dir = new TempDir();
        var input = dir.File("square.wav");
        var square = Enumerable.Range(0, 48000).Select(i => (i / 40) % 2 == 0 ? 0.999f : -0.999f).ToArray();
        WavFile.Write(input, new AudioBuffer(48000, [square]), SampleEncoding.Pcm16);
        var result = FileResampler.Resample(input, dir.File("out.wav"), 44100);
        Assert.True(result.ClippedSamples > 0);
        var asFloat = FileResampler.Resample(input, dir.File("out-float.wav"), 44100, SampleEncoding.Float32);
        Assert.Equal(0, asFloat.ClippedSamples);
        Assert.True(AudioFile.ReadAll(dir.File("out-float.wav")).Channels[0].Max() > 1f);
    }

    [Fact]
    public void An_unreadable_input_names_the_file()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<AudioFormatException>(() => FileResampler.Resample(dir.File("missing.wav"), dir.File("out.wav"), 44100));
        Assert.Contains("missing.wav", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
