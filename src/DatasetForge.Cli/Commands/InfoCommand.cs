using System.CommandLine;
using DatasetForge.Audio;
using Spectre.Console;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge info FILE...`: what each audio file's header says (format, rate, channels, length).</summary>
internal sealed class InfoCommand : IForgeCommand
{
    public Command Create()
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "WAV/RF64/AIFF/AIFC files" };
        var command = new Command("info", "Print the header of audio files (container, encoding, rate, channels, frames).") { files };
        command.SetAction(parse =>
        {
            var failed = 0;
            var table = new Table().AddColumns("file", "container", "encoding", "rate", "ch", "frames", "seconds");
            foreach (var path in parse.GetValue(files) ?? [])
            {
                try
                {
                    var info = AudioFile.ReadInfo(path);
                    table.AddRow(Markup.Escape(path), info.Container.ToString(), info.Encoding.ToCatalogName(), info.SampleRate.ToString(),
                        info.Channels.ToString(), info.Frames.ToString(), info.DurationSeconds.ToString("F3"));
                }
                catch (AudioFormatException e)
                {
                    failed++;
                    Console.Error.WriteLine($"error: {e.Message}");
                }
            }

            AnsiConsole.Write(table);
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
