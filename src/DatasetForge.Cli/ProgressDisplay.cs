using DatasetForge.Common;
using Spectre.Console;

namespace DatasetForge.Cli;

/// <summary>Shows <see cref="StageProgress"/> as a progress bar on a terminal, or as plain lines on stderr when redirected.</summary>
internal static class ProgressDisplay
{
    public static T Run<T>(string title, Func<IProgress<StageProgress>, T> work)
    {
        if (Console.IsErrorRedirected || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Plain lines, at most one per tenth of the work, so logs stay short.
            var lastBucket = -1L;
            var progress = new SynchronousProgress(p =>
            {
                var bucket = p.Total > 0 ? p.Done * 10 / p.Total : p.Done;
                if (p.Done > 0 && bucket != lastBucket)
                {
                    lastBucket = bucket;
                    Console.Error.WriteLine($"{p.Stage}: {p.Done}/{p.Total} {p.Item}");
                }
            });
            return work(progress);
        }

        var result = default(T);
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title));
                result = work(new SynchronousProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = Markup.Escape($"{title}: {p.Item}");
                }));
                task.Value = task.MaxValue;
            });
        return result!;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder).</summary>
    private sealed class SynchronousProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
