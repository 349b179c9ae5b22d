using DatasetForge.Common;

namespace DatasetForge.Labels;

/// <summary>
/// The `vocal_roles` section of a label-rules file: which rules give a vocal the lead without a role word in its name
/// ("Vox 3", "Vocals-Amy"), the lead and backing labels, and how many numbered such vocals make a lead with its
/// harmonies.
/// </summary>
public sealed record VocalRoleOptions
{
    /// <summary>Ids of the rules that label a vocal as the lead only because nothing in the song says otherwise.</summary>
    public required IReadOnlySet<string> RolelessRules { get; init; }

    public required string LeadLabel { get; init; }

    public required string BackingLabel { get; init; }

    /// <summary>Fewest distinct take numbers among the role-less vocals for <see cref="VocalRoles"/>' numbered rule.</summary>
    public int NumberedMin { get; init; } = 3;

    /// <summary>Most distinct take numbers for the numbered rule (more are usually comped takes of the lead).</summary>
    public int NumberedMax { get; init; } = 4;
}

/// <summary>
/// Song-level lead vs backing for vocals whose names carry no role, after the rules ran. Two rules, both only among
/// the tracks <see cref="VocalRoleOptions.RolelessRules"/> labelled as the lead (so never against a role word such as
/// "Lead", "BV", "Harmony"):
/// <list type="number">
/// <item>Named after the artist: when some of them carry a word of the artist's name that no vocabulary explains
/// ("Vocals-Amy" in "Amy Helm &amp; The Handsome Strangers") and others do not, the artist's track is the lead and
/// the others ("Vocals-Byron", "Vocals-Dan") are backing (rule `vocal-roles-artist`).</item>
/// <item>A few numbered takes: when every one of them carries a take number ("VOX 1", "Vocals-2-M80", "Vox3DT")
/// and there are <see cref="VocalRoleOptions.NumberedMin"/> to <see cref="VocalRoleOptions.NumberedMax"/> distinct
/// numbers, the lowest number is the lead and the higher ones are its harmonies (rule `vocal-roles-numbered`). Two
/// numbered vocals split either way in the development set, and larger groups are mostly comped takes of the lead,
/// so those stay as the rules said.</item>
/// </list>
/// Pure and independent of the order of the files.
/// </summary>
public static class VocalRoles
{
    public const string ArtistRule = "vocal-roles-artist";
    public const string NumberedRule = "vocal-roles-numbered";

    /// <summary>
    /// Returns <paramref name="labels"/> with the role-less vocals re-decided (the same list when nothing changes).
    /// </summary>
    /// <param name="artist">the song's artist (null or empty: the artist rule does not apply)</param>
    /// <param name="names">the tokenized file names, parallel to <paramref name="labels"/></param>
    /// <param name="labels">the rules' labels of the song's tracks</param>
    /// <param name="instrumentOf">fine label -> level-1 instrument</param>
    public static IReadOnlyList<TrackLabel> Apply(
        VocalRoleOptions options,
        FileNameTokenizer tokenizer,
        string? artist,
        IReadOnlyList<TokenizedName> names,
        IReadOnlyList<TrackLabel> labels,
        Func<string, string> instrumentOf)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(instrumentOf);

        var roleless = Enumerable.Range(0, labels.Count)
            .Where(i => labels[i].Source == LabelSource.Rule && labels[i].Label == options.LeadLabel && options.RolelessRules.Contains(labels[i].Rule))
            .ToList();
        if (roleless.Count < 2)
        {
            return labels;
        }

        var result = labels.ToArray();
        TrackLabel Relabel(int i, string label, string rule, double confidence) =>
            result[i] with { Label = label, Instrument = instrumentOf(label), Rule = rule, Confidence = confidence };

        var artistWords = ArtistWords(artist, tokenizer);
        var named = roleless.Where(i => names[i].Unknown.Any(artistWords.Contains)).ToList();
        if (named.Count > 0 && named.Count < roleless.Count)
        {
            foreach (var i in roleless)
            {
                result[i] = named.Contains(i) ? Relabel(i, options.LeadLabel, ArtistRule, 0.75) : Relabel(i, options.BackingLabel, ArtistRule, 0.65);
            }

            return result;
        }

        var numbers = roleless.Select(i => (Index: i, Number: tokenizer.TakeNumber(labels[i].File))).ToList();
        if (numbers.All(n => n.Number is not null))
        {
            var distinct = numbers.Select(n => n.Number!.Value).Distinct().Order().ToList();
            if (distinct.Count >= options.NumberedMin && distinct.Count <= options.NumberedMax)
            {
                foreach (var (i, number) in numbers)
                {
                    result[i] = number == distinct[0] ? Relabel(i, options.LeadLabel, NumberedRule, 0.6) : Relabel(i, options.BackingLabel, NumberedRule, 0.6);
                }

                return result;
            }
        }

        return labels;
    }

    /// <summary>The words of an artist's name that could name a person in a file name (3+ letters, no vocabulary word).</summary>
    internal static IReadOnlySet<string> ArtistWords(string? artist, FileNameTokenizer tokenizer)
    {
        if (string.IsNullOrWhiteSpace(artist))
        {
            return new HashSet<string>();
        }

        var folded = TextFold.StripAccents(artist).ToLowerInvariant();
        return new string(folded.Select(c => char.IsLetter(c) ? c : ' ').ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length >= 3 && !tokenizer.KnownWords.Contains(w))
            .ToHashSet(StringComparer.Ordinal);
    }
}
