using System.Diagnostics;

namespace DatasetForge.Benchmarks;

/// <summary>
/// Times several contenders round-robin (one warm-up round, then <c>repeats</c> rounds, each contender once per
/// round), so a busy machine slows them all alike. Records wall-clock seconds and CPU seconds (getrusage of this
/// process for in-process contenders, of the finished children for external programs). A contender that throws
/// <see cref="InvalidOperationException"/> (peer missing) is reported as an error and dropped.
/// </summary>
public sealed class Contest(int repeats)
{
    private readonly List<Contender> contenders = [];

    public List<string> Errors { get; } = [];

    public void Add<T>(string name, Func<T> run, bool external = false) => contenders.Add(new Contender(name, () => run(), external));

    public IReadOnlyList<Entry> Run()
    {
        var results = contenders.ToDictionary(c => c.Name, _ => new List<(double Wall, double Cpu)>());
        var values = new Dictionary<string, object?>();
        var failed = new HashSet<string>();
        for (var round = -1; round < repeats; round++)
        {
            foreach (var c in contenders.Where(c => !failed.Contains(c.Name)))
            {
                try
                {
                    var cpu0 = ProcessCpu.Seconds(c.External);
                    var sw = Stopwatch.StartNew();
                    values[c.Name] = c.Run();
                    var wall = sw.Elapsed.TotalSeconds;
                    var cpu = ProcessCpu.Seconds(c.External) - cpu0;
                    if (round >= 0)
                    {
                        results[c.Name].Add((wall, cpu));
                    }
                }
                catch (InvalidOperationException e)
                {
                    failed.Add(c.Name);
                    Errors.Add($"{c.Name}: {e.Message}");
                    Console.Error.WriteLine($"error: {c.Name}: {e.Message}");
                }
            }
        }

        return contenders.Where(c => !failed.Contains(c.Name))
            .Select(c => new Entry(c.Name, results[c.Name].Select(r => r.Wall).ToArray(), results[c.Name].Select(r => r.Cpu).ToArray(), values[c.Name]))
            .ToList();
    }

    private sealed record Contender(string Name, Func<object?> Run, bool External);

    /// <summary>One contender's rounds; <see cref="Value"/> is what its last run returned.</summary>
    public sealed record Entry(string Name, double[] Wall, double[] Cpu, object? Value)
    {
        public double BestWall => Wall.Min();

        public double MedianWall => Median(Wall);

        public double BestCpu => Cpu.Min();

        private static double Median(double[] x)
        {
            var s = x.Order().ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
        }
    }
}
