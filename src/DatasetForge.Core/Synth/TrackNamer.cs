using System.Globalization;
using System.Text;

namespace DatasetForge.Synth;

/// <summary>How an engineer named a session's files. One style per song.</summary>
public enum NamingStyle
{
    /// <summary>"01_KickIn.wav", "12_ElecGtr2Amp.wav" (track number, CamelCase).</summary>
    NumberedCamel,

    /// <summary>"1-Kick In.wav", "14-Gtr 1 Amp.wav".</summary>
    NumberedDash,

    /// <summary>"Drums-Kick Out-M81.wav", "Bass-DI.wav" (group, name, microphone).</summary>
    GroupMic,

    /// <summary>"KICK IN - BETA52 - NEVE 1073.wav" (console style, upper case).</summary>
    UpperConsole,

    /// <summary>"Kik In.wav", "Snr Top.wav", "OH L.wav", "LdVox.wav", "BV1.wav" (abbreviations).</summary>
    Abbreviated,

    /// <summary>"Kick In_03.wav", "Lead Vox_12.wav" (DAW take numbers).</summary>
    DawTake,

    /// <summary>"kickIn.wav", "leadVoxDbl.wav" (lower camelCase).</summary>
    LowerCamel,

    /// <summary>"KikIn_CONS.wav", "BV2D_CONS.wav" (consolidated regions).</summary>
    Consolidated,
}

/// <summary>The naming facts of one track: what it is (a key into the name tables), its number among tracks of that key, and a qualifier.</summary>
internal sealed record TrackName(string Key, int Number, string? Qualifier, string? Performer = null);

/// <summary>
/// Makes realistic file names from tables of long names and abbreviations per track kind, rendered in the song's
/// <see cref="NamingStyle"/>; the choices (which synonym, which microphone) are drawn once per song.
/// </summary>
internal sealed class TrackNamer
{
    private sealed record Names(string Group, string[] Long, string[] Short, string[] Mics);

    private static readonly string[] DrumMics = ["M81", "M80", "Beta52", "D112", "SM57", "MD421", "e604", "C414", "KM184"];
    private static readonly string[] VoxMics = ["U87", "U47", "M81", "SM7B", "C414", "TLM103", "CU29"];
    private static readonly string[] InstMics = ["SM57", "R121", "MD421", "U87", "KM184", "C414", "AT4050", "M60"];
    private static readonly string[] AmbMics = ["AR51", "C414", "M50", "KM184", "U87"];
    private static readonly string[] Preamps = ["Neve 1073", "API 512", "SSL 4000E", "Neve 33102", "API 1608", "Chandler TG2"];

