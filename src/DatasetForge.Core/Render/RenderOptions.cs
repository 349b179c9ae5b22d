using System.Globalization;
using DatasetForge.Audio;
using DatasetForge.Dsp.Resampling;

namespace DatasetForge.Render;

/// <summary>How stems relate to each other across levels.</summary>
public enum RenderMode
{
    /// <summary>Level-1 stems normalized; every higher stem is the exact sum of its children; mixture = sum of all.</summary>
    Consistent,

    /// <summary>MS21's recipe: level-1 and level-2 stems each normalized on their own; mixture = sum of the level-2 stems.</summary>
    Ms21,
}

/// <summary>
/// Parameters of the render stage. Everything here that changes audio is in <see cref="AudioFingerprint"/>, which is
/// part of every song's render key and every output file's key.
/// </summary>
public sealed record RenderOptions
{
    /// <summary>Integrated loudness (BS.1770-4, LUFS) of loudness-normalized stems.</summary>
    public double TargetLufs { get; init; } = -25;

    /// <summary>Sample peak (dBFS) of peak-normalized (percussive) stems.</summary>
    public double PeakDbfs { get; init; } = -1;

    public int SampleRate { get; init; } = 44100;

    public int Channels { get; init; } = 2;

    public RenderMode Mode { get; init; } = RenderMode.Consistent;

    /// <summary>
    /// No output may have a sample peak above this (dBFS): when the mixture or any stem would, every stem and the
    /// mixture get one common gain that brings the largest peak here, recorded as the song's mix gain. -0.1 dBFS
    /// leaves room for 16-bit export (full scale is 32767/32768).
    /// </summary>
    public double CeilingDbfs { get; init; } = -0.1;

    /// <summary>
    /// A stem whose integrated loudness (loudness stems) or sample peak in dBFS (peak stems) is below this is
    /// reported `silent` and keeps unit gain: it is not normalized into noise. Loudness that no gating block
    /// reaches (-infinity) is always silent.
    /// </summary>
    public double SilenceFloorDb { get; init; } = -60;

    /// <summary>Songs shorter than one 400 ms gating block cannot be measured: their stems are `too_short`.</summary>
    public double MinSeconds { get; init; } = 0.4;

    public SampleEncoding Encoding { get; init; } = SampleEncoding.Float32;

    public ResamplerQuality Quality { get; init; } = ResamplerQuality.Default;

    /// <summary>Raw tracks are hard-linked into `_RAW/` (copied when linking fails, e.g. across file systems); false: always copy.</summary>
    public bool HardLinkRaw { get; init; } = true;

    /// <summary>Re-render even when the stored keys match.</summary>
    public bool Force { get; init; }

    /// <summary>The parameters that change audio, as text (hashed into keys and written to dataset.yaml).</summary>
    public string AudioFingerprint => string.Create(
        CultureInfo.InvariantCulture,
        $"render/1|mode={Mode}|lufs={TargetLufs:R}|peak={PeakDbfs:R}|rate={SampleRate}|ch={Channels}|ceiling={CeilingDbfs:R}|floor={SilenceFloorDb:R}|min={MinSeconds:R}|enc={Encoding}|q={Quality.PassbandFraction:R},{Quality.StopbandAttenuationDb:R}");

    public string ModeName => Mode == RenderMode.Ms21 ? "ms21" : "consistent";

    public static RenderMode ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "consistent" => RenderMode.Consistent,
        "ms21" => RenderMode.Ms21,
        _ => throw new ArgumentException($"render mode '{text}': expected consistent or ms21"),
    };

    public void Validate()
    {
        if (SampleRate < 8000 || SampleRate > 384000)
        {
            throw new ArgumentException($"sample rate {SampleRate} Hz is outside 8000..384000");
        }

        if (Channels is < 1 or > 8)
        {
            throw new ArgumentException($"{Channels} channels: expected 1..8");
        }

        if (!double.IsFinite(TargetLufs) || TargetLufs > 0 || TargetLufs < -70)
        {
            throw new ArgumentException($"target loudness {TargetLufs} LUFS is outside -70..0");
        }

        if (!double.IsFinite(PeakDbfs) || PeakDbfs > 0)
        {
            throw new ArgumentException($"peak target {PeakDbfs} dBFS must be at most 0");
        }

        if (!double.IsFinite(CeilingDbfs) || CeilingDbfs > 0)
        {
            throw new ArgumentException($"ceiling {CeilingDbfs} dBFS must be at most 0");
        }
    }
}
