using DatasetForge.Dsp;

namespace DatasetForge.Loudness;

/// <summary>
/// The K-weighting pre-filter of ITU-R BS.1770-4 for any sample rate. BS.1770 tabulates coefficients for 48 kHz
/// only; like libebur128 we derive both stages from the analog prototypes those coefficients came from (a high
/// shelf of about +4 dB above 1.68 kHz and a second-order high-pass at 38 Hz) with the bilinear transform at the
/// actual rate. At 48 kHz this reproduces the BS.1770 table to about 1e-8.
/// </summary>
public static class KWeighting
{
    // Analog parameters of the two stages (the values libebur128 uses, fitted to the BS.1770 48 kHz table).
    private const double ShelfFrequency = 1681.974450955533;
    private const double ShelfGainDb = 3.999843853973347;
    private const double ShelfQ = 0.7071752369554196;
    private const double ShelfBandExponent = 0.4996667741545416;
    private const double HighPassFrequency = 38.13547087602444;
    private const double HighPassQ = 0.5003270373238773;

    /// <summary>Stage 1 (shelf) and stage 2 (high-pass) as normalized biquads (a0 = 1).</summary>
    public static (Biquad Shelf, Biquad HighPass) Design(double sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 16.0);

        var k = Math.Tan(Math.PI * ShelfFrequency / sampleRate);
        var vh = Math.Pow(10, ShelfGainDb / 20);
        var vb = Math.Pow(vh, ShelfBandExponent);
        var a0 = 1 + (k / ShelfQ) + (k * k);
        var shelf = new Biquad(
            (vh + (vb * k / ShelfQ) + (k * k)) / a0,
            2 * ((k * k) - vh) / a0,
            (vh - (vb * k / ShelfQ) + (k * k)) / a0,
            2 * ((k * k) - 1) / a0,
            (1 - (k / ShelfQ) + (k * k)) / a0);

        // The high-pass numerator is exactly 1, -2, 1 (as in the BS.1770 table; not rescaled by a0).
        k = Math.Tan(Math.PI * HighPassFrequency / sampleRate);
        a0 = 1 + (k / HighPassQ) + (k * k);
        var highPass = new Biquad(1, -2, 1, 2 * ((k * k) - 1) / a0, (1 - (k / HighPassQ) + (k * k)) / a0);
        return (shelf, highPass);
    }

    /// <summary>Magnitude of the whole K-weighting curve at <paramref name="frequency"/> Hz.</summary>
    public static double MagnitudeAt(double sampleRate, double frequency)
    {
        var (shelf, highPass) = Design(sampleRate);
        return shelf.MagnitudeAt(sampleRate, frequency) * highPass.MagnitudeAt(sampleRate, frequency);
    }
}
