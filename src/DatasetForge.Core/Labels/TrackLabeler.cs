using DatasetForge.Hierarchy;

namespace DatasetForge.Labels;

/// <summary>Where a track's label came from.</summary>
public enum LabelSource
{
    /// <summary>An ordered rule of the rules file (or `unknown` when none matched).</summary>
    Rule,

    /// <summary>A curator's correction; always wins over the rules.</summary>
    Manual,
}

/// <summary>
/// The label of one track: the fine label, its level-1 instrument, where it came from, the rule that produced it
/// (empty when none matched), a confidence in [0, 1], and a warning when the rules found nothing.
/// </summary>
public sealed record TrackLabel(
    string SongId,
    string File,
    string Label,
    string Instrument,
    LabelSource Source,
    string Rule,
    double Confidence,
    string? Warning = null);

/// <summary>
/// Labels the tracks of a song from their file names with a <see cref="LabelRuleSet"/>. The first matching rule
/// (in file order) wins. Rules that look at other tracks' labels are evaluated in a second pass against the first
/// pass's labels of the song's other tracks (e.g. "Room" is `Drum_Room` when the song has a drum kit, a bare
/// "Vox" is a backing vocal when another track is explicitly the lead). A track no rule matches is `unknown`
/// with a warning. Pure: the same names give the same labels.
/// </summary>
public sealed class TrackLabeler
{
    private readonly LabelRuleSet rules;
    private readonly HierarchyDefinition? hierarchy;

    /// <param name="rules">the rules (e.g. <see cref="LabelRuleSet.Default"/>)</param>
    /// <param name="hierarchy">when given, the instrument of a label is its level-1 node there; else the rules' vocabulary says</param>
    public TrackLabeler(LabelRuleSet rules, HierarchyDefinition? hierarchy = null)
    {
        this.rules = rules ?? throw new ArgumentNullException(nameof(rules));
        this.hierarchy = hierarchy;
    }

    public LabelRuleSet Rules => rules;

    /// <summary>The level-1 instrument of a fine label (from the hierarchy when one was given).</summary>
    public string InstrumentOf(string label) => hierarchy?.InstrumentOf(label) ?? rules.InstrumentOf(label);

    /// <summary>
    /// Labels every file of one song; the other files are the context. Output order = input order. The artist
    /// (default: the part of an "Artist - Title" song id before " - ") lets <see cref="VocalRoles"/> find the lead
    /// among vocals named after people.
    /// </summary>
    public IReadOnlyList<TrackLabel> LabelSong(string songId, IReadOnlyList<string> fileNames, string? artist = null)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        var names = fileNames.Select(rules.Tokenizer.Tokenize).ToList();
        var wordCounts = Count(names.SelectMany(n => n.WordSet));

        var firstPass = new LabelRule?[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            firstPass[i] = FirstMatch(names[i], wordCounts, null, null, secondPass: false);
        }

        var labelCounts = Count(firstPass.Where(r => r is not null).SelectMany(r => new[] { r!.Label, rules.InstrumentOf(r.Label) }.Distinct()));
        var ruleCounts = Count(firstPass.Where(r => r is not null).Select(r => r!.Id));

        var result = new TrackLabel[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var own = firstPass[i];
            var ownLabels = own is null ? [] : new[] { own.Label, rules.InstrumentOf(own.Label) }.Distinct().ToArray();
            var rule = FirstMatch(names[i], wordCounts, Others(labelCounts, ownLabels), Others(ruleCounts, own is null ? [] : [own.Id]), secondPass: true);
            result[i] = ToLabel(songId, names[i], rule);
        }

