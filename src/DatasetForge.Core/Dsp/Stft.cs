using System.Numerics;

namespace DatasetForge.Dsp;

/// <summary>
/// A complex spectrogram: <see cref="Frames"/> frames of <see cref="Bins"/> bins (0 .. n_fft/2), frame-major in
/// <see cref="Real"/> and <see cref="Imag"/> (index frame * Bins + bin).
/// </summary>
public sealed class Spectrogram
{
    public Spectrogram(int frames, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        Frames = frames;
        Bins = bins;
        Real = new float[frames * bins];
        Imag = new float[frames * bins];
    }

    public int Frames { get; }

    public int Bins { get; }

    public float[] Real { get; }

    public float[] Imag { get; }

    public Span<float> RealFrame(int frame) => Real.AsSpan(frame * Bins, Bins);

    public Span<float> ImagFrame(int frame) => Imag.AsSpan(frame * Bins, Bins);

    public float Magnitude(int frame, int bin)
    {
        var i = (frame * Bins) + bin;
        return MathF.Sqrt((Real[i] * Real[i]) + (Imag[i] * Imag[i]));
    }

    /// <summary>All magnitudes, frame-major.</summary>
    public float[] Magnitudes()
    {
        var result = new float[Real.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = MathF.Sqrt((Real[i] * Real[i]) + (Imag[i] * Imag[i]));
        }

        return result;
    }
}

/// <summary>
/// Short-time Fourier transform with a periodic Hann window, configurable n_fft (a power of two) and hop
/// (1 .. n_fft/2), centered frames (the signal is zero-padded by n_fft/2 on both sides, so frame t is centered on
/// sample t*hop and there are 1 + length/hop frames, as torch.stft(center=True, pad_mode="constant")).
/// <see cref="Inverse"/> is weighted overlap-add divided by the summed squared window, which reconstructs the
/// signal exactly (to float rounding) from an unmodified spectrogram for every hop up to n_fft/2.
/// Not thread-safe (holds FFT scratch); create one per thread.
/// </summary>
public sealed class Stft
{
    private readonly RealFft fft;
    private readonly float[] frame;

    public Stft(int fftSize, int hop)
    {
        if (fftSize < 4 || !BitOperations.IsPow2(fftSize))
        {
            throw new ArgumentOutOfRangeException(nameof(fftSize), fftSize, "n_fft must be a power of two >= 4.");
        }

        if (hop < 1 || hop > fftSize / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(hop), hop, $"hop must be between 1 and n_fft/2 = {fftSize / 2} for perfect reconstruction.");
        }

        FftSize = fftSize;
        Hop = hop;
        fft = new RealFft(fftSize);
        Window = Array.ConvertAll(Windows.Hann(fftSize, periodic: true), w => (float)w);
        frame = new float[fftSize];
    }

    public int FftSize { get; }

    public int Hop { get; }

    public int Bins => (FftSize / 2) + 1;

    /// <summary>The analysis (and synthesis) window.</summary>
    public float[] Window { get; }

    public int FrameCount(int signalLength) => 1 + (signalLength / Hop);

    /// <summary>Center frequency of <paramref name="bin"/> in Hz.</summary>
    public double BinFrequency(int bin, int sampleRate) => (double)bin * sampleRate / FftSize;

    public Spectrogram Forward(ReadOnlySpan<float> signal)
    {
        var frames = FrameCount(signal.Length);
        var result = new Spectrogram(frames, Bins);
        var pad = FftSize / 2;
        for (var t = 0; t < frames; t++)
        {
            var start = (t * Hop) - pad; // signal index of frame[0]
            for (var i = 0; i < FftSize; i++)
            {
                var n = start + i;
                frame[i] = n >= 0 && n < signal.Length ? signal[n] * Window[i] : 0f;
            }

            fft.Forward(frame, result.RealFrame(t), result.ImagFrame(t));
        }

        return result;
    }

    /// <summary>Signal of <paramref name="length"/> samples from a spectrogram (usually the length that was analysed).</summary>
    public float[] Inverse(Spectrogram spectrogram, int length)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        if (spectrogram.Bins != Bins)
        {
            throw new ArgumentException($"Spectrogram has {spectrogram.Bins} bins; this STFT makes {Bins}.", nameof(spectrogram));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var pad = FftSize / 2;
        var sum = new double[length];
        var weight = new double[length];
        var scale = 1f / FftSize;
        for (var t = 0; t < spectrogram.Frames; t++)
        {
            fft.Inverse(spectrogram.RealFrame(t), spectrogram.ImagFrame(t), frame);
            var start = (t * Hop) - pad;
            var from = Math.Max(0, -start);
            var to = Math.Min(FftSize, length - start);
            for (var i = from; i < to; i++)
            {
                var w = Window[i];
                sum[start + i] += frame[i] * scale * w;
                weight[start + i] += w * w;
            }
        }

        var result = new float[length];
        for (var n = 0; n < length; n++)
        {
            result[n] = weight[n] > 1e-10 ? (float)(sum[n] / weight[n]) : 0f;
        }

        return result;
    }
}
