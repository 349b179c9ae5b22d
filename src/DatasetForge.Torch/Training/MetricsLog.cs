using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DatasetForge.Torch.Training;

/// <summary>
/// Appends one JSON object per line to `metrics.jsonl` (schema train-metrics-row.schema.json): step, batch, epoch,
/// loss, lr, step_s, data_wait_s, items_per_s, elapsed_s and the loss function's own metrics. Each line is flushed
/// as written, so a crashed run keeps its log up to the last window.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter? writer;

    public MetricsLog(string? path)
    {
        Path = path;
        if (path is not null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
        }
    }

    public string? Path { get; }

    public void Write(IReadOnlyDictionary<string, double> values)
    {
        if (writer is null)
        {
            return;
        }

        var sb = new StringBuilder("{");
        var first = true;
        foreach (var (key, value) in values)
        {
            sb.Append(first ? string.Empty : ", ").Append(JsonSerializer.Serialize(key)).Append(": ");
            sb.Append(double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "null");
            first = false;
        }

        writer.WriteLine(sb.Append('}').ToString());
    }

    public void Dispose() => writer?.Dispose();
}
