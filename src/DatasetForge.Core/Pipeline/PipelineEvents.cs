using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DatasetForge.Pipeline;

/// <summary>
/// One line of `pipeline/events.jsonl`: <c>run_start</c>, <c>source</c> (songs found), <c>song</c> (one song through
/// one stage: status done | skipped | metadata | failed | not_run), <c>stage</c> (a dataset-level stage or a per-song
/// stage's totals), <c>quarantine</c>, <c>warning</c>, <c>run_end</c> (status ok | failed | cancelled). Times are UTC;
/// <c>seconds</c> is wall time, <c>cpu_s</c> the thread CPU time of that unit of work.
/// </summary>
public sealed record PipelineEvent
{
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;

    public string Run { get; init; } = string.Empty;

    public required string Event { get; init; }

    public string? Stage { get; init; }

    public string? Song { get; init; }

    public string? Status { get; init; }

    public long? Done { get; init; }

    public long? Total { get; init; }

    public double? Seconds { get; init; }

    [JsonPropertyName("cpu_s")]
    public double? CpuS { get; init; }

    [JsonPropertyName("audio_s")]
    public double? AudioS { get; init; }

    public string? Message { get; init; }
}

/// <summary>Appends <see cref="PipelineEvent"/>s to a JSON-lines file, one flushed line per event (so `tail -f` follows a run).</summary>
public sealed class PipelineEventLog : IDisposable
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly object gate = new();
    private readonly StreamWriter? writer;

    public PipelineEventLog(string? path, string runId)
    {
        RunId = runId;
        if (path is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        }
    }

    public string RunId { get; }

    /// <summary>Every event also goes here (the CLI's view, tests).</summary>
    public event Action<PipelineEvent>? Written;

    public void Write(PipelineEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e = e with { Run = RunId };
        lock (gate)
        {
            if (writer is not null)
            {
                writer.Write(JsonSerializer.Serialize(e, Options));
                writer.Write('\n');
                writer.Flush();
            }
        }

        Written?.Invoke(e);
    }

    public static IReadOnlyList<PipelineEvent> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<PipelineEvent>(l, Options)!).ToList();

    public void Dispose()
    {
        lock (gate)
        {
            writer?.Dispose();
        }
    }
}
