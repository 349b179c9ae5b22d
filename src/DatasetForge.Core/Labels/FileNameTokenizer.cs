using System.Collections.Frozen;
using System.Text.RegularExpressions;
using DatasetForge.Common;

namespace DatasetForge.Labels;

/// <summary>The `tokenizer` section of a label-rules file.</summary>
public sealed record TokenizerOptions
{
    /// <summary>Audio file extensions stripped from names (without the dot).</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];

    /// <summary>Abbreviation (lower case) -> canonical word(s), space separated: "vox" -> "vocal", "bvs" -> "backing vocal".</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Abbreviations (lower case) that count only when a number follows directly: "t" -> "tom" reads "T1", "T2" as
    /// toms while a lone "T" (as in "TIm amp" or "Don't") stays unknown.
    /// </summary>
    public IReadOnlyDictionary<string, string> NumberedAliases { get; init; } = new Dictionary<string, string>();

    /// <summary>Sequence of raw tokens (space separated) -> canonical word(s): "hi hat" -> "hihat", "e guitar" -> "electric guitar".</summary>
    public IReadOnlyDictionary<string, string> Phrases { get; init; } = new Dictionary<string, string>();

    /// <summary>Known words that name no instrument (channel, take, mic position...): recognised, but never the "first" word.</summary>
    public IReadOnlyList<string> Noise { get; init; } = [];

    /// <summary>Microphone, preamp and console names; each becomes the word <see cref="GearWord"/>.</summary>
    public IReadOnlyList<string> Gear { get; init; } = [];

    /// <summary>A regex (lower case) for model numbers such as "m80", "u47", "ar70"; only when its letters are not a known word.</summary>
    public string? GearPattern { get; init; }

    /// <summary>Unknown tokens at least this long may be split into known words ("leadvox" -> lead vocal).</summary>
    public int SegmentMinLength { get; init; } = 5;

    /// <summary>Unknown tokens at least this long may match a known word one edit away ("gutiar" -> guitar).</summary>
    public int FuzzyMinLength { get; init; } = 5;
}

/// <summary>A file name as the rules see it.</summary>
/// <param name="File">the name as given</param>
/// <param name="Words">canonical words in order</param>
/// <param name="WordSet">the same as a set</param>
/// <param name="First">the first word that names something (not noise, not gear), or null</param>
/// <param name="Unknown">raw tokens no word, alias, phrase or spelling fix explains</param>
/// <param name="Guessed">words found only by the one-edit spelling fix (rules that use them lose confidence)</param>
public sealed record TokenizedName(
    string File,
    IReadOnlyList<string> Words,
    IReadOnlySet<string> WordSet,
    string? First,
    IReadOnlyList<string> Unknown,
    IReadOnlySet<string> Guessed)
{
    public override string ToString() =>
        $"[{string.Join(' ', Words)}]" + (Unknown.Count > 0 ? $" unknown: {string.Join(' ', Unknown)}" : string.Empty)
        + (Guessed.Count > 0 ? $" guessed: {string.Join(' ', Guessed)}" : string.Empty);
}

/// <summary>
/// Turns an engineer's file name into canonical words: strips the audio extension and accents (NFC and NFD alike),
/// splits at separators, camelCase and letter/digit boundaries ("03_ElecGtr2DI.L.wav" -> elec gtr di l), drops
/// numbers (track numbers, takes), joins phrases ("Hi-Hat" -> hihat), expands abbreviations (gtr -> guitar),
/// folds plurals, splits run-together words ("LEADVOX") and fixes one-letter typos ("EGutiar"). '&' and '+' read as the
/// words "and" and "plus" ("AcGtr+Vox"), so rules can see that a name joins two sources. Pure and thread-safe.
/// </summary>
public sealed class FileNameTokenizer
{
    public const string GearWord = "gear";

    private readonly FrozenSet<string> extensions;
    private readonly FrozenDictionary<string, string[]> aliases;
    private readonly FrozenDictionary<string, string[]> phrases;
    private readonly FrozenDictionary<string, string[]> numberedAliases;
    private readonly int longestPhrase;
    private readonly FrozenSet<string> noise;
    private readonly FrozenSet<string> gear;
    private readonly Regex? gearPattern;
    private readonly FrozenSet<string> known;
    private readonly string[] fuzzyCandidates;
    private readonly int segmentMin;
    private readonly int fuzzyMin;

