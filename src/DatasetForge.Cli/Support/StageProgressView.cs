using System.Diagnostics;
using System.Globalization;
using DatasetForge.Common;
using Spectre.Console;

namespace DatasetForge.Cli.Support;

/// <summary>
/// The one progress view of every `forge` command that reports <see cref="StageProgress"/>: on a terminal, live
/// Spectre.Console bars, one per stage (done/total, throughput in items per minute and multiples of real time when
/// the stage reports audio seconds, ETA); when output is redirected (or goes to a writer other than the console),
/// plain lines: at most one per stage per second, plus every failure and each stage's last item, with the same
/// figures. Reports may come from several threads.
/// </summary>
internal static class StageProgressView
{
    /// <summary>True when bars can be drawn: stdout is the console, not redirected, and the terminal is interactive.</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Whether <paramref name="writer"/> gets bars (it is the real console on a terminal) or plain lines.</summary>
    public static bool IsTerminal(TextWriter? writer) =>
        (writer is null || ReferenceEquals(writer, Console.Out) || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected)) && Interactive;

    /// <summary>Runs <paramref name="work"/> with progress shown as bars on a terminal, else as lines on <paramref name="plain"/> (default stdout).</summary>
    /// <param name="unit">what the stages count (for rates: "songs/min")</param>
    /// <param name="units">stages that count something else (stage -> unit)</param>
    public static async Task<T> RunAsync<T>(
        Func<IProgress<StageProgress>, Task<T>> work, TextWriter? plain = null, string unit = "songs", IReadOnlyDictionary<string, string>? units = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        Func<string, string> unitOf = stage => units?.GetValueOrDefault(stage) ?? unit;
        if (!IsTerminal(plain))
        {
            return await work(new PlainProgress(plain ?? Console.Out, unitOf)).ConfigureAwait(false);
        }

        T result = default!;
        await NewProgress().StartAsync(async context =>
        {
            var bars = new BarProgress(context, unitOf);
            result = await work(bars).ConfigureAwait(false);
            bars.Finish();
        }).ConfigureAwait(false);
        return result;
    }

    /// <summary>The synchronous form, for work that runs on the calling thread.</summary>
    public static T Run<T>(Func<IProgress<StageProgress>, T> work, TextWriter? plain = null, string unit = "items")
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!IsTerminal(plain))
        {
            return work(new PlainProgress(plain ?? Console.Out, _ => unit));
        }

        T result = default!;
        NewProgress().Start(context =>
        {
            var bars = new BarProgress(context, _ => unit);
            result = work(bars);
            bars.Finish();
        });
        return result;
    }

    private static Progress NewProgress() => AnsiConsole.Progress()
        .AutoClear(false)
        .HideCompleted(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn());

    /// <summary>Per-stage rate: items and audio seconds since the stage's first report.</summary>
    private sealed class Rate
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private double audio;

        public void Add(StageProgress p) => audio += p.AudioSeconds;

        public double Seconds => clock.Elapsed.TotalSeconds;

        public string Describe(long done, long total, string unit)
        {
            var seconds = Math.Max(Seconds, 1e-3);
            var parts = new List<string>();
            if (done > 0 && seconds >= 0.5)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{done / seconds * 60:0.#} {unit}/min"));
                if (audio > 0)
                {
                    parts.Add(string.Create(CultureInfo.InvariantCulture, $"{audio / seconds:0.#}x real time"));
                }

                if (total > done)
                {
                    var eta = TimeSpan.FromSeconds(Math.Round((total - done) * seconds / done));
                    parts.Add($"ETA {(eta.TotalHours >= 1 ? eta.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : eta.ToString(@"m\:ss", CultureInfo.InvariantCulture))}");
                }
            }

            return string.Join(", ", parts);
        }
    }

    private static bool IsFailure(StageProgress p) => p.Message?.StartsWith("failed", StringComparison.Ordinal) == true;

    private static string Shorten(string text, int length) => text.Length > length ? "…" + text[^(length - 1)..] : text;

    private sealed class BarProgress(ProgressContext context, Func<string, string> unitOf) : IProgress<StageProgress>
    {
        private readonly Dictionary<string, (ProgressTask Task, Rate Rate)> stages = new(StringComparer.Ordinal);

        public void Report(StageProgress value)
        {
            lock (stages)
            {
                if (!stages.TryGetValue(value.Stage, out var entry))
                {
                    entry = (context.AddTask(Markup.Escape(value.Stage), maxValue: Math.Max(1, value.Total)), new Rate());
                    stages[value.Stage] = entry;
                }

                var (task, rate) = entry;
                rate.Add(value);
                if (value.Total > 0)
                {
                    task.IsIndeterminate = false;
                    task.MaxValue = value.Total;
                    task.Value = Math.Min(value.Done, value.Total);
                }
                else
                {
                    task.IsIndeterminate = true;
                }

                var count = value.Total > 0 ? $"{value.Done}/{value.Total}" : value.Done.ToString(CultureInfo.InvariantCulture);
                var figures = rate.Describe(value.Done, value.Total, unitOf(value.Stage));
                var text = $"{value.Stage,-8} {count,9} {(figures.Length > 0 ? figures + " " : string.Empty)}{Shorten(value.Item, 32)}";
                task.Description = IsFailure(value) ? $"[red]{Markup.Escape(text)}[/]" : Markup.Escape(text);
                if (IsFailure(value))
                {
                    context.Refresh();
                }
            }
        }

        /// <summary>Stops the spinners of stages that had no total (their work is over when the command's is).</summary>
        public void Finish()
        {
            lock (stages)
            {
                foreach (var (task, _) in stages.Values)
                {
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            }
        }
    }

    private sealed class PlainProgress(TextWriter writer, Func<string, string> unitOf) : IProgress<StageProgress>
    {
        private readonly Dictionary<string, (Stopwatch Last, Rate Rate)> stages = new(StringComparer.Ordinal);

        public void Report(StageProgress value)
        {
            lock (stages)
            {
                var failed = IsFailure(value);
                var finished = value.Total > 0 && value.Done >= value.Total;
                if (!stages.TryGetValue(value.Stage, out var entry))
                {
                    entry = (Stopwatch.StartNew(), new Rate());
                    stages[value.Stage] = entry;
                    entry.Rate.Add(value);
                }
                else
                {
                    entry.Rate.Add(value);
                    if (!failed && !finished && entry.Last.ElapsedMilliseconds < 1000)
                    {
                        return;
                    }
                }

                entry.Last.Restart();
                var count = value.Total > 0 ? $" {value.Done}/{value.Total}" : string.Empty;
                var figures = entry.Rate.Describe(value.Done, value.Total, unitOf(value.Stage));
                writer.WriteLine($"{value.Stage}{count} {value.Item}{(value.Message is { Length: > 0 } m ? ": " + m : string.Empty)}{(figures.Length > 0 ? $" ({figures})" : string.Empty)}");
            }
        }
    }
}
