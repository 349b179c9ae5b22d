using System.Text;
using DatasetForge.Common;

namespace DatasetForge.Splits;

/// <summary>What the splitter knows about a song: its artist, genre, level-1 instruments and length.</summary>
public sealed record SplitSong(string SongId, string Artist, string Genre, IReadOnlyList<string> Instruments, double Seconds);

/// <summary>Split fractions (of songs), the seed, and the songs that must be in test (names as in a forced list: "Artist - Title").</summary>
public sealed record SplitOptions
{
    public int Seed { get; init; }

    public double Train { get; init; } = 0.8;

    public double Validation { get; init; } = 0.1;

    public double Test { get; init; } = 0.1;

    public IReadOnlyCollection<string> ForcedTest { get; init; } = [];

    /// <summary>Weight of the genre and instrument balance against the song-count fractions in the objective.</summary>
    public double BalanceWeight { get; init; } = 0.02;
}

/// <summary>A row of splits.csv (schema `splits-row.schema.json`).</summary>
public sealed record SplitRow(string SongId, string Artist, string Split);

/// <summary>
/// How one split compares with the whole dataset (a row of `stats/split_balance.csv`, schema
/// `split-balance-row.schema.json`): Jensen-Shannon divergences (bits, 0 = same distribution, 1 = disjoint) of the
/// genre distribution over songs and of the level-1 instrument distribution over songs.
/// </summary>
public sealed record SplitBalance(string Split, int Songs, int Artists, double Hours, int Forced, double SongFraction, double GenreJsBits, double InstrumentJsBits);

public sealed record SplitResult(IReadOnlyList<SplitRow> Rows, IReadOnlyList<SplitBalance> Balance, IReadOnlyList<string> ForcedNotFound);

/// <summary>
/// Train / validation / test splits with no artist in two splits, for any seed. Songs are grouped by artist
/// (<see cref="ArtistKey"/>: case, accents and featured artists ignored, so "Triviul" and "Triviul feat. The Fiend"
/// are one artist); groups holding a forced song go to test whole; the other groups are placed greedily (seeded
/// order, largest first) into the split that best keeps the song fractions and the genre and instrument
/// distributions close to the whole dataset's, then improved by seeded single-group moves and pair swaps that lower
/// the same objective. Every step works on whole groups, so disjointness holds by construction.
/// </summary>
public static class SongSplitter
{
    public static readonly IReadOnlyList<string> Names = ["train", "validation", "test"];

    public static SplitResult Split(IReadOnlyList<SplitSong> songs, SplitOptions options)
    {
        ArgumentNullException.ThrowIfNull(songs);
        ArgumentNullException.ThrowIfNull(options);
        var fractions = new[] { options.Train, options.Validation, options.Test };
        if (fractions.Any(f => f < 0 || !double.IsFinite(f)) || fractions.Sum() <= 0)
        {
            throw new ArgumentException("split fractions must be non-negative and not all zero");
        }

        var total = fractions.Sum();
        fractions = fractions.Select(f => f / total).ToArray();
        if (songs.Select(s => s.SongId).Distinct(StringComparer.Ordinal).Count() != songs.Count)
        {
            throw new ArgumentException("song ids must be unique");
        }

        var forcedKeys = options.ForcedTest.Select(SongKey).ToHashSet(StringComparer.Ordinal);
        var foundForced = new HashSet<string>(StringComparer.Ordinal);
        var groups = songs.GroupBy(s => ArtistKey(s.Artist), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Group(g.ToList()))
            .ToList();
        foreach (var g in groups)
        {
            foreach (var s in g.Songs.Where(s => forcedKeys.Contains(SongKey(s.SongId))))
            {
                foundForced.Add(SongKey(s.SongId));
                g.Forced++;
            }
        }

        var model = new Model(songs, fractions, options.BalanceWeight);
        var random = new Random(options.Seed);
        foreach (var g in groups.Where(g => g.Forced > 0))
        {
            model.Place(g, 2);
        }

        var free = groups.Where(g => g.Forced == 0).ToList();
        Shuffle(free, random);
        free = free.OrderByDescending(g => g.Songs.Count).ToList(); // stable: ties keep the seeded order
        foreach (var g in free)
        {
            var order = Enumerable.Range(0, 3).ToArray();
            Shuffle(order, random);
            var best = -1;
            var bestCost = double.PositiveInfinity;
            foreach (var s in order)
            {
                model.Place(g, s);
                var cost = model.Cost();
                model.Remove(g);
                if (cost < bestCost - 1e-12)
                {
                    bestCost = cost;
                    best = s;
                }
            }

            model.Place(g, best);
        }

        Improve(model, free, random);
        var splitOf = groups.SelectMany(g => g.Songs.Select(s => (s.SongId, g.Split))).ToDictionary(p => p.SongId, p => p.Split, StringComparer.Ordinal);
        var rows = songs.Select(s => new SplitRow(s.SongId, s.Artist, Names[splitOf[s.SongId]])).ToList();
        var notFound = options.ForcedTest.Where(f => !foundForced.Contains(SongKey(f))).ToList();
        return new SplitResult(rows, model.Balance(groups), notFound);
    }