    private static readonly Dictionary<string, Names> Table = new()
    {
        ["kick"] = new("Drums", ["Kick", "Kick Drum", "Bass Drum", "BassDrum"], ["Kik", "Kick", "BD", "Kck"], DrumMics),
        ["snare"] = new("Drums", ["Snare", "Snare Drum"], ["Snr", "SN", "Sn"], DrumMics),
        ["hihat"] = new("Drums", ["HiHat", "Hi Hat", "Hat", "Hihat"], ["HH", "Hat", "HHat"], DrumMics),
        ["tom"] = new("Drums", ["Tom", "Tom", "Rack Tom"], ["Tom", "T", "Tom"], DrumMics),
        ["floortom"] = new("Drums", ["Floor Tom", "FloorTom"], ["FT", "FlrTom", "FTom"], DrumMics),
        ["ride"] = new("Drums", ["Ride", "Ride Cymbal"], ["Ride", "Ride"], DrumMics),
        ["overheads"] = new("Drums", ["Overheads", "Overhead", "OH"], ["OH", "OHs", "OH"], AmbMics),
        ["drumroom"] = new("Drums", ["Drum Room", "Drums Room", "Kit Room", "Room Drums"], ["DrmRoom", "Drum Rm", "Kit Rm"], AmbMics),
        ["loop"] = new("Drums", ["Loop", "Drum Loop", "Beat Loop"], ["Loop", "DrmLoop", "Loops"], ["DI"]),
        ["kicktrigger"] = new("Drums", ["Kick Trigger", "Kick Trig", "KickTrigger"], ["Kik Trig", "KickTrig", "K Trig"], ["DI"]),
        ["click"] = new("Misc", ["Click", "Click Track", "Metronome"], ["Click", "Clk", "Click"], ["DI"]),
        ["shaker"] = new("Perc", ["Shaker", "Shakers"], ["Shkr", "Shaker", "Shk"], InstMics),
        ["tambourine"] = new("Perc", ["Tambourine", "Tamb", "Tambo"], ["Tamb", "Tmb", "Tambo"], InstMics),
        ["conga"] = new("Perc", ["Congas", "Conga"], ["Conga", "Congas", "Cga"], InstMics),
        ["bongo"] = new("Perc", ["Bongos", "Bongo"], ["Bongo", "Bongos", "Bngo"], InstMics),
        ["claps"] = new("Perc", ["Claps", "Handclaps", "Clap"], ["Clap", "Claps", "HClap"], ["DI"]),
        ["marimba"] = new("Perc", ["Marimba"], ["Marimba", "Marim", "Mar"], InstMics),
        ["glock"] = new("Perc", ["Glockenspiel", "Glock", "Bells"], ["Glock", "Bells", "Glock"], InstMics),
        ["bass"] = new("Bass", ["Bass", "Bass Guitar", "Electric Bass"], ["Bs", "Bass", "Bs"], ["DI", "D112", "RE20", "MD421"]),
        ["synthbass"] = new("Bass", ["Synth Bass", "SubBass", "Bass Synth"], ["SynBs", "Syn Bass", "SubBs"], ["DI"]),
        ["upright"] = new("Bass", ["Upright Bass", "Double Bass", "Contrabass"], ["UpBs", "DblBass", "Upright"], ["U47", "KM184", "DI"]),
        ["egtr"] = new("Guitars", ["Elec Gtr", "Electric Guitar", "Guitar", "ElecGtr"], ["EGtr", "EG", "Gtr"], InstMics),
        ["leadgtr"] = new("Guitars", ["Lead Gtr", "Lead Guitar", "Solo Gtr"], ["LdGtr", "Ld Gtr", "SoloGtr"], InstMics),
        ["agtr"] = new("Guitars", ["Acoustic Gtr", "Acoustic Guitar", "Ac Gtr", "AcousticGtr"], ["AcGtr", "AGtr", "AG"], InstMics),
        ["piano"] = new("Keys", ["Piano", "Grand Piano", "Piano"], ["Pno", "Piano", "Pno"], InstMics),
        ["rhodes"] = new("Keys", ["Rhodes", "Elec Piano", "Electric Piano", "Keys"], ["Rhodes", "EP", "Rhodes"], ["DI"]),
        ["wurli"] = new("Keys", ["Wurlitzer", "Wurli", "Elec Piano"], ["Wurli", "Wurly", "EP"], ["DI", "SM57"]),
        ["organ"] = new("Keys", ["Organ", "Hammond", "B3 Organ", "Hammond Organ"], ["Org", "Hmd", "B3"], ["R121", "M81", "DI"]),
        ["synthpad"] = new("Keys", ["Synth Pad", "Pad", "Synth Pads"], ["Syn Pad", "SynPad", "Pad"], ["DI"]),
        ["synthlead"] = new("Keys", ["Synth Lead", "Lead Synth", "Synth"], ["Syn Ld", "SynLd", "Syn"], ["DI"]),
        ["strings"] = new("Strings", ["Strings", "String Section", "Strings"], ["Str", "Strs", "Strings"], AmbMics),
        ["violin"] = new("Strings", ["Violin", "Violin", "Solo Violin"], ["Vln", "Vl", "Vln"], InstMics),
        ["cello"] = new("Strings", ["Cello", "Violoncello"], ["Vc", "Vlc", "Cello"], InstMics),
        ["trumpet"] = new("Brass", ["Trumpet", "Trumpet"], ["Tpt", "Trp", "Tpt"], InstMics),
        ["trombone"] = new("Brass", ["Trombone", "Trombone"], ["Tbn", "Trb", "Bone"], InstMics),
        ["brass"] = new("Brass", ["Brass", "Horns", "Horn Section", "Brass Section"], ["Brs", "Hrns", "Horns"], InstMics),
        ["sax"] = new("Winds", ["Sax", "Alto Sax", "Tenor Sax", "Saxophone"], ["Sax", "ASax", "TSax"], InstMics),
        ["flute"] = new("Winds", ["Flute", "Flute"], ["Flt", "Flute", "Flt"], InstMics),
        ["clarinet"] = new("Winds", ["Clarinet", "Clarinet"], ["Clt", "Cl", "Clar"], InstMics),
        ["leadvox"] = new("Vocals", ["Lead Vox", "Lead Vocal", "Vocal", "Main Vox", "Lead Vocals"], ["LdVox", "LV", "Vox", "LdVx"], VoxMics),
        ["bv"] = new("Vocals", ["Backing Vox", "BV", "Harmony", "Backing Vocal", "Bkg Vox"], ["BV", "BGV", "Bvox"], VoxMics),
        ["bvs"] = new("Vocals", ["BVs", "Backing Vocals", "Backing Vox", "Harmonies"], ["BVs", "BVs", "BkVs"], VoxMics),
        ["scratchvox"] = new("Vocals", ["Scratch Vox", "Guide Vox", "Scratch Vocal"], ["ScratchVx", "GuideVox", "Scr Vox"], ["SM58"]),
        ["sfx"] = new("FX", ["SFX", "FX", "Sound FX", "Noise FX"], ["SFX", "FX", "Sfx"], ["DI"]),
        ["fiddle"] = new("Strings", ["Fiddle", "Fiddle"], ["Fdl", "Fiddle"], InstMics),
        ["ambient"] = new("Room", ["Main Pair", "MainPair", "AB Pair", "Spaced Pair"], ["MainPair", "AB Pair", "Pair"], AmbMics),
        ["room"] = new("Room", ["Room", "Room Mic", "Room Mics", "Ambience"], ["Rm", "Room", "Amb"], AmbMics),
    };