    public FileNameTokenizer(TokenizerOptions options, IEnumerable<string> ruleWords)
    {
        ArgumentNullException.ThrowIfNull(options);
        extensions = options.Extensions.Select(e => e.TrimStart('.').ToLowerInvariant()).ToFrozenSet(StringComparer.Ordinal);
        aliases = options.Aliases.ToFrozenDictionary(kv => kv.Key.ToLowerInvariant(), kv => SplitWords(kv.Value), StringComparer.Ordinal);
        phrases = options.Phrases
            .GroupBy(kv => string.Join(' ', SplitWords(kv.Key).Select(PhraseForm)), StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => SplitWords(g.First().Value), StringComparer.Ordinal); // "ad lib" and "ad libs" are one phrase
        numberedAliases = options.NumberedAliases.ToFrozenDictionary(kv => kv.Key.ToLowerInvariant(), kv => SplitWords(kv.Value), StringComparer.Ordinal);
        longestPhrase = phrases.Count == 0 ? 0 : phrases.Keys.Max(k => k.Split(' ').Length);
        noise = options.Noise.Select(w => w.ToLowerInvariant()).ToFrozenSet(StringComparer.Ordinal);
        gear = options.Gear.Select(w => w.ToLowerInvariant()).ToFrozenSet(StringComparer.Ordinal);
        gearPattern = string.IsNullOrEmpty(options.GearPattern) ? null : new Regex(options.GearPattern, RegexOptions.CultureInvariant);
        segmentMin = options.SegmentMinLength;
        fuzzyMin = options.FuzzyMinLength;

        var content = new HashSet<string>(ruleWords, StringComparer.Ordinal);
        foreach (var words in aliases.Values.Concat(phrases.Values).Concat(numberedAliases.Values))
        {
            content.UnionWith(words);
        }

        content.ExceptWith(noise);
        content.Remove(GearWord);
        var all = new HashSet<string>(content, StringComparer.Ordinal);
        all.UnionWith(aliases.Keys);
        all.UnionWith(noise);
        all.UnionWith(gear);
        all.UnionWith(options.Phrases.Keys.SelectMany(SplitWords));
        known = all.ToFrozenSet(StringComparer.Ordinal);
        fuzzyCandidates = content.Concat(aliases.Keys).Where(w => w.Length >= fuzzyMin && !noise.Contains(w)).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Audio file extensions (lower case, no dot) that are stripped from names and that mark audio files.</summary>
    public IReadOnlySet<string> Extensions => extensions;

    /// <summary>Every word a file name can produce (canonical words, aliases, noise, gear).</summary>
    public IReadOnlySet<string> KnownWords => known;

    /// <summary>True for the canonical words that name nothing (noise) or equipment (gear).</summary>
    public bool IsNoise(string word) => noise.Contains(word) || word == GearWord;

    /// <summary>The canonical word(s) an abbreviation stands for, or null when it is not an abbreviation.</summary>
    public IReadOnlyList<string>? AliasOf(string word) => aliases.TryGetValue(word, out var words) ? words : null;

    public TokenizedName Tokenize(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = StripExtension(BaseName(fileName));
        var raw = new List<string>();
        var joined = TextFold.StripAccents(name).Replace("&", " and ", StringComparison.Ordinal).Replace("+", " plus ", StringComparison.Ordinal);
        foreach (var chunk in Chunks(joined))
        {
            var lower = chunk.ToLowerInvariant();
            if (known.Contains(lower) || IsGear(lower) || Singular(lower) is not null)
            {
                raw.Add(lower);
                continue;
            }

            var parts = JoinSplitAbbreviations(SplitCamel(chunk));
            for (var k = 0; k < parts.Count; k++)
            {
                var p = parts[k].ToLowerInvariant();
                if (p.All(char.IsAsciiDigit) && !known.Contains(p))
                {
                    continue; // track numbers, take numbers, dates
                }

                if (k + 1 < parts.Count && char.IsAsciiDigit(parts[k + 1][0]) && numberedAliases.TryGetValue(p, out var numbered))
                {
                    raw.AddRange(numbered); // "T1" -> tom (the expansion is canonical, so it passes through unchanged)
                    continue;
                }

                raw.Add(p);
            }
        }

        var words = new List<string>();
        var unknown = new List<string>();
        var guessed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < raw.Count;)
        {
            var matched = false;
            for (var n = Math.Min(longestPhrase, raw.Count - i); n >= 2 && !matched; n--)
            {
                if (phrases.TryGetValue(string.Join(' ', raw.Skip(i).Take(n).Select(PhraseForm)), out var replacement))
                {
                    words.AddRange(replacement);
                    i += n;
                    matched = true;
                }
            }

            if (matched)
            {
                continue;
            }

            var token = raw[i++];
            var (canonical, wasGuessed) = Canonicalize(token);
            if (canonical is null)
            {
                unknown.Add(token);
                continue;
            }

            words.AddRange(canonical);
            if (wasGuessed)
            {
                guessed.UnionWith(canonical);
            }
        }

        var first = words.FirstOrDefault(w => !noise.Contains(w) && w != GearWord);
        return new TokenizedName(fileName, words, words.ToHashSet(StringComparer.Ordinal), first, unknown, guessed);
    }