        return rules.VocalRoles is { } roles
            ? VocalRoles.Apply(roles, rules.Tokenizer, string.IsNullOrWhiteSpace(artist) ? ArtistOf(songId) : artist, names, result, InstrumentOf)
            : result;
    }

    /// <summary>What the rules see in a name and which rule wins, for `forge label --explain`.</summary>
    public string Explain(string songId, IReadOnlyList<string> fileNames, int index)
    {
        var label = LabelSong(songId, fileNames)[index];
        var name = rules.Tokenizer.Tokenize(fileNames[index]);
        return $"{fileNames[index]}: words {name} -> {label.Label} ({label.Instrument}) by rule '{label.Rule}', confidence {label.Confidence:0.00}"
            + (label.Warning is null ? string.Empty : $"; warning: {label.Warning}");
    }

    /// <summary>"Artist - Title" -> Artist; null for a song id without " - ".</summary>
    private static string? ArtistOf(string songId)
    {
        var cut = songId.IndexOf(" - ", StringComparison.Ordinal);
        return cut > 0 ? songId[..cut] : null;
    }

    private TrackLabel ToLabel(string songId, TokenizedName name, LabelRule? rule)
    {
        if (rule is null)
        {
            var words = name.Words.Count > 0 ? string.Join(' ', name.Words) : "(none)";
            var unknown = name.Unknown.Count > 0 ? $"; not understood: {string.Join(' ', name.Unknown)}" : string.Empty;
            return new TrackLabel(songId, name.File, HierarchyDefinition.Unknown, HierarchyDefinition.Unknown, LabelSource.Rule, string.Empty, 0,
                $"no rule matched (words: {words}{unknown})");
        }

        var confidence = rule.Confidence;
        if (name.Guessed.Count > 0 && rule.OwnWords.Any(name.Guessed.Contains))
        {
            confidence *= 0.85; // the rule relied on a spelling fix
        }

        return new TrackLabel(songId, name.File, rule.Label, InstrumentOf(rule.Label), LabelSource.Rule, rule.Id, Math.Round(confidence, 3));
    }

    private LabelRule? FirstMatch(TokenizedName name, Dictionary<string, int> songWords, Func<string, bool>? songLabel, Func<string, bool>? songRule, bool secondPass)
    {
        foreach (var rule in rules.Rules)
        {
            if (rule.NeedsSongLabels && !secondPass)
            {
                continue;
            }

            if (Matches(rule, name, songWords, songLabel, songRule))
            {
                return rule;
            }
        }

        return null;
    }

    private static bool Matches(LabelRule rule, TokenizedName name, Dictionary<string, int> songWords, Func<string, bool>? songLabel, Func<string, bool>? songRule)
    {
        var words = name.WordSet;
        foreach (var alternatives in rule.All)
        {
            if (!alternatives.Any(words.Contains))
            {
                return false;
            }
        }

        if (rule.Any.Count > 0 && (rule.AnyMin <= 1 ? !rule.Any.Any(words.Contains) : rule.Any.Count(words.Contains) < rule.AnyMin))
        {
            return false;
        }

        if (rule.None.Any(words.Contains))
        {
            return false;
        }

        if (rule.First.Count > 0 && (name.First is null || !rule.First.Contains(name.First)))
        {
            return false;
        }

        bool OtherHasWord(string w) => songWords.TryGetValue(w, out var n) && n - (words.Contains(w) ? 1 : 0) > 0;
        if (rule.SongWords.Count > 0 && !rule.SongWords.Any(OtherHasWord))
        {
            return false;
        }

        if (rule.SongNoWords.Any(OtherHasWord))
        {
            return false;
        }

        if (songLabel is not null)
        {
            if (rule.SongLabels.Count > 0 && !rule.SongLabels.Any(songLabel))
            {
                return false;
            }

            if (rule.SongNoLabels.Any(songLabel))
            {
                return false;
            }
        }

        if (songRule is not null)
        {
            if (rule.SongRules.Count > 0 && !rule.SongRules.Any(songRule))
            {
                return false;
            }

            if (rule.SongNoRules.Any(songRule))
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<string, int> Count(IEnumerable<string> items)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            counts[item] = counts.GetValueOrDefault(item) + 1;
        }

        return counts;
    }

    /// <summary>"Another track of the song has x": the song's count minus this track's own contribution.</summary>
    private static Func<string, bool> Others(Dictionary<string, int> counts, IReadOnlyCollection<string> own) =>
        x => counts.TryGetValue(x, out var n) && n - (own.Contains(x) ? 1 : 0) > 0;
}
