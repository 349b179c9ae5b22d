using System.CommandLine;
using System.Globalization;
using DatasetForge.Audio;
using DatasetForge.Common.Config;
using DatasetForge.Evaluation;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge remix --stems DIR --scene FILE --out FILE.wav`: rebalance separated stems by a scene's gains at the
/// original mixture's loudness; with --references, score the remix against the same remix of the references.
/// </summary>
internal sealed class RemixCommand : IForgeCommand
{
    public Command Create()
    {
        var stems = new Option<string>("--stems") { Description = "folder of separated stems (<instrument>.wav)", Required = true };
        var scene = new Option<string>("--scene") { Description = "scene: YAML (remix-scene.schema.json, e.g. pipelines/remix/vocals-up.yaml) or a Cadenza gains JSON", Required = true };
        var gainId = new Option<string?>("--gain-id") { Description = "entry of a Cadenza gains file (e.g. gain_0001)" };
        var mixture = new Option<string?>("--mixture") { Description = "the original mixture whose loudness the remix keeps (default: the sum of the references, else of the stems)" };
        var references = new Option<string?>("--references") { Description = "folder of reference stems: also render their remix and report SDR against it" };
        var output = new Option<string>("--out") { Description = "remix WAV to write", Required = true };
        var command = new Command("remix", "Rebalance separated stems by per-instrument gains (dB), keeping the mixture's loudness; score against the reference remix.")
        {
            stems, scene, gainId, mixture, references, output,
        };
        command.SetAction(parse =>
        {
            try
            {
                var theScene = RemixScene.Load(parse.GetValue(scene)!, parse.GetValue(gainId));
                var estimates = ReadFolder(parse.GetValue(stems)!);
                var refsDir = parse.GetValue(references);
                var refs = refsDir is null ? null : ReadFolder(refsDir);
                var mixPath = parse.GetValue(mixture);
                var mix = mixPath is not null ? AudioFile.ReadAll(mixPath) : Sum(refs ?? estimates);

                ILoudnessMeter meter = new Bs1770Loudness();
                var outPath = parse.GetValue(output)!;
                if (refs is null)
                {
                    var target = meter.Measure(mix);
                    var remix = Remixer.Render(estimates, theScene, target, meter);
                    WavFile.Write(outPath, remix);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outPath}: scene '{theScene.Name}', loudness {meter.Measure(remix):F2} dB ({meter.Name}), mixture {target:F2} dB"));
                    return 0;
                }

                var (estimateRemix, referenceRemix, scores) = Remixer.Evaluate(estimates, refs, mix, theScene, meter);
                WavFile.Write(outPath, estimateRemix);
                var referencePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileNameWithoutExtension(outPath) + ".reference.wav");
                WavFile.Write(referencePath, referenceRemix);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"scene '{theScene.Name}': loudness mixture {scores.MixtureLoudness:F2}, remix {scores.RemixLoudness:F2}, reference remix {scores.ReferenceRemixLoudness:F2} dB ({meter.Name})"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"remix vs reference remix: uSDR {scores.Usdr:F2} dB, SI-SDR {scores.SiSdr:F2} dB, cSDR {scores.Csdr:F2} dB"));
                if (scores.UnscaledStems.Count > 0)
                {
                    Console.WriteLine($"stems not in the scene (kept at 0 dB): {string.Join(", ", scores.UnscaledStems)}");
                }

                Console.WriteLine($"wrote {outPath} and {referencePath}");
                return 0;
            }
            catch (Exception e) when (e is EvaluationInputException or IOException or ConfigException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Dictionary<string, AudioBuffer> ReadFolder(string dir)
    {
        if (!Directory.Exists(dir))
        {
            throw new EvaluationInputException($"{dir}: folder not found");
        }

        var result = Directory.EnumerateFiles(dir)
            .Where(f => AudioFile.ReadableExtensions.Contains(Path.GetExtension(f)) && !Common.AtomicFile.IsTempFile(f) && Path.GetFileNameWithoutExtension(f) != MusdbLayout.MixtureName)
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), AudioFile.ReadAll, StringComparer.Ordinal);
        return result.Count > 0 ? result : throw new EvaluationInputException($"{dir}: no audio stems");
    }

    private static AudioBuffer Sum(IReadOnlyDictionary<string, AudioBuffer> stems)
    {
        var first = stems.Values.First();
        var length = stems.Values.Max(s => s.Frames);
        var sum = new AudioBuffer(first.SampleRate, first.ChannelCount, length);
        foreach (var stem in stems.Values)
        {
            for (var c = 0; c < Math.Min(sum.ChannelCount, stem.ChannelCount); c++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(sum.Channels[c].AsSpan(0, stem.Frames), stem.Channels[c], sum.Channels[c].AsSpan(0, stem.Frames));
            }
        }

        return sum;
    }
}
