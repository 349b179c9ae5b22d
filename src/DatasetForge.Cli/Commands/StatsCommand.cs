using System.CommandLine;
using System.Globalization;
using DatasetForge.Stats;

namespace DatasetForge.Cli.Commands;

/// <summary>`forge stats DATASET_DIR`: MS21 Table 3 statistics, distributions, plots and an HTML page.</summary>
internal sealed class StatsCommand : IForgeCommand
{
    public Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "a rendered dataset folder (splits.csv and analysis/bleed.csv are used when present)" };
        var command = new Command("stats", "Dataset statistics (MS21 Table 3 columns; genre, instrument and length distributions per split): stats/stats.csv, PNG plots, stats/index.html.") { dataset };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(dataset)!;
            DatasetStats stats;
            IReadOnlyList<string> files;
            try
            {
                stats = DatasetStatistics.Compute(dir);
                files = StatsReport.Write(dir, stats);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine("scope       songs  hours   raw tracks/song  instruments  vocal %  leakage %  layout");
            foreach (var r in stats.Rows)
            {
                Console.WriteLine(string.Create(inv, $"{r.Scope,-10} {r.Songs,6} {r.Hours,6:0.000} {r.RawTracksMean,8:0.0} ± {r.RawTracksSd,-5:0.0} {r.InstrumentCategories,11} {r.VocalPercent,8:0.0} {(r.LeakagePercent is { } l ? l.ToString("0.0", inv) : "n/a"),10}  {r.StereoMono}"));
            }

            Console.WriteLine($"wrote {string.Join(", ", files.Select(f => Path.Combine(dir, f)))}");
            return 0;
        });
        return command;
    }
}
