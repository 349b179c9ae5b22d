using System.CommandLine;
using System.Globalization;
using DatasetForge.Pipeline;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge demo`: the main job on an embedded default. For now: the audio core (synthesize, resample, measure, normalize).</summary>
internal sealed class DemoCommand : IForgeCommand
{
    public Command Create()
    {
        var output = new Option<string>("--output") { Description = "folder for the demo's files", DefaultValueFactory = _ => "demo-output" };
        var seed = new Option<int>("--seed") { Description = "seed of every random choice", DefaultValueFactory = _ => 1 };
        var target = new Option<double>("--target-lufs") { Description = "loudness the tracks are normalized to", DefaultValueFactory = _ => -23 };
        var command = new Command("demo", "Run the pipeline on a built-in synthetic example (grows as stages land).") { output, seed, target };
        command.SetAction((parse, cancellationToken) =>
        {
            var writer = parse.InvocationConfiguration.Output;
            var folder = parse.GetValue(output)!;
            var tracks = AudioCoreDemo.Run(folder, parse.GetValue(seed), parse.GetValue(target), cancellationToken);
            writer.WriteLine("track\traw_rate\traw_lufs\tgain_db\trender_rate\trender_lufs\trender_true_peak_dbtp\tfile");
            foreach (var t in tracks)
            {
                writer.WriteLine(string.Join('\t', t.Name, t.RawSampleRate, F(t.RawLufs), F(t.GainDb), t.RenderedSampleRate, F(t.RenderedLufs), F(t.RenderedTruePeakDbtp), t.RenderedPath));
                if (t.GainWouldClip)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"warning: {t.Name}: the normalization gain pushes {t.SamplesPastFullScale} samples past full scale");
                }
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
