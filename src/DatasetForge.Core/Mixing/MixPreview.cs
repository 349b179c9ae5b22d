using System.Globalization;
using System.Text;
using DatasetForge.Audio;
using DatasetForge.Common;

namespace DatasetForge.Mixing;

/// <summary>One previewed example: its mixture file and target files.</summary>
public sealed record PreviewItem(int Number, string MixtureFile, IReadOnlyList<string> TargetFiles, MixPlan Plan);

/// <summary>
/// Writes the first N items of a stream as WAV files for listening (`forge mix --preview N`): `NNNN_mixture.wav`
/// and one `NNNN_<target>.wav` per target (float32, atomically), plus `plans.jsonl` with every item's plan.
/// </summary>
public static class MixPreview
{
    public static async Task<IReadOnlyList<PreviewItem>> WriteAsync(MixStream stream, int count, string outDir, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Directory.CreateDirectory(outDir);
        var items = new List<PreviewItem>();
        var plans = new StringBuilder();
        await foreach (var batch in stream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            using (batch)
            {
                for (var i = 0; i < batch.BatchSize && items.Count < count; i++)
                {
                    var number = items.Count;
                    var plan = batch.Plans[i];
                    var mixtureFile = Path.Combine(outDir, $"{number:D4}_mixture.wav");
                    WavFile.Write(mixtureFile, Collect(batch, c => batch.MixtureOf(i, c)));
                    var targetFiles = new List<string>();
                    for (var t = 0; t < batch.TargetCount; t++)
                    {
                        var target = plan.Targets[t];
                        var name = plan.Leaf is null ? target.Name : $"L{target.Level}_{target.Name}";
                        var file = Path.Combine(outDir, $"{number:D4}_{SafeName(name)}.wav");
                        var index = t;
                        WavFile.Write(file, Collect(batch, c => batch.TargetOf(i, index, c)));
                        targetFiles.Add(file);
                    }

                    plans.Append(plan.ToJson()).Append('\n');
                    items.Add(new PreviewItem(number, mixtureFile, targetFiles, plan));
                }
            }

            if (items.Count >= count)
            {
                break;
            }
        }

        AtomicFile.WriteAllText(Path.Combine(outDir, "plans.jsonl"), plans.ToString());
        return items;
    }

    private delegate ReadOnlySpan<float> ChannelOf(int channel);

    private static AudioBuffer Collect(MixBatch batch, ChannelOf channel)
    {
        var channels = new float[batch.Channels][];
        for (var c = 0; c < batch.Channels; c++)
        {
            channels[c] = channel(c).ToArray();
        }

        return new AudioBuffer(batch.SampleRate, channels);
    }

    private static string SafeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var ch in name)
        {
            sb.Append(char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_');
        }

        return sb.Length == 0 ? "target" : sb.ToString().ToLower(CultureInfo.InvariantCulture);
    }
}
