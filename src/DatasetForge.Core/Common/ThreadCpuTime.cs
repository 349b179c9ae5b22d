using System.Runtime.InteropServices;

namespace DatasetForge.Common;

/// <summary>
/// CPU time of the calling thread (Linux: clock_gettime(CLOCK_THREAD_CPUTIME_ID)). Work that runs on one thread, such
/// as a pipeline stage's per-song unit, is charged its own CPU time this way even when other stages run beside it.
/// Elsewhere <see cref="Available"/> is false and <see cref="Seconds"/> returns 0.
/// </summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    public static bool Available { get; } = OperatingSystem.IsLinux() && Probe();

    public static double Seconds() => Available && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0 ? t.Seconds + (t.Nanoseconds * 1e-9) : 0;

    private static bool Probe()
    {
        try
        {
            return ClockGetTime(ClockThreadCpuTimeId, out _) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
