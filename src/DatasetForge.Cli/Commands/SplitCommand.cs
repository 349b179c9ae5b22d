using System.CommandLine;
using System.Globalization;
using DatasetForge.Splits;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge split DATASET_DIR [--seed N --forced-test FILE]`: artist-disjoint train/validation/test splits.</summary>
internal sealed class SplitCommand : IForgeCommand
{
    public Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "a rendered dataset folder (manifests/songs.csv, manifests/stems.csv)" };
        var seed = new Option<int>("--seed") { Description = "seed of the split", DefaultValueFactory = _ => 0 };
        var forced = new Option<string?>("--forced-test") { Description = "file of song names (\"Artist - Title\", one per line) that must be in test, e.g. manifests/musdb18_test_songs.txt" };
        var defaults = new SplitOptions();
        var train = new Option<double>("--train") { Description = "fraction of songs in train", DefaultValueFactory = _ => defaults.Train };
        var validation = new Option<double>("--validation") { Description = "fraction of songs in validation", DefaultValueFactory = _ => defaults.Validation };
        var test = new Option<double>("--test") { Description = "fraction of songs in test", DefaultValueFactory = _ => defaults.Test };
        var command = new Command("split", "Split a dataset into train/validation/test with no artist in two splits, balancing genres and instruments; writes splits.csv.")
        {
            dataset, seed, forced, train, validation, test,
        };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(dataset)!;
            SplitResult result;
            try
            {
                var forcedList = parse.GetValue(forced) is { } f ? SongSplitter.ReadForcedList(f) : [];
                result = SplitStage.Run(dir, new SplitOptions
                {
                    Seed = parse.GetValue(seed),
                    ForcedTest = forcedList,
                    Train = parse.GetValue(train),
                    Validation = parse.GetValue(validation),
                    Test = parse.GetValue(test),
                });
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine("split       songs  artists  hours   forced  fraction  genre JS (bits)  instrument JS (bits)");
            foreach (var b in result.Balance)
            {
                Console.WriteLine(string.Create(inv, $"{b.Split,-10} {b.Songs,6} {b.Artists,8} {b.Hours,6:0.00} {b.Forced,8} {b.SongFraction,9:0.000} {b.GenreJsBits,16:0.0000} {b.InstrumentJsBits,21:0.0000}"));
            }

            if (result.ForcedNotFound.Count > 0)
            {
                Console.WriteLine($"{result.ForcedNotFound.Count} forced-test song(s) are not in this dataset (listed, not an error): {string.Join("; ", result.ForcedNotFound.Take(5))}{(result.ForcedNotFound.Count > 5 ? "; ..." : string.Empty)}");
            }

            Console.WriteLine($"wrote {Path.Combine(dir, SplitStage.SplitsFile)} and {Path.Combine(dir, SplitStage.BalanceFile)}");
            return 0;
        });
        return command;
    }
}
