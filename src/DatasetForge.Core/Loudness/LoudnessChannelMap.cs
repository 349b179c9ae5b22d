using DatasetForge.Audio;

namespace DatasetForge.Loudness;

/// <summary>
/// BS.1770-4 channel weights: 1.0 for front channels (L, R, C and others), 1.41 for surround channels (azimuth
/// 60..120 degrees and the rear pair of 5.1), 0 (excluded) for the LFE. From the WAV channel mask when the file has
/// one, else libebur128's default map by position: L, R, C, LFE (excluded), Ls, Rs, and for 4 or 5 channels
/// L, R, Ls, Rs / L, R, C, Ls, Rs; channels past the sixth are excluded, as libebur128 does.
/// </summary>
public static class LoudnessChannelMap
{
    public const double Front = 1.0;
    public const double Surround = 1.41;
    public const double Excluded = 0.0;

    // WAVE_FORMAT_EXTENSIBLE speaker bits.
    private const uint SpeakerLfe = 0x8;
    private const uint SpeakerBackLeft = 0x10;
    private const uint SpeakerBackRight = 0x20;
    private const uint SpeakerSideLeft = 0x200;
    private const uint SpeakerSideRight = 0x400;

    /// <summary>Weights for a file: from its channel mask when present, else <see cref="Default"/>.</summary>
    public static double[] For(AudioFileInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.ChannelMask != 0 ? FromWavMask(info.ChannelMask, info.Channels) : Default(info.Channels);
    }

    /// <summary>
    /// Weights from a WAV speaker mask: channels take the mask's set bits in increasing order. Channels beyond the
    /// bits set in the mask are not tied to a speaker position and weigh 1.0.
    /// </summary>
    public static double[] FromWavMask(uint mask, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        var weights = new double[channels];
        var c = 0;
        for (var bit = 0; bit < 32 && c < channels; bit++)
        {
            var speaker = 1u << bit;
            if ((mask & speaker) == 0)
            {
                continue;
            }

            weights[c++] = speaker switch
            {
                SpeakerLfe => Excluded,
                SpeakerBackLeft or SpeakerBackRight or SpeakerSideLeft or SpeakerSideRight => Surround,
                _ => Front,
            };
        }

        for (; c < channels; c++)
        {
            weights[c] = Front;
        }

        return weights;
    }

    /// <summary>libebur128's default map by channel position.</summary>
    public static double[] Default(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        return channels switch
        {
            4 => [Front, Front, Surround, Surround],
            5 => [Front, Front, Front, Surround, Surround],
            _ => Enumerable.Range(0, channels).Select(i => i switch
            {
                0 or 1 or 2 => Front,
                4 or 5 => Surround,
                _ => Excluded,
            }).ToArray(),
        };
    }
}
