using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Dsp;

/// <summary>
/// Band-limited resampling on tensors (so it runs on the training device, inside a model's input path): windowed-sinc
/// polyphase filtering as one strided convolution. For rates reduced to L/M (new/orig over their gcd) the filter
/// bank holds L phases of a Hann-windowed sinc with cutoff min(orig, new) / 2 * rolloff and
/// <see cref="ZeroCrossings"/> zero crossings each side; the output is ceil(samples * L / M) samples, aligned with
/// the input (output sample n sits at input time n * M / L). Resampling the same rates again reuses the kernel.
/// </summary>
public sealed class TorchResampler : IDisposable
{
    public const int ZeroCrossings = 6;
    public const double Rolloff = 0.99;

    private readonly Dictionary<(int, int, string), (Tensor Kernel, int Width, int Orig, int New)> kernels = [];

    /// <summary>[..., samples] at <paramref name="fromRate"/> to [..., ceil(samples * to / from)] at <paramref name="toRate"/>.</summary>
    public Tensor Resample(Tensor signal, int fromRate, int toRate)
    {
        if (fromRate == toRate)
        {
            return signal.alias();
        }

        var (kernel, width, orig, @new) = Kernel(fromRate, toRate, signal.device);
        var shape = signal.shape;
        var length = shape[^1];
        var flat = signal.reshape(-1, 1, length).to(ScalarType.Float32);
        var padded = nn.functional.pad(flat, [width, width + orig]);
        var phases = nn.functional.conv1d(padded, kernel, stride: orig);           // [N, new, blocks]
        var output = phases.transpose(1, 2).reshape(flat.shape[0], -1);
        var target = (long)Math.Ceiling((double)@new * length / orig);
        long[] outShape = [.. shape[..^1], target];
        return output.narrow(1, 0, target).reshape(outShape);
    }

    /// <summary>Output length for <paramref name="samples"/> input samples.</summary>
    public static long OutputLength(long samples, int fromRate, int toRate)
    {
        if (fromRate == toRate)
        {
            return samples;
        }

        var g = Gcd(fromRate, toRate);
        return (long)Math.Ceiling((double)(toRate / g) * samples / (fromRate / g));
    }

    private (Tensor Kernel, int Width, int Orig, int New) Kernel(int fromRate, int toRate, Device device)
    {
        var key = (fromRate, toRate, device.ToString());
        if (kernels.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var g = Gcd(fromRate, toRate);
        var orig = fromRate / g;
        var @new = toRate / g;
        var baseFreq = Math.Min(orig, @new) * Rolloff;
        var width = (int)Math.Ceiling(ZeroCrossings * orig / baseFreq);
        var taps = (2 * width) + orig;
        var values = new float[@new * taps];
        var scale = baseFreq / orig;
        for (var phase = 0; phase < @new; phase++)
        {
            for (var k = 0; k < taps; k++)
            {
                // Time of input tap k relative to output phase p, in output-rate units of the cutoff.
                var t = ((-(double)phase / @new) + ((double)(k - width) / orig)) * baseFreq;
                t = Math.Clamp(t, -ZeroCrossings, ZeroCrossings);
                var w = Math.Cos(t * Math.PI / ZeroCrossings / 2);
                var x = t * Math.PI;
                var sinc = x == 0 ? 1.0 : Math.Sin(x) / x;
                values[(phase * taps) + k] = (float)(sinc * w * w * scale);
            }
        }

        var kernel = tensor(values, [@new, 1, taps], ScalarType.Float32).to(device).DetachFromDisposeScope();
        var entry = (kernel, width, orig, @new);
        kernels[key] = entry;
        return entry;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    public void Dispose()
    {
        foreach (var (kernel, _, _, _) in kernels.Values)
        {
            kernel.Dispose();
        }

        kernels.Clear();
    }
}