    /// <summary>
    /// The take number a name carries ("VOX 2- M80" -> 2, "Vocals-Vocal3-M81" -> 3, "44_Vox2DT" -> 2), or null: the first
    /// number after the leading track number that is not part of a microphone or preamp model ("M80", "U47").
    /// </summary>
    public int? TakeNumber(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var chunks = Chunks(TextFold.StripAccents(StripExtension(BaseName(fileName)))).ToList();
        for (var c = 0; c < chunks.Count; c++)
        {
            var chunk = chunks[c];
            if ((c == 0 && chunks.Count > 1 && chunk.All(char.IsAsciiDigit)) || IsGear(chunk.ToLowerInvariant()))
            {
                continue; // the track number; a model number
            }

            var parts = SplitCamel(chunk);
            for (var k = c == 0 ? 1 : 0; k < parts.Count; k++)
            {
                if (parts[k].All(char.IsAsciiDigit) && parts[k].Length <= 3)
                {
                    return int.Parse(parts[k], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        return null;
    }

    /// <summary>The file name without folders ('/' and '\' both separate).</summary>
    public static string BaseName(string path)
    {
        var cut = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        return cut >= 0 ? path[(cut + 1)..] : path;
    }

    private string StripExtension(string name)
    {
        var dot = name.LastIndexOf('.');
        return dot > 0 && extensions.Contains(name[(dot + 1)..].ToLowerInvariant()) ? name[..dot] : name;
    }

    private static IEnumerable<string> Chunks(string name)
    {
        var start = -1;
        for (var i = 0; i <= name.Length; i++)
        {
            var inWord = i < name.Length && char.IsLetterOrDigit(name[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                yield return name[start..i];
                start = -1;
            }
        }
    }

    /// <summary>"ElecGtr2DI" -> Elec, Gtr, 2, DI; "DTWhisper" -> DT, Whisper; "HIHAT" stays whole.</summary>
    internal static List<string> SplitCamel(string chunk)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 1; i < chunk.Length; i++)
        {
            char prev = chunk[i - 1], cur = chunk[i];
            var boundary = char.IsDigit(prev) != char.IsDigit(cur)
                || (char.IsLower(prev) && char.IsUpper(cur))
                || (char.IsUpper(prev) && char.IsUpper(cur) && i + 1 < chunk.Length && char.IsLower(chunk[i + 1]));
            if (boundary)
            {
                parts.Add(chunk[start..i]);
                start = i;
            }
        }

        parts.Add(chunk[start..]);
        return parts;
    }

    /// <summary>
    /// Re-joins neighbouring camelCase pieces that the split tore out of one abbreviation: "LowBVs" splits as Low, B,
    /// Vs and "BkV1" as Bk, V, 1, but "bvs" and "bkv" are abbreviations. Two letter pieces are joined when one of them
    /// has at most two letters (a fragment, not a word) and together they spell an abbreviation of the aliases.
    /// </summary>
    internal List<string> JoinSplitAbbreviations(List<string> parts)
    {
        for (var k = 0; k + 1 < parts.Count; k++)
        {
            var (a, b) = (parts[k], parts[k + 1]);
            if (char.IsLetter(a[0]) && char.IsLetter(b[0]) && Math.Min(a.Length, b.Length) <= 2
                && IsAlias((a + b).ToLowerInvariant()))
            {
                parts[k] = a + b;
                parts.RemoveAt(k + 1);
            }
        }

        return parts;
    }

    private bool IsAlias(string token) => aliases.ContainsKey(token) || (token.Length > 2 && token.EndsWith('s') && aliases.ContainsKey(token[..^1]));

    private bool IsGear(string token)
    {
        if (gear.Contains(token))
        {
            return true;
        }

        if (gearPattern is null || !gearPattern.IsMatch(token))
        {
            return false;
        }

        var letters = new string(token.TakeWhile(char.IsLetter).ToArray());
        return (!known.Contains(letters) && Singular(letters) is null) || gear.Contains(letters); // "Toms01" is toms, "M80" a mic
    }

    private (string[]? Words, bool Guessed) Canonicalize(string token)
    {
        var direct = Direct(token);
        if (direct is not null)
        {
            return (direct, false);
        }

        if (IsGear(token))
        {
            return ([GearWord], false);
        }

        var singular = Singular(token);
        if (singular is not null)
        {
            return (singular, false);
        }

        if (token.Length >= segmentMin)
        {
            var pieces = Segment(token);
            if (pieces is not null)
            {
                return (pieces, false);
            }
        }

        var fuzzy = Fuzzy(token) ?? (token.Length > fuzzyMin && token.EndsWith('s') ? Fuzzy(token[..^1]) : null); // "Euphoniiums"
        return fuzzy is null ? (null, false) : (fuzzy, true);
    }

    /// <summary>The known word one edit away from the token (a typo), or null when there is none or two that differ.</summary>
    private string[]? Fuzzy(string token)
    {
        if (token.Length >= fuzzyMin && token.Any(char.IsLetter))
        {
            string? match = null;
            foreach (var candidate in fuzzyCandidates)
            {
                if (Math.Abs(candidate.Length - token.Length) <= 1 && WithinOneEdit(token, candidate))
                {
                    if (match is not null && !SameMeaning(match, candidate))
                    {
                        return null; // two candidates: do not guess
                    }

                    match ??= candidate;
                }
            }

            if (match is not null)
            {
                return Direct(match);
            }
        }

        return null;
    }

    private bool SameMeaning(string a, string b) => (Direct(a) ?? [a]).SequenceEqual(Direct(b) ?? [b]);

    private string[]? Direct(string token)
    {
        if (aliases.TryGetValue(token, out var expanded))
        {
            return expanded;
        }

        if (gear.Contains(token))
        {
            return [GearWord];
        }

        return known.Contains(token) ? [token] : null;
    }

    private string[]? Singular(string token)
    {
        if (token.Length > 2 && token.EndsWith('s'))
        {
            return Direct(token[..^1]) ?? (token.EndsWith("es", StringComparison.Ordinal) ? Direct(token[..^2]) : null)
                ?? (token.EndsWith("ies", StringComparison.Ordinal) ? Direct(token[..^3] + "y") : null);
        }

        return null;
    }

    /// <summary>Splits a run-together token into the fewest known words (each at least 2 letters), or null.</summary>
    private string[]? Segment(string token)
    {
        var n = token.Length;
        var best = new int[n + 1];
        var from = new int[n + 1];
        Array.Fill(best, int.MaxValue);
        best[0] = 0;
        for (var end = 2; end <= n; end++)
        {
            for (var start = end - 2; start >= 0; start--)
            {
                if (best[start] == int.MaxValue || best[start] + 1 >= best[end])
                {
                    continue;
                }

                var piece = token[start..end];
                if (Direct(piece) is not null || Singular(piece) is not null)
                {
                    best[end] = best[start] + 1;
                    from[end] = start;
                }
            }
        }

        if (best[n] == int.MaxValue || best[n] < 2)
        {
            return null;
        }

        var pieces = new List<string>();
        for (var end = n; end > 0; end = from[end])
        {
            pieces.Add(token[from[end]..end]);
        }

        pieces.Reverse();
        return pieces.SelectMany(p => Direct(p) ?? Singular(p)!).ToArray();
    }

    /// <summary>Damerau-Levenshtein distance at most 1 (one insertion, deletion, substitution or swap of neighbours).</summary>
    internal static bool WithinOneEdit(string a, string b)
    {
        if (a == b)
        {
            return true;
        }

        if (a.Length == b.Length)
        {
            var diff = new List<int>();
            for (var i = 0; i < a.Length && diff.Count <= 2; i++)
            {
                if (a[i] != b[i])
                {
                    diff.Add(i);
                }
            }

            return diff.Count == 1
                || (diff.Count == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]);
        }

        var (shorter, longer) = a.Length < b.Length ? (a, b) : (b, a);
        if (longer.Length - shorter.Length != 1)
        {
            return false;
        }

        var k = 0;
        while (k < shorter.Length && shorter[k] == longer[k])
        {
            k++;
        }

        return shorter.AsSpan(k).SequenceEqual(longer.AsSpan(k + 1));
    }

    /// <summary>Phrases match regardless of a plural 's' ("French Horns", "Hi Hats").</summary>
    private static string PhraseForm(string token) => token.Length > 3 && token.EndsWith('s') ? token[..^1] : token;

    private static string[] SplitWords(string text) =>
        text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
