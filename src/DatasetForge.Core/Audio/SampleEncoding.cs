namespace DatasetForge.Audio;

/// <summary>How samples are stored in a file.</summary>
public enum SampleEncoding
{
    /// <summary>8-bit unsigned PCM (WAV convention: 128 = zero).</summary>
    Pcm8,
    Pcm16,
    Pcm24,
    Pcm32,
    Float32,
    Float64,

    /// <summary>8-bit signed PCM (AIFF convention).</summary>
    PcmS8,
}

public static class SampleEncodingExtensions
{
    public static int BytesPerSample(this SampleEncoding encoding) => encoding switch
    {
        SampleEncoding.Pcm8 or SampleEncoding.PcmS8 => 1,
        SampleEncoding.Pcm16 => 2,
        SampleEncoding.Pcm24 => 3,
        SampleEncoding.Pcm32 or SampleEncoding.Float32 => 4,
        SampleEncoding.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };

    public static int BitsPerSample(this SampleEncoding encoding) => encoding.BytesPerSample() * 8;

    public static bool IsFloat(this SampleEncoding encoding) => encoding is SampleEncoding.Float32 or SampleEncoding.Float64;

    /// <summary>Short name used in catalogs and probes: pcm_s16, pcm_s24, pcm_f32, ...</summary>
    public static string ToCatalogName(this SampleEncoding encoding) => encoding switch
    {
        SampleEncoding.Pcm8 => "pcm_u8",
        SampleEncoding.PcmS8 => "pcm_s8",
        SampleEncoding.Pcm16 => "pcm_s16",
        SampleEncoding.Pcm24 => "pcm_s24",
        SampleEncoding.Pcm32 => "pcm_s32",
        SampleEncoding.Float32 => "pcm_f32",
        SampleEncoding.Float64 => "pcm_f64",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };
}
