using System.Globalization;
using System.Text;
using DatasetForge.Audio;

namespace DatasetForge.Synth;

/// <summary>What to generate.</summary>
public sealed record SynthOptions(int Songs, int Seed, double Seconds = SynthOptions.DefaultSeconds)
{
    public const double DefaultSeconds = 25;

    /// <summary>Songs generated at once (0 = one per core).</summary>
    public int Parallelism { get; init; }

    /// <summary>Also keep the extracted song folders under DIR/unpacked/.</summary>
    public bool Unpacked { get; init; }

    public void Validate()
    {
        if (Songs is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Songs), Songs, "songs must be between 1 and 10000");
        }

        if (Seconds is < 4 or > 600 || !double.IsFinite(Seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(Seconds), Seconds, "seconds must be between 4 and 600");
        }
    }
}

/// <summary>
/// Library-level choices from the master seed: artists (several with more than one song), titles, genres, each
/// song's format, which songs get injected bleed or a doubled vocal, where the defective files go, and which
/// archive is broken.
/// </summary>
public static class LibraryPlanner
{
    private static readonly string[] FirstNames = ["Mara", "Jonas", "Eliza", "Theo", "Nina", "Felix", "Ruth", "Oscar", "Zoë", "Andrés", "Léa", "Tomasz", "Ingrid", "Malik", "Sanne", "Keiko"];
    private static readonly string[] LastNames = ["Quinn", "Hartley", "Okafor", "Lindqvist", "Moreau", "Castellano", "Novak", "Brennan", "Sato", "Whitfield", "Duarte", "Keller"];
    private static readonly string[] Adjectives = ["Velvet", "Hollow", "Electric", "Silver", "Quiet", "Burning", "Paper", "Midnight", "Golden", "Crooked", "Lunar", "Wild", "Static", "Amber"];
    private static readonly string[] Nouns = ["Foxes", "Lanterns", "Engines", "Harbours", "Satellites", "Wolves", "Mirrors", "Pilots", "Rivers", "Ghosts", "Orchards", "Signals", "Comets", "Tides"];
    private static readonly string[] TitleNouns = ["Heart", "Road", "Summer", "Window", "River", "Fire", "Letter", "Morning", "City", "Shadow", "Garden", "Wire", "Ocean", "Promise", "Engine", "Crown"];
    private static readonly string[] TitleWords = ["Falling", "Burning", "Waiting", "Running", "Lost", "Broken", "Golden", "Hollow", "Slow", "Bright", "Last", "Secret", "Distant", "Restless"];

    public static IReadOnlyList<SongInfo> Plan(SynthOptions options)
    {
        options.Validate();
        var rng = SynthSeed.Rng(options.Seed, "library", options.Songs.ToString(CultureInfo.InvariantCulture));
        var n = options.Songs;

        // Songs per artist: the first two artists get two songs each when there are enough songs.
        var counts = new List<int>();
        var left = n;
        while (left > 0)
        {
            var c = counts.Count < 2 && n >= 2 * (counts.Count + 1) ? 2 : 1 + rng.PickWeighted([50, 35, 15]);
            c = Math.Min(c, left);
            counts.Add(c);
            left -= c;
        }

        var usedArtists = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var usedTitles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var songs = new List<(string Artist, string Title, string Broad, string Sub)>();
        foreach (var c in counts)
        {
            string artist;
            do
            {
                artist = ArtistName(rng);
            }
            while (!usedArtists.Add(artist));

            var genre = Genres.All[rng.PickWeighted(Genres.All.Select(g => g.Weight).ToArray())];
            var sub = rng.Pick(genre.Sub);
            for (var i = 0; i < c; i++)
            {
                string title;
                do
                {
                    title = TitleName(rng);
                }
                while (!usedTitles.Add(title));

                songs.Add((artist, title, genre.Broad, sub));
            }
        }

        // Index order, as on the site: by broad genre, then artist.
        var genreOrder = Genres.All.Select(g => g.Broad).ToList();
        songs = songs.OrderBy(s => genreOrder.IndexOf(s.Broad)).ThenBy(s => s.Artist, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Title, StringComparer.Ordinal).ToList();

        var broken = n >= 2 ? rng.Next(1, n) : -1;
        var inject = Enumerable.Range(0, n).Select(_ => rng.Chance(0.7)).ToArray();
        var doubled = Enumerable.Range(0, n).Select(_ => rng.Chance(0.35)).ToArray();
        var healthy = Enumerable.Range(0, n).Where(i => i != broken).ToList();
        if (!healthy.Any(i => inject[i]))
        {
            inject[rng.Pick(healthy)] = true;
        }

        if (n >= 2 && !healthy.Any(i => doubled[i]))
        {
            doubled[rng.Pick(healthy)] = true;
        }

        var defects = Enumerable.Range(0, n).Select(_ => new List<DefectKind>()).ToArray();
        var defectCount = Math.Max(Math.Min(healthy.Count, 4), n / 4);
        var kindOffset = rng.Next(4);
        for (var d = 0; d < defectCount; d++)
        {
            defects[rng.Pick(healthy)].Add((DefectKind)((d + kindOffset) % 4));
        }

        var result = new List<SongInfo>();
        for (var i = 0; i < n; i++)
        {
            var (artist, title, broad, sub) = songs[i];
            var rate = new[] { 44100, 48000, 96000 }[rng.PickWeighted([50, 38, 12])];
            var encoding = new[] { SampleEncoding.Pcm24, SampleEncoding.Pcm16, SampleEncoding.Float32 }[rng.PickWeighted([55, 30, 15])];
            var edited = rng.Chance(0.1);
            var kind = edited ? "Edited" : "Full";
            var previewKind = rng.Chance(0.7) ? "Full" : "Excerpt";
            var archive = $"archives/{Compact(artist)}_{Compact(title)}_{kind}.zip";
            var preview = $"previews/{Compact(title)}_{previewKind}_Preview.mp3";
            result.Add(new SongInfo(i, artist, title, broad, sub, archive, preview, kind, previewKind + " Preview", rate, encoding, inject[i], doubled[i], defects[i],
                i == broken));
        }

        return result;
    }

