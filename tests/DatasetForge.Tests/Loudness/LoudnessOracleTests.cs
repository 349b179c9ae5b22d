using DatasetForge.Audio;
using DatasetForge.Loudness;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Loudness;

/// <summary>Every case of shared/oracles/loudness/cases.json against libebur128's values.</summary>
public sealed class LoudnessOracleTests
{
    private static readonly Lazy<IReadOnlyList<LoudnessCase>> Cases = new(() => LoudnessCase.Load(SharedData.Path("oracles", "loudness")));

    public static TheoryData<string> CaseIds() => new(Cases.Value.Select(c => c.Id));

    [Fact]
    public void The_oracle_file_has_cases_of_both_kinds()
    {
        Assert.True(Cases.Value.Count >= 30);
        Assert.Contains(Cases.Value, c => c.File is null);
        Assert.Contains(Cases.Value, c => c.File is not null);
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Matches_libebur128(string id)
    {
        var c = Cases.Value.Single(x => x.Id == id);
        LoudnessResult result;
        double tolerance;
        if (c.File is not null)
        {
            var path = c.File;
            var info = AudioFile.ReadInfo(path);
            Assert.Equal(c.SampleRate, info.SampleRate);
            Assert.Equal(c.Channels, info.Channels);
            Assert.Equal(c.Frames, info.Frames);
            result = LoudnessMeter.MeasureFile(path);
            tolerance = 0.01;
        }
        else
        {
            result = LoudnessMeter.Measure(c.Synthesize());
            tolerance = 0.02;
        }

        if (c.IntegratedLufs is { } expected)
        {
            Assert.True(Math.Abs(result.IntegratedLufs - expected) <= tolerance,
                $"{id}: integrated {result.IntegratedLufs:F4} LUFS, libebur128 {expected:F4} (tolerance {tolerance})");
        }
        else
        {
            Assert.True(double.IsNegativeInfinity(result.IntegratedLufs), $"{id}: integrated {result.IntegratedLufs} but libebur128 finds no block above the gates");
        }

        AssertDb(id, "sample peak", c.SamplePeakDbfs, result.SamplePeakDbfs, 0.01);
        AssertDb(id, "true peak", c.TruePeakDbtp, result.TruePeakDbtp, 0.1);
    }

    private static void AssertDb(string id, string what, double? expected, double actual, double tolerance)
    {
        if (expected is null)
        {
            Assert.True(double.IsNegativeInfinity(actual), $"{id}: {what} {actual} dB, expected none (silence)");
        }
        else
        {
            Assert.True(Math.Abs(actual - expected.Value) <= tolerance, $"{id}: {what} {actual:F4} dB, libebur128 {expected:F4}");
        }
    }
}
