using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Dsp;

/// <summary>
/// STFT and inverse STFT on tensors with a periodic Hann window, centred frames and zero padding (as
/// torch.stft(center=True, pad_mode="constant") and the core's <c>Dsp.Stft</c>). Any leading dimensions are kept:
/// [..., samples] -> complex [..., n_fft / 2 + 1, frames] and back.
/// </summary>
public static class Spectral
{
    public static Tensor Stft(Tensor signal, int nFft, int hop)
    {
        var shape = signal.shape;
        var flat = signal.reshape(-1, shape[^1]);
        using var window = hann_window(nFft, periodic: true, dtype: ScalarType.Float32, device: signal.device);
        var spec = flat.to(ScalarType.Float32).stft(nFft, hop, nFft, window, center: true, pad_mode: PaddingModes.Constant, normalized: false, onesided: true, return_complex: true);
        long[] outShape = [.. shape[..^1], spec.shape[^2], spec.shape[^1]];
        return spec.reshape(outShape);
    }

    /// <summary>Inverse of <see cref="Stft"/>; <paramref name="length"/> is the signal length to return.</summary>
    public static Tensor Istft(Tensor spectrum, int nFft, int hop, long length)
    {
        var shape = spectrum.shape;
        var flat = spectrum.reshape(-1, shape[^2], shape[^1]);
        using var window = hann_window(nFft, periodic: true, dtype: ScalarType.Float32, device: spectrum.device);
        var signal = flat.istft(nFft, hop, nFft, window, center: true, normalized: false, onesided: true, length: length);
        long[] outShape = [.. shape[..^2], length];
        return signal.reshape(outShape);
    }

    /// <summary>STFT frames of a signal of <paramref name="samples"/> samples (centred frames).</summary>
    public static long Frames(long samples, int hop) => 1 + (samples / hop);
}