    private static readonly Dictionary<string, (string Long, string Short, string Letter)[]> Qualifiers = new()
    {
        ["In"] = [("In", "In", "I"), ("Inside", "In", "I")],
        ["Out"] = [("Out", "Out", "O"), ("Outside", "Out", "O")],
        ["Top"] = [("Top", "Top", "T"), ("Up", "Top", "U")],
        ["Bottom"] = [("Bottom", "Bot", "B"), ("Down", "Btm", "D"), ("Bottom", "Btm", "B")],
        ["DI"] = [("DI", "DI", "DI")],
        ["Amp"] = [("Amp", "Amp", "A"), ("Mic", "Amp", "M"), ("Amp", "Cab", "A")],
        ["L"] = [("L", "L", "L"), ("Left", "L", "L")],
        ["R"] = [("R", "R", "R"), ("Right", "R", "R")],
        ["Dbl"] = [("Dbl", "Dbl", "D"), ("DT", "DT", "D"), ("Double", "Dbl", "D")],
    };

    private static readonly string[] Performers = ["Zoë", "Jörg", "Inés", "Björn", "Renée", "Søren", "Chloé", "José", "Noémie", "Łukasz", "Maël", "Ana"];

    private readonly NamingStyle style;
    private readonly Random rng;
    private readonly Dictionary<string, int> synonym = [];
    private readonly Dictionary<string, int> qualifierVariant = [];
    private readonly Dictionary<string, string> mic = [];
    private readonly string preamp;
    private readonly bool padNumbers;
    private readonly bool spacedNumbers;
    private readonly string extension;
    private readonly HashSet<string> used = new(StringComparer.OrdinalIgnoreCase);
    private int take;

    public TrackNamer(NamingStyle style, Random rng)
    {
        this.style = style;
        this.rng = rng;
        preamp = rng.Pick(Preamps);
        padNumbers = rng.Chance(0.8);
        spacedNumbers = rng.Chance(0.5);
        extension = rng.Chance(0.1) ? ".WAV" : ".wav";
        take = rng.Next(1, 8);
        UsePerformers = style is NamingStyle.NumberedDash or NamingStyle.DawTake or NamingStyle.GroupMic && rng.Chance(0.5);
    }

    /// <summary>Whether this session names some tracks after the player (these names carry non-ASCII letters).</summary>
    public bool UsePerformers { get; }

    public string PickPerformer() => rng.Pick(Performers);

    public static IEnumerable<string> Keys => Table.Keys;

