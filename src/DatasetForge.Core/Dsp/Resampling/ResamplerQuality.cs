namespace DatasetForge.Dsp.Resampling;

/// <summary>
/// Design targets of the resampler's anti-alias / anti-image low-pass. Both edges are relative to the lower of the
/// two Nyquist frequencies (min(input, output) / 2): the passband is flat (ripple below the stopband level) up to
/// <see cref="PassbandFraction"/> of it, and everything at or above it is attenuated by at least
/// <see cref="StopbandAttenuationDb"/>, so nothing aliases back into the audible band.
/// </summary>
public sealed record ResamplerQuality(double PassbandFraction, double StopbandAttenuationDb)
{
    /// <summary>Flat to 83% of the lower Nyquist (18.3 kHz at 44.1 kHz), 100 dB rejection: the render default.</summary>
    public static ResamplerQuality Default { get; } = new(0.83, 100);

    /// <summary>Flat to 91% of the lower Nyquist (20 kHz at 44.1 kHz), 120 dB rejection; about twice the work.</summary>
    public static ResamplerQuality High { get; } = new(0.91, 120);

    internal void Validate()
    {
        if (!(PassbandFraction is > 0.1 and < 0.995))
        {
            throw new ArgumentOutOfRangeException(nameof(PassbandFraction), PassbandFraction, "Passband must be between 0.1 and 0.995 of the lower Nyquist frequency.");
        }

        if (!(StopbandAttenuationDb is >= 40 and <= 180))
        {
            throw new ArgumentOutOfRangeException(nameof(StopbandAttenuationDb), StopbandAttenuationDb, "Stopband attenuation must be between 40 and 180 dB.");
        }
    }
}
