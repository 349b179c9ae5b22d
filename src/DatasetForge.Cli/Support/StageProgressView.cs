using System.Diagnostics;
using DatasetForge.Common;
using Spectre.Console;

namespace DatasetForge.Cli.Support;

/// <summary>
/// Shows <see cref="StageProgress"/> reports: live progress bars (one per stage) on a terminal, plain lines (at
/// most one per stage per second, plus every failure) when output is redirected.
/// </summary>
internal static class StageProgressView
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static async Task<T> RunAsync<T>(Func<IProgress<StageProgress>, Task<T>> work)
    {
        if (!Interactive)
        {
            return await work(new PlainProgress()).ConfigureAwait(false);
        }

        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                result = await work(new BarProgress(context)).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }

    private sealed class BarProgress(ProgressContext context) : IProgress<StageProgress>
    {
        private readonly Dictionary<string, ProgressTask> tasks = new(StringComparer.Ordinal);

        public void Report(StageProgress value)
        {
            if (value.Total <= 0)
            {
                return;
            }

            lock (tasks)
            {
                if (!tasks.TryGetValue(value.Stage, out var task))
                {
                    task = context.AddTask(value.Stage, maxValue: value.Total);
                    tasks[value.Stage] = task;
                }

                task.MaxValue = value.Total;
                task.Value = value.Done;
                var item = value.Item.Length > 40 ? "…" + value.Item[^39..] : value.Item;
                task.Description = Markup.Escape($"{value.Stage} {value.Done}/{value.Total} {item}");
            }
        }
    }

    private sealed class PlainProgress : IProgress<StageProgress>
    {
        private readonly Dictionary<string, Stopwatch> last = new(StringComparer.Ordinal);

        public void Report(StageProgress value)
        {
            lock (last)
            {
                var failed = value.Message?.StartsWith("failed", StringComparison.Ordinal) == true;
                var finished = value.Total > 0 && value.Done >= value.Total;
                if (!last.TryGetValue(value.Stage, out var clock))
                {
                    clock = Stopwatch.StartNew();
                    last[value.Stage] = clock;
                }
                else if (!failed && !finished && clock.ElapsedMilliseconds < 1000)
                {
                    return;
                }

                clock.Restart();
                var count = value.Total > 0 ? $" {value.Done}/{value.Total}" : string.Empty;
                Console.WriteLine($"{value.Stage}{count} {value.Item}{(value.Message is { Length: > 0 } m ? ": " + m : string.Empty)}");
            }
        }
    }
}