    /// <summary>The file name (with extension) of the track at position <paramref name="order"/> (1-based) in the session.</summary>
    public string Name(TrackName track, int order)
    {
        var names = Table.TryGetValue(track.Key, out var n) ? n : throw new ArgumentException($"no names for track key '{track.Key}'", nameof(track));
        var longName = names.Long[Choice(synonym, track.Key, names.Long.Length)];
        var shortName = names.Short[Choice(synonym, track.Key + "/short", names.Short.Length)];
        // L and R share one variant choice, so a pair reads "Left"/"Right" or "L"/"R", never a mix.
        var variantKey = track.Qualifier is "L" or "R" ? "LR" : track.Qualifier ?? string.Empty;
        (string? Long, string? Short, string? Letter) q = track.Qualifier is null ? (null, null, null) : Qualifiers[track.Qualifier][Choice(qualifierVariant, variantKey, Qualifiers[track.Qualifier].Length)];
        var num = track.Number > 0 ? track.Number.ToString(CultureInfo.InvariantCulture) : string.Empty;
        var performer = track.Performer;
        string stem;
        switch (style)
        {
            case NamingStyle.NumberedCamel:
                stem = $"{order:D2}_{Camel(longName)}{num}{Camel(q.Long ?? string.Empty)}";
                break;
            case NamingStyle.NumberedDash:
                stem = $"{order}-{Join(longName, num, q.Long, performer)}";
                break;
            case NamingStyle.GroupMic:
                {
                    var m = track.Qualifier == "DI" ? "DI" : MicFor(track.Key, names);
                    var body = Join(longName, num, q.Long == "DI" ? null : q.Long, performer);
                    stem = body.Equals(names.Group, StringComparison.OrdinalIgnoreCase) ? $"{names.Group}-{m}" : $"{names.Group}-{body}-{m}";
                    break;
                }

            case NamingStyle.UpperConsole:
                {
                    var m = track.Qualifier == "DI" ? "DI" : MicFor(track.Key, names);
                    var body = Join(longName, num, q.Long == "DI" ? null : q.Long, null);
                    stem = $"{body} - {m} - {preamp}".ToUpperInvariant();
                    break;
                }

            case NamingStyle.Abbreviated:
                {
                    // Short abbreviations take their number directly ("T1", "BV2"); longer ones as the session does.
                    var spaced = spacedNumbers && shortName.Length > 3;
                    stem = Join(shortName + (spaced ? string.Empty : num), spaced ? num : string.Empty, q.Short, null);
                    break;
                }
            case NamingStyle.DawTake:
                stem = $"{Join(longName, num, q.Long, performer)}_{take + rng.Next(0, 3):D2}";
                take = Math.Max(1, take + rng.Next(-1, 3));
                break;
            case NamingStyle.LowerCamel:
                {
                    // First word lower case (a leading acronym entirely: "OH L" -> "ohL", "BVs" -> "bvs"), the rest CamelCase.
                    var words = Join(longName, num, q.Long, null).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var first = words[0];
                    first = first.Length >= 2 && char.IsUpper(first[0]) && char.IsUpper(first[1]) ? first.ToLowerInvariant() : char.ToLowerInvariant(first[0]) + first[1..];
                    stem = first + Camel(string.Join(' ', words.Skip(1)));
                    break;
                }

            default:
                stem = $"{Camel(shortName)}{num}{q.Letter}_CONS";
                break;
        }

        if (padNumbers is false && style == NamingStyle.NumberedCamel)
        {
            stem = stem.TrimStart('0');
        }

        var candidate = stem + extension;
        for (var k = 2; !used.Add(candidate); k++)
        {
            candidate = $"{stem}{(style is NamingStyle.NumberedCamel or NamingStyle.LowerCamel or NamingStyle.Consolidated ? string.Empty : " ")}{k}{extension}";
        }

        return candidate;
    }

    private int Choice(Dictionary<string, int> memory, string key, int count)
    {
        if (!memory.TryGetValue(key, out var i))
        {
            i = rng.Next(count);
            memory[key] = i;
        }

        return i;
    }

    private string MicFor(string key, Names names)
    {
        if (!mic.TryGetValue(key, out var m))
        {
            m = rng.Pick(names.Mics);
            mic[key] = m;
        }

        return m;
    }

    private static string Join(string name, string? number, string? qualifier, string? performer)
    {
        var sb = new StringBuilder(name);
        foreach (var part in new[] { number, qualifier, performer })
        {
            if (!string.IsNullOrEmpty(part))
            {
                sb.Append(' ').Append(part);
            }
        }

        return sb.ToString();
    }

    private static string Camel(string text)
    {
        var sb = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
        }

        return sb.ToString();
    }
}