    /// <summary>"I'm Coming Home" -> "ImComingHome"; accents folded ("Andrés" -> "Andres"), ASCII letters and digits only (archive names on the site).</summary>
    public static string Compact(string text)
    {
        var sb = new StringBuilder();
        var upper = true;
        foreach (var c in text)
        {
            if (c == '\'')
            {
                continue;
            }

            var folded = FoldAccent(c);
            if (folded.Length > 0 && folded.All(char.IsAsciiLetterOrDigit))
            {
                sb.Append(upper ? char.ToUpperInvariant(folded[0]) + folded[1..] : folded);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        return sb.ToString();
    }

    /// <summary>The ASCII spelling of a Latin letter with diacritics (this build runs with invariant globalization, so no Unicode decomposition).</summary>
    public static string FoldAccent(char c)
    {
        const string from = "àáâãäåāąèéêëēęìíîïīòóôõöøōùúûüūýÿçćčñńłśšźżžřďťÀÁÂÃÄÅĀĄÈÉÊËĒĘÌÍÎÏĪÒÓÔÕÖØŌÙÚÛÜŪÝÇĆČÑŃŁŚŠŹŻŽŘĎŤ";
        const string to = "aaaaaaaaeeeeeeiiiiiooooooouuuuuyycccnnlsszzzrdtAAAAAAAAEEEEEEIIIIIOOOOOOOUUUUUYCCCNNLSSZZZRDT";
        var i = from.IndexOf(c, StringComparison.Ordinal);
        return i >= 0 ? to[i].ToString() : c switch
        {
            'ß' => "ss",
            'æ' => "ae",
            'Æ' => "AE",
            'œ' => "oe",
            'Œ' => "OE",
            _ => c.ToString(),
        };
    }

    /// <summary>A folder name that every file system accepts (keeps unicode, drops / \ : * ? " &lt; &gt; |).</summary>
    public static string SafeFolder(string text) => new(text.Where(c => !"/\\:*?\"<>|".Contains(c)).ToArray());

    private static string ArtistName(Random rng) => rng.PickWeighted([35, 30, 20, 15]) switch
    {
        0 => $"The {rng.Pick(Adjectives)} {rng.Pick(Nouns)}",
        1 => $"{rng.Pick(FirstNames)} {rng.Pick(LastNames)}",
        2 => $"{rng.Pick(Adjectives)} {rng.Pick(Nouns)}",
        _ => $"{rng.Pick(FirstNames)} & The {rng.Pick(Nouns)}",
    };

    private static string TitleName(Random rng) => rng.PickWeighted([35, 20, 20, 15, 10]) switch
    {
        0 => $"{rng.Pick(TitleWords)} {rng.Pick(TitleNouns)}",
        1 => $"{rng.Pick(TitleNouns)} Of {rng.Pick(TitleNouns)}s",
        2 => $"The {rng.Pick(TitleNouns)}",
        3 => $"{rng.Pick(TitleNouns)}'s {rng.Pick(TitleWords)}",
        _ => $"{rng.Pick(["Don't", "I'm", "We're", "You're"])} {rng.Pick(TitleWords)}",
    };
}
