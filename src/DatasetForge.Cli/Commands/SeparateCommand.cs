using DatasetForge.Cli.Support;
using System.CommandLine;
using System.Globalization;
using DatasetForge.Audio;
using DatasetForge.Evaluation;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge separate --model SPEC SONG --out DIR`: whole-song overlap-add inference, one WAV per target.</summary>
internal sealed class SeparateCommand : IForgeCommand
{
    public Command Create()
    {
        var song = new Argument<string>("song") { Description = "the mixture to separate (WAV/RF64/AIFF)" };
        var model = new Option<string>("--model") { Description = "checkpoint path, or a built-in model: identity, mixture[:t1,t2,...]", Required = true };
        var outDir = new Option<string>("--out") { Description = "output folder (one <target>.wav per target)", Required = true };
        var chunk = new Option<double>("--chunk") { Description = "chunk length T in seconds", DefaultValueFactory = _ => 3.0 };
        var hop = new Option<double>("--hop") { Description = "hop P in seconds (P <= T)", DefaultValueFactory = _ => 0.5 };
        var encoding = new Option<string>("--encoding") { Description = "output sample format: float32, pcm16, pcm24", DefaultValueFactory = _ => "float32" };
        var command = new Command("separate", "Separate a song with a model by overlap-add over chunks (BSRNN Sec. IV-B); writes one WAV per target.")
        {
            song, model, outDir, chunk, hop, encoding,
        };
        command.SetAction(parse =>
        {
            try
            {
                var format = parse.GetValue(encoding) switch
                {
                    "float32" => SampleEncoding.Float32,
                    "pcm16" => SampleEncoding.Pcm16,
                    "pcm24" => SampleEncoding.Pcm24,
                    var other => throw new EvaluationInputException($"unknown --encoding '{other}' (float32, pcm16, pcm24)"),
                };
                var registry = SeparationModelRegistry.CreateFromDirectory(AppContext.BaseDirectory);
                using var separator = registry.Load(parse.GetValue(model)!);
                var mixture = AudioFile.ReadAll(parse.GetValue(song)!);
                var (chunkFrames, hopFrames) = OverlapAdd.Frames(parse.GetValue(chunk), parse.GetValue(hop), mixture.SampleRate);
                var outputs = StageProgressView.Run(p => OverlapAdd.Separate(separator, mixture, chunkFrames, hopFrames, p), Console.Error, "chunks");
                var dir = parse.GetValue(outDir)!;
                var clipped = 0L;
                for (var t = 0; t < outputs.Length; t++)
                {
                    var path = Path.Combine(dir, $"{separator.Targets[t]}.wav");
                    clipped += WavFile.Write(path, outputs[t], format);
                    Console.WriteLine(path);
                }

                if (clipped > 0)
                {
                    Console.Error.WriteLine($"warning: {clipped.ToString(CultureInfo.InvariantCulture)} samples clipped to full scale while encoding {parse.GetValue(encoding)}");
                }

                return 0;
            }
            catch (Exception e) when (e is EvaluationInputException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
