using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DatasetForge.Benchmarks;

/// <summary>
/// CPU seconds (user + system) of this process, or of its reaped children (getrusage RUSAGE_CHILDREN, for peers run
/// as child processes). Elsewhere than Linux: this process's TotalProcessorTime.
/// </summary>
public static class ProcessCpu
{
    public static double Seconds(bool children = false)
    {
        if (!OperatingSystem.IsLinux())
        {
            using var p = Process.GetCurrentProcess();
            return p.TotalProcessorTime.TotalSeconds;
        }

        if (getrusage(children ? -1 : 0, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed (errno {Marshal.GetLastPInvokeError()})");
        }

        return usage.UserSec + usage.SystemSec + ((usage.UserMicro + usage.SystemMicro) / 1e6);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSec;
        public long UserMicro;
        public long SystemSec;
        public long SystemMicro;
        private unsafe fixed long rest[14];
    }
}