    /// <summary>The artist identity used for disjointness: folded case and accents, featured artists and bracketed parts cut.</summary>
    public static string ArtistKey(string artist)
    {
        var key = TextFold.Key(artist ?? string.Empty);
        foreach (var cut in new[] { " feat. ", " feat ", " ft. ", " ft ", " featuring ", " (", " [" })
        {
            var at = key.IndexOf(cut, StringComparison.Ordinal);
            if (at > 0)
            {
                key = key[..at];
            }
        }

        return key.Trim();
    }

    /// <summary>Comparison key of a song name: folded, punctuation and spacing ignored ("AM Contra - Heart Peripheral" = "am contra heart peripheral").</summary>
    public static string SongKey(string name)
    {
        var folded = TextFold.Fold(name ?? string.Empty);
        var sb = new StringBuilder(folded.Length);
        foreach (var c in folded)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != ' ')
            {
                sb.Append(' ');
            }
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Reads a forced-test list: one song name per line ("Artist - Title"); blank lines and '#' comments are ignored.</summary>
    public static IReadOnlyList<string> ReadForcedList(string path) =>
        File.ReadAllLines(path).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).ToList();

    /// <summary>Jensen-Shannon divergence in bits between two count distributions over the same keys (0 when either is empty).</summary>
    public static double JensenShannonBits(IReadOnlyDictionary<string, double> p, IReadOnlyDictionary<string, double> q)
    {
        var sp = p.Values.Sum();
        var sq = q.Values.Sum();
        if (sp <= 0 || sq <= 0)
        {
            return 0;
        }

        var js = 0.0;
        foreach (var key in p.Keys.Union(q.Keys))
        {
            var a = p.GetValueOrDefault(key) / sp;
            var b = q.GetValueOrDefault(key) / sq;
            var m = (a + b) / 2;
            if (a > 0)
            {
                js += 0.5 * a * Math.Log2(a / m);
            }

            if (b > 0)
            {
                js += 0.5 * b * Math.Log2(b / m);
            }
        }

        return Math.Max(0, js);
    }

    private static void Improve(Model model, List<Group> free, Random random)
    {
        if (free.Count < 2)
        {
            return;
        }

        var cost = model.Cost();
        var rounds = Math.Min(20000, 40 * free.Count);
        for (var i = 0; i < rounds; i++)
        {
            var g = free[random.Next(free.Count)];
            var from = g.Split;
            if (random.Next(2) == 0)
            {
                var to = (from + 1 + random.Next(2)) % 3;
                model.Remove(g);
                model.Place(g, to);
                var moved = model.Cost();
                if (moved < cost - 1e-12)
                {
                    cost = moved;
                    continue;
                }

                model.Remove(g);
                model.Place(g, from);
            }
            else
            {
                var h = free[random.Next(free.Count)];
                if (h.Split == from)
                {
                    continue;
                }

                var other = h.Split;
                model.Remove(g);
                model.Remove(h);
                model.Place(g, other);
                model.Place(h, from);
                var swapped = model.Cost();
                if (swapped < cost - 1e-12)
                {
                    cost = swapped;
                    continue;
                }

                model.Remove(g);
                model.Remove(h);
                model.Place(g, from);
                model.Place(h, other);
            }
        }
    }

    private static void Shuffle<T>(IList<T> list, Random random)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>The songs of one artist; placed together.</summary>
    private sealed class Group(List<SplitSong> songs)
    {
        public List<SplitSong> Songs { get; } = songs;

        public int Split { get; set; } = -1;

        public int Forced { get; set; }
    }

    /// <summary>Running counts per split and the objective: squared song-fraction error plus weighted genre and instrument divergence.</summary>
    private sealed class Model
    {
        private readonly double[] fractions;
        private readonly double weight;
        private readonly int total;
        private readonly int[] songs = new int[3];
        private readonly Dictionary<string, double>[] genres = [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
        private readonly Dictionary<string, double>[] instruments = [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
        private readonly Dictionary<string, double> allGenres = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double> allInstruments = new(StringComparer.Ordinal);

        public Model(IReadOnlyList<SplitSong> all, double[] fractions, double weight)
        {
            this.fractions = fractions;
            this.weight = weight;
            total = Math.Max(1, all.Count);
            foreach (var s in all)
            {
                Add(allGenres, GenreOf(s), 1);
                foreach (var i in s.Instruments)
                {
                    Add(allInstruments, i, 1);
                }
            }
        }

        public void Place(Group g, int split)
        {
            g.Split = split;
            Update(g, split, 1);
        }

        public void Remove(Group g)
        {
            Update(g, g.Split, -1);
            g.Split = -1;
        }

        public double Cost()
        {
            var cost = 0.0;
            for (var s = 0; s < 3; s++)
            {
                var error = ((double)songs[s] / total) - fractions[s];
                cost += error * error;
                if (songs[s] > 0)
                {
                    cost += weight * fractions[s] * (JensenShannonBits(genres[s], allGenres) + JensenShannonBits(instruments[s], allInstruments));
                }
            }

            return cost;
        }

        public IReadOnlyList<SplitBalance> Balance(List<Group> groups) =>
            Enumerable.Range(0, 3).Select(s =>
            {
                var members = groups.Where(g => g.Split == s).ToList();
                return new SplitBalance(
                    Names[s],
                    songs[s],
                    members.Count,
                    Math.Round(members.SelectMany(g => g.Songs).Sum(x => x.Seconds) / 3600, 4),
                    members.Sum(g => g.Forced),
                    Math.Round((double)songs[s] / total, 4),
                    Math.Round(JensenShannonBits(genres[s], allGenres), 5),
                    Math.Round(JensenShannonBits(instruments[s], allInstruments), 5));
            }).ToList();

        private static string GenreOf(SplitSong s) => string.IsNullOrWhiteSpace(s.Genre) ? "(unknown)" : s.Genre;

        private static void Add(Dictionary<string, double> counts, string key, double delta)
        {
            var value = counts.GetValueOrDefault(key) + delta;
            if (value == 0)
            {
                counts.Remove(key);
            }
            else
            {
                counts[key] = value;
            }
        }

        private void Update(Group g, int split, int sign)
        {
            songs[split] += sign * g.Songs.Count;
            foreach (var s in g.Songs)
            {
                Add(genres[split], GenreOf(s), sign);
                foreach (var i in s.Instruments)
                {
                    Add(instruments[split], i, sign);
                }
            }
        }
    }
}
