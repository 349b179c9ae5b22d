using System.Runtime.InteropServices;

namespace DatasetForge.Benchmarks.Peers;

/// <summary>
/// libebur128 (Debian package libebur128-1) through P/Invoke: the reference our loudness meter is measured
/// against. Used by the benchmarks only; the product and its tests never load it.
/// </summary>
public sealed unsafe class LibEbur128 : IDisposable
{
    public const int ModeM = 1;
    public const int ModeI = (1 << 2) | ModeM;
    public const int ModeSamplePeak = (1 << 4) | ModeM;
    public const int ModeTruePeak = (1 << 5) | ModeM | ModeSamplePeak;
    private const string Library = "libebur128.so.1";
    private nint state;

    public LibEbur128(int channels, int sampleRate, int mode)
    {
        try
        {
            state = ebur128_init((uint)channels, (nuint)sampleRate, mode);
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException("libebur128 is not installed: run scripts/ensure-bench-deps.sh", e);
        }

        if (state == 0)
        {
            throw new InvalidOperationException("ebur128_init failed");
        }
    }

    public static string Version()
    {
        ebur128_get_version(out var major, out var minor, out var patch);
        return $"{major}.{minor}.{patch}";
    }

    public void AddFrames(ReadOnlySpan<short> interleaved, int frames)
    {
        fixed (short* p = interleaved)
        {
            Check(ebur128_add_frames_short(state, p, (nuint)frames));
        }
    }

    public void AddFrames(ReadOnlySpan<float> interleaved, int frames)
    {
        fixed (float* p = interleaved)
        {
            Check(ebur128_add_frames_float(state, p, (nuint)frames));
        }
    }

    public double LoudnessGlobal()
    {
        Check(ebur128_loudness_global(state, out var value));
        return value;
    }

    public double TruePeak(int channel)
    {
        Check(ebur128_true_peak(state, (uint)channel, out var value));
        return value;
    }

    public void Dispose()
    {
        if (state != 0)
        {
            ebur128_destroy(ref state);
            state = 0;
        }
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"libebur128 error {error}");
        }
    }

    [DllImport(Library)]
    private static extern void ebur128_get_version(out int major, out int minor, out int patch);

    [DllImport(Library)]
    private static extern nint ebur128_init(uint channels, nuint samplerate, int mode);

    [DllImport(Library)]
    private static extern void ebur128_destroy(ref nint state);

    [DllImport(Library)]
    private static extern int ebur128_add_frames_short(nint state, short* src, nuint frames);

    [DllImport(Library)]
    private static extern int ebur128_add_frames_float(nint state, float* src, nuint frames);

    [DllImport(Library)]
    private static extern int ebur128_loudness_global(nint state, out double value);

    [DllImport(Library)]
    private static extern int ebur128_true_peak(nint state, uint channel, out double value);
}
