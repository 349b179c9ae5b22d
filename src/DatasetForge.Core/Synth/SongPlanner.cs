using System.Globalization;

namespace DatasetForge.Synth;

/// <summary>The broad genres of the library site (its index sections).</summary>
public static class Genres
{
    public const string Acoustic = "Acoustic / Jazz / Country / Orchestral";
    public const string AltRock = "Alt Rock / Blues / Country Rock / Indie / Funk / Reggae";
    public const string Electronica = "Electronica / Dance / Experimental";
    public const string HipHop = "Hip-Hop / R&B";
    public const string Pop = "Pop / Singer-Songwriter";
    public const string Rock = "Rock / Punk / Metal";

    /// <summary>Broad genre, its weight in the real index, and sub genres of the kind the site lists.</summary>
    public static readonly IReadOnlyList<(string Broad, double Weight, string[] Sub)> All =
    [
        (Acoustic, 52, ["Jazz Trio", "Big Band Jazz", "Country", "Bluegrass", "Folk", "Chamber Orchestral", "Latin Jazz"]),
        (AltRock, 56, ["Indie Rock", "Blues Rock", "Country Rock", "Funk", "Reggae", "Alt Rock", "Americana"]),
        (Electronica, 39, ["Progressive House", "Minimal Techno", "Ambient Electronica", "Drum & Bass", "Synthpop", "Trip-Hop"]),
        (HipHop, 15, ["UK Hip-Hop", "R&B", "Neo Soul", "Trap"]),
        (Pop, 47, ["Power Pop", "Indie Pop", "Acoustic Singer-Songwriter", "Dance-Pop", "Soul Pop"]),
        (Rock, 41, ["Heavy Metal", "Punk", "Hard Rock", "Stoner Rock", "Alternative Metal", "Garage Rock"]),
    ];
}

/// <summary>Decides everything about one song (instrumentation by genre, arrangement, tracks, names, bleed, defects) from its seed.</summary>
internal static class SongPlanner
{
    private static readonly HashSet<string> BleedTargets =
    [
        "Lead_Vocal", "Backing_Vocal", "Acoustic_Guitar", "Electric_Guitar", "Electric_Bass", "Double_Bass", "Piano", "String_Section", "Violin", "Cello",
        "Trumpet", "Trombone", "Brass_Section", "Saxophone", "Flute", "Clarinet", "Conga", "Bongo", "Shaker", "Tambourine", "Marimba",
    ];

    public static SongPlan Plan(SongInfo song, int masterSeed, double seconds)
    {
        var seed = SynthSeed.Derive(masterSeed, "song", song.Index.ToString(CultureInfo.InvariantCulture));
        var ctx = MusicalContext.Create(SynthSeed.Rng(seed, "context"), song.SampleRate, seconds);
        var b = new Builder(seed, ctx, SynthSeed.Rng(seed, "instrumentation"));
        Instrumentation(b, song);

        var rng = SynthSeed.Rng(seed, "layout");
        foreach (var defect in song.Defects)
        {
            string[] keys = ["shaker", "tambourine", "egtr", "bv", "sfx", "synthlead", "piano", "conga"];
            var key = rng.Pick(keys);
            var label = key switch
            {
                "shaker" => "Shaker",
                "tambourine" => "Tambourine",
                "egtr" => "Electric_Guitar",
                "bv" => "Backing_Vocal",
                "sfx" => "SFX",
                "synthlead" => "Synthesizer",
                "piano" => "Piano",
                _ => "Conga",
            };
            var position = rng.Next(b.Tracks.Count + 1);
            var same = b.Tracks.Count(t => t.Key == key);
            b.Tracks.Insert(position, new TrackPlan { Key = key, Number = same == 0 ? 0 : same + 1, Label = label, Defect = defect });
        }

        var tracks = b.Tracks;
        int IndexOf(TrackPlan t) => tracks.FindIndex(x => ReferenceEquals(x, t));
        var doubles = b.Doubles.Select(d => (IndexOf(d.A), IndexOf(d.B))).ToList();
        var bleeds = new List<BleedPlan>();
        KitBleed(b, bleeds);
        if (song.InjectBleed)
        {
            Injections(b, doubles, bleeds, SynthSeed.Rng(seed, "bleed"));
        }

        var mixes = new Dictionary<int, IReadOnlyList<MixSource>>();
        foreach (var (track, sources) in b.Mixes)
        {
            mixes[IndexOf(track)] = sources;
        }

        var style = (NamingStyle)SynthSeed.Rng(seed, "naming-style").PickWeighted([30, 12, 12, 8, 14, 10, 7, 7]);
        var namer = new TrackNamer(style, SynthSeed.Rng(seed, "names"));
        var performers = new Dictionary<(string, int), string?>();
        for (var i = 0; i < tracks.Count; i++)
        {
            // A player's name, when the session uses them, is the same on every track of that part (e.g. a vocal and its double).
            var t = tracks[i];
            if (!performers.TryGetValue((t.Key, t.Number), out var performer))
            {
                performer = namer.UsePerformers && t.Key is "leadvox" or "egtr" or "agtr" or "bv" && rng.Chance(0.5) ? namer.PickPerformer() : null;
                performers[(t.Key, t.Number)] = performer;
            }

            t.File = namer.Name(new TrackName(t.Key, t.Number, t.Qualifier, performer), i + 1);
        }

        return new SongPlan(song, seed, ctx, style, b.Parts, tracks, bleeds, mixes, doubles, Layout(song, rng));
    }

    private static void Instrumentation(Builder b, SongInfo song)
    {
        var r = b.Rng;
        switch (song.BroadGenre)
        {
            case Genres.Rock:
                b.AcousticKit(r.Pick([GrooveStyle.Rock, GrooveStyle.HalfTime, GrooveStyle.Rock]));
                b.Bass(InstrumentKind.ElectricBass);
                for (var i = 0; i < r.Next(2, 4); i++)
                {
                    b.Guitar(lead: false);
                }

                if (r.Chance(0.5))
                {
                    b.Guitar(lead: true);
                }

                if (r.Chance(0.15))
                {
                    b.Simple(InstrumentKind.Organ, "organ", "Electric_Organ", Role.Pad, r.Chance(0.4) ? 2 : 1);
                }

                b.Vocals(song.DoubledVocal, r.Next(0, 3), high: r.Chance(0.3));
                if (r.Chance(0.2))
                {
                    b.Simple(InstrumentKind.Sfx, "sfx", "SFX", Role.Fx, 2);
                }

                break;
            case Genres.AltRock:
                b.AcousticKit(r.Pick([GrooveStyle.Rock, GrooveStyle.Funk, GrooveStyle.Pop]));
                b.Bass(InstrumentKind.ElectricBass);
                for (var i = 0; i < r.Next(1, 3); i++)
                {
                    b.Guitar(lead: false);
                }

                if (r.Chance(0.3))
                {
                    b.Simple(InstrumentKind.AcousticGuitar, "agtr", "Acoustic_Guitar", Role.Rhythm, 1);
                }

                b.Keys(r.PickWeighted([35, 30, 20, 15]));
                b.Horns(r.PickWeighted([55, 15, 15, 15]));
                b.Percussion(r.Chance(0.5) ? 1 : 0);
                b.Vocals(song.DoubledVocal, r.Next(0, 3), high: r.Chance(0.4));
                break;
            case Genres.Pop:
                if (r.Chance(0.7))
                {
                    b.AcousticKit(GrooveStyle.Pop);
                }
                else
                {
                    b.ElectronicKit(GrooveStyle.Pop);
                    b.Simple(InstrumentKind.DrumLoop, "loop", "Loop", Role.Drums, 2);
                }

                b.Bass(r.Chance(0.6) ? InstrumentKind.ElectricBass : InstrumentKind.SynthBass);
                if (r.Chance(0.6))
                {
                    b.Simple(InstrumentKind.AcousticGuitar, "agtr", "Acoustic_Guitar", Role.Rhythm, r.Chance(0.2) ? 2 : 1);
                }

                if (r.Chance(0.5))
                {
                    b.Guitar(lead: false);
                }

                if (r.Chance(0.5))
                {
                    b.Simple(InstrumentKind.Piano, "piano", "Piano", Role.Rhythm, r.Chance(0.5) ? 2 : 1);
                }

                if (r.Chance(0.5))
                {
                    b.Simple(InstrumentKind.SynthPad, "synthpad", "Synthesizer", Role.Pad, 2);
                }

                if (r.Chance(0.3))
                {
                    b.Simple(InstrumentKind.StringSection, "strings", "String_Section", Role.Pad, 2);
                }

                if (r.Chance(0.15))
                {
                    b.Simple(InstrumentKind.Glockenspiel, "glock", "Bell", Role.Lead, 1);
                }

                b.Percussion(r.Chance(0.5) ? r.Next(1, 3) : 0);
                b.Vocals(song.DoubledVocal, r.Next(1, 4), high: r.Chance(0.5));
                if (r.Chance(0.3))
                {
                    b.Simple(InstrumentKind.Sfx, "sfx", "SFX", Role.Fx, 2);
                }

                break;
            case Genres.Electronica:
                b.ElectronicKit(r.Pick([GrooveStyle.FourOnFloor, GrooveStyle.HalfTime, GrooveStyle.FourOnFloor]));
                if (r.Chance(0.6))
                {
                    b.Simple(InstrumentKind.DrumLoop, "loop", "Loop", Role.Drums, 2);
                }

                b.Bass(InstrumentKind.SynthBass);
                b.Simple(InstrumentKind.SynthPad, "synthpad", "Synthesizer", Role.Pad, 2);
                if (r.Chance(0.6))
                {
                    b.Simple(InstrumentKind.SynthLead, "synthlead", "Synthesizer", Role.Lead, r.Chance(0.5) ? 2 : 1);
                }

                for (var i = 0; i < r.Next(1, 3); i++)
                {
                    b.Simple(InstrumentKind.Sfx, "sfx", "SFX", Role.Fx, r.Chance(0.6) ? 2 : 1, numbered: true);
                }

                if (r.Chance(0.2))
                {
                    b.Simple(InstrumentKind.ElectricPiano, r.Chance(0.5) ? "rhodes" : "wurli", "Electric_Piano", Role.Rhythm, 1);
                }

                if (r.Chance(0.5) || song.DoubledVocal)
                {
                    b.Vocals(song.DoubledVocal, r.Next(0, 2), high: r.Chance(0.6));
                }

                break;
            case Genres.HipHop:
                b.ElectronicKit(GrooveStyle.HipHop);
                if (r.Chance(0.5))
                {
                    b.Simple(InstrumentKind.DrumLoop, "loop", "Loop", Role.Drums, 2);
                }

                b.Bass(r.Chance(0.7) ? InstrumentKind.SynthBass : InstrumentKind.ElectricBass);
                if (r.Chance(0.5))
                {
                    b.Simple(InstrumentKind.ElectricPiano, r.Chance(0.5) ? "rhodes" : "wurli", "Electric_Piano", Role.Rhythm, r.Chance(0.4) ? 2 : 1);
                }

                if (r.Chance(0.3))
                {
                    b.Simple(InstrumentKind.Piano, "piano", "Piano", Role.Rhythm, 1);
                }

                if (r.Chance(0.4))
                {
                    b.Simple(InstrumentKind.SynthPad, "synthpad", "Synthesizer", Role.Pad, 2);
                }

                if (r.Chance(0.2))
                {
                    b.Simple(InstrumentKind.StringSection, "strings", "String_Section", Role.Pad, 2);
                }

                b.Vocals(song.DoubledVocal, r.Next(0, 3), high: r.Chance(0.4));
                if (r.Chance(0.4))
                {
                    b.Simple(InstrumentKind.Sfx, "sfx", "SFX", Role.Fx, 2);
                }

                break;
            default:
                AcousticFamily(b, song);
                break;
        }

        if (r.Chance(0.15))
        {
            var click = b.Simple(InstrumentKind.Click, "click", Ms21Labels.Unused, Role.Always, 1);
            if (r.Chance(0.5))
            {
                // Engineers often put the click first.
                var t = b.Tracks[click];
                b.Tracks.RemoveAt(click);
                b.Tracks.Insert(0, t);
            }
        }

        var ambientChance = song.BroadGenre == Genres.Acoustic ? 0.6 : 0.1;
        if (r.Chance(ambientChance))
        {
            b.Ambient();
        }
    }

    private static void AcousticFamily(Builder b, SongInfo song)
    {
        var r = b.Rng;
        var flavour = song.SubGenre switch
        {
            "Chamber Orchestral" => 2,
            "Jazz Trio" or "Big Band Jazz" or "Latin Jazz" => 0,
            _ => 1,
        };
        if (flavour == 0)
        {
            b.AcousticKit(GrooveStyle.Jazz);
            b.Simple(InstrumentKind.DoubleBass, "upright", "Double_Bass", Role.Bass, 1);
            b.Simple(InstrumentKind.Piano, "piano", "Piano", Role.Rhythm, r.Chance(0.5) ? 2 : 1);
            b.Horns(r.PickWeighted([10, 30, 30, 30]));
            if (song.SubGenre == "Latin Jazz")
            {
                b.Percussion(2, latin: true);
            }

            if (r.Chance(0.5) || song.DoubledVocal)
            {
                b.Vocals(song.DoubledVocal, 0, high: r.Chance(0.6));
            }
        }
        else if (flavour == 1)
        {
            b.AcousticKit(GrooveStyle.Pop);
            b.Bass(r.Chance(0.5) ? InstrumentKind.ElectricBass : InstrumentKind.DoubleBass);
            b.Simple(InstrumentKind.AcousticGuitar, "agtr", "Acoustic_Guitar", Role.Rhythm, 1);
            if (r.Chance(0.5))
            {
                b.Simple(InstrumentKind.AcousticGuitar, "agtr", "Acoustic_Guitar", Role.Lead, 1, numbered: true, voice: 1);
            }

            if (r.Chance(0.5))
            {
                // Country and folk sessions call it a fiddle (MS21 has a Fiddle label).
                var fiddle = song.SubGenre is "Country" or "Bluegrass" or "Folk";
                b.Simple(InstrumentKind.Violin, fiddle ? "fiddle" : "violin", fiddle ? "Fiddle" : "Violin", Role.Lead, 1);
            }

            if (r.Chance(0.4))
            {
                b.Guitar(lead: r.Chance(0.5));
            }

            b.Vocals(song.DoubledVocal, r.Next(0, 3), high: r.Chance(0.5));
        }
        else
        {
            b.Simple(InstrumentKind.StringSection, "strings", "String_Section", Role.Pad, 2);
            b.Simple(InstrumentKind.Violin, "violin", "Violin", Role.Lead, 1);
            b.Simple(InstrumentKind.Cello, "cello", "Cello", Role.Lead, 1);
            var flute = r.Chance(0.5);
            b.Simple(flute ? InstrumentKind.Flute : InstrumentKind.Clarinet, flute ? "flute" : "clarinet", flute ? "Flute" : "Clarinet", Role.Lead, 1);
            if (r.Chance(0.5))
            {
                b.Simple(InstrumentKind.Trumpet, "trumpet", "Trumpet", Role.Lead, 1);
            }

            b.Simple(InstrumentKind.Piano, "piano", "Piano", Role.Rhythm, 2);
            if (r.Chance(0.5))
            {
                b.Simple(InstrumentKind.Marimba, "marimba", "Marimba", Role.Lead, 1);
            }

            if (song.DoubledVocal)
            {
                b.Vocals(true, 0, high: true);
            }
        }
    }

    private static void KitBleed(Builder b, List<BleedPlan> bleeds)
    {
        // Level of piece X in the close mic of piece Y (dB relative to Y's own sound), from typical kit leakage.
        var rng = b.Rng;
        for (var t = 0; t < b.Tracks.Count; t++)
        {
            var track = b.Tracks[t];
            if (track.Defect is not null || !b.KitPieces.TryGetValue(track.PartId, out var piece) || track.Process is TrackProcess.Overheads or TrackProcess.DrumRoom)
            {
                continue;
            }

            if (!b.AcousticKitParts.Contains(track.PartId) || b.Parts.First(p => p.Id == track.PartId).Request.Kind == InstrumentKind.KickTrigger)
            {
                continue;
            }

            foreach (var (otherPart, otherPiece) in b.KitPieces)
            {
                if (otherPart == track.PartId || !b.AcousticKitParts.Contains(otherPart))
                {
                    continue;
                }

                var source = b.PrimaryTrack(otherPart);
                if (source < 0)
                {
                    continue;
                }

                var (lo, hi) = (piece, otherPiece) switch
                {
                    (InstrumentKind.HiHat, InstrumentKind.Snare) => (-10.0, -4.0),
                    (InstrumentKind.Snare, InstrumentKind.HiHat) => (-14.0, -8.0),
                    (InstrumentKind.Tom, InstrumentKind.Snare) => (-16.0, -10.0),
                    (_, InstrumentKind.Kick) => (-26.0, -16.0),
                    (InstrumentKind.Kick, _) => (-32.0, -22.0),
                    _ => (-24.0, -14.0),
                };
                var spec = new BleedSpec(Math.Round(rng.Uniform(0.5, 3.0), 2), Math.Round(rng.Uniform(lo, hi), 1), Math.Round(rng.Uniform(6000, 12000)));
                bleeds.Add(new BleedPlan(t, source, spec, "kit"));
            }
        }
    }

    private static void Injections(Builder b, List<(int A, int B)> doubles, List<BleedPlan> bleeds, Random rng)
    {
        var doubled = doubles.SelectMany(d => new[] { d.A, d.B }).ToHashSet();
        bool Usable(int i) => b.Tracks[i].Defect is null && !doubled.Contains(i) && b.Tracks[i].Label is not Ms21Labels.Unused and not Ms21Labels.AmbientMicrophone;
        var targets = Enumerable.Range(0, b.Tracks.Count)
            .Where(i => Usable(i) && BleedTargets.Contains(b.Tracks[i].Label) && b.Tracks[i].Process is TrackProcess.Direct or TrackProcess.Amp)
            .Where(i => !(b.Tracks[i].Label is "Electric_Guitar" or "Electric_Bass" && b.Tracks[i].Process == TrackProcess.Direct))
            .ToList();
        var sources = Enumerable.Range(0, b.Tracks.Count).Where(i => Usable(i) && b.Tracks[i].Side == 0 && b.Tracks[i].Process != TrackProcess.Ambient).ToList();
        var count = Math.Min(targets.Count, rng.Next(1, 4));
        foreach (var target in rng.Shuffled(targets).Take(count))
        {
            var candidates = sources.Where(s => OwnParts(b, s).Intersect(OwnParts(b, target)).Any() is false).ToList();
            var n = Math.Min(candidates.Count, rng.Chance(0.3) ? 2 : 1);
            foreach (var source in rng.Shuffled(candidates).Take(n))
            {
                var spec = new BleedSpec(Math.Round(rng.Uniform(1, 30), 2), Math.Round(rng.Uniform(-40, -10), 1), Math.Round(rng.Uniform(2000, 8000)));
                bleeds.Add(new BleedPlan(target, source, spec, "injected"));
            }
        }
    }

    /// <summary>The parts whose sound a track carries (its own part, or the sources of a mix).</summary>
    private static IEnumerable<string> OwnParts(Builder b, int track)
    {
        var t = b.Tracks[track];
        if (t.PartId.Length > 0)
        {
            yield return t.PartId;
        }

        if (b.Mixes.TryGetValue(t, out var sources))
        {
            foreach (var s in sources)
            {
                yield return s.PartId;
            }
        }
    }

    private static ArchiveLayout Layout(SongInfo song, Random rng)
    {
        var artist = LibraryPlanner.Compact(song.Artist);
        var title = LibraryPlanner.Compact(song.Title);
        var folder = rng.PickWeighted([40, 25, 15, 20]) switch
        {
            0 => $"{artist}_{title}_{song.ArchiveKind}",
            1 => $"{LibraryPlanner.SafeFolder(song.Artist)} - {LibraryPlanner.SafeFolder(song.Title)}",
            2 => title,
            _ => $"{LibraryPlanner.SafeFolder(song.Title)} Multitracks",
        };
        if (rng.Chance(0.15))
        {
            folder += "/Audio Files";
        }

        return new ArchiveLayout(folder, rng.Chance(0.3), rng.Chance(0.5), rng.Chance(0.25));
    }

    internal enum Role
    {
        Always,
        Drums,
        Bass,
        Rhythm,
        Lead,
        Pad,
        Vocal,
        Backing,
        Perc,
        Fx,
    }

    /// <summary>Accumulates parts and tracks while the instrumentation is chosen.</summary>
    internal sealed class Builder(int seed, MusicalContext ctx, Random rng)
    {
        private readonly Dictionary<string, int> keyCounts = [];
        private int counter;

        public Random Rng { get; } = rng;

        public List<PartPlan> Parts { get; } = [];

        public List<TrackPlan> Tracks { get; } = [];

        public List<(TrackPlan A, TrackPlan B)> Doubles { get; } = [];

        public Dictionary<TrackPlan, IReadOnlyList<MixSource>> Mixes { get; } = new(ReferenceEqualityComparer.Instance);

        /// <summary>Kit piece parts (acoustic or electronic) and what they are.</summary>
        public Dictionary<string, InstrumentKind> KitPieces { get; } = [];

        public HashSet<string> AcousticKitParts { get; } = [];

        public string Part(InstrumentKind kind, Role role, int? composition = null, bool[]? sections = null, Func<PartRequest, PartRequest>? tweak = null)
        {
            var id = $"{kind.ToString().ToLowerInvariant()}{++counter}";
            var request = new PartRequest(kind, composition ?? SynthSeed.Derive(seed, "composition", id), SynthSeed.Derive(seed, "performance", id))
            {
                ActiveSections = sections ?? Arrangement(role),
            };
            Parts.Add(new PartPlan(id, tweak is null ? request : tweak(request)));
            return id;
        }

        public int Track(TrackPlan track)
        {
            Tracks.Add(track with { PeakDb = Math.Round(Rng.Uniform(-14, -1), 1) });
            return Tracks.Count - 1;
        }

        public int NextNumber(string key) => keyCounts[key] = keyCounts.GetValueOrDefault(key) + 1;

        public int PrimaryTrack(string part)
        {
            for (var i = 0; i < Tracks.Count; i++)
            {
                if (Tracks[i].PartId == part && Tracks[i].Defect is null && Tracks[i].Process != TrackProcess.Scratch)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>A part with one track (mono or stereo), or an L/R pair of mono files when <paramref name="channels"/> is 2 and the session splits stereo.</summary>
        public int Simple(InstrumentKind kind, string key, string label, Role role, int channels, bool numbered = false, int voice = 0)
        {
            var part = Part(kind, role, tweak: r => r with { Voice = voice, Groove = GrooveOf(kind) });
            var number = numbered || keyCounts.ContainsKey(key) ? NextNumber(key) : 0;
            if (numbered is false)
            {
                keyCounts.TryAdd(key, 1);
            }

            if (channels == 2 && Rng.Chance(0.2) && kind is not InstrumentKind.Click)
            {
                Track(new TrackPlan { Key = key, Number = number, Qualifier = "L", Label = label, PartId = part, Channels = 1, Side = -1 });
                return Track(new TrackPlan { Key = key, Number = number, Qualifier = "R", Label = label, PartId = part, Channels = 1, Side = 1 });
            }

            return Track(new TrackPlan { Key = key, Number = number, Label = label, PartId = part, Channels = channels });
        }

        public void AcousticKit(GrooveStyle groove)
        {
            var composition = SynthSeed.Derive(seed, "kit");
            var sections = Arrangement(Role.Drums);
            var toms = Rng.Next(1, 4);
            string Piece(InstrumentKind kind, int voice = 0)
            {
                var id = Part(kind, Role.Drums, composition, sections, r => r with { Groove = groove, Toms = toms, Voice = voice });
                KitPieces[id] = kind;
                AcousticKitParts.Add(id);
                return id;
            }

            var kick = Piece(InstrumentKind.Kick);
            var snare = Piece(InstrumentKind.Snare);
            var hat = Piece(InstrumentKind.HiHat);
            var ride = Piece(InstrumentKind.Ride);
            var crash = Piece(InstrumentKind.Crash);
            var tomParts = Enumerable.Range(1, toms).Select(i => Piece(InstrumentKind.Tom, i)).ToList();

            var kickOut = Rng.Chance(0.45);
            Track(new TrackPlan { Key = "kick", Qualifier = kickOut || Rng.Chance(0.4) ? "In" : null, Label = "Drum_Kick", PartId = kick });
            if (kickOut)
            {
                Track(new TrackPlan { Key = "kick", Qualifier = "Out", Label = "Drum_Kick", PartId = kick, Process = TrackProcess.KickOut });
            }

            var bottom = Rng.Chance(0.5);
            Track(new TrackPlan { Key = "snare", Qualifier = bottom || Rng.Chance(0.4) ? "Top" : null, Label = "Drum_Snare", PartId = snare });
            if (bottom)
            {
                Track(new TrackPlan { Key = "snare", Qualifier = "Bottom", Label = "Drum_Snare", PartId = snare, Process = TrackProcess.SnareBottom });
            }

            if (Rng.Chance(0.85))
            {
                Track(new TrackPlan { Key = "hihat", Label = "Drum_HiHat", PartId = hat });
            }

            for (var i = 0; i < toms; i++)
            {
                var floor = i == toms - 1 && toms >= 2 && Rng.Chance(0.5);
                Track(new TrackPlan { Key = floor ? "floortom" : "tom", Number = floor ? 0 : i + 1, Label = "Drum_Tom", PartId = tomParts[i] });
            }

            if (Rng.Chance(0.35))
            {
                Track(new TrackPlan { Key = "ride", Label = "Drum_Cymbals", PartId = ride });
            }

            var kit = new List<(string Part, double Gain, double Pan)>
            {
                (kick, -10, 0), (snare, -2, -0.15), (hat, -3, -0.5), (ride, -4, 0.55), (crash, -9, -0.35),
            };
            kit.AddRange(tomParts.Select((p, i) => (p, -4.0, -0.3 + (0.7 * i / Math.Max(1, toms - 1)))));
            var ohSources = kit.Select(k => new MixSource(k.Part, k.Gain, Math.Round(Rng.Uniform(2.5, 5), 2), k.Pan)).ToList();
            if (Rng.Chance(0.5))
            {
                Mixes[Tracks[Track(new TrackPlan { Key = "overheads", Qualifier = "L", Label = "Drum_Overheads", Process = TrackProcess.Overheads, Side = -1 })]] = ohSources;
                Mixes[Tracks[Track(new TrackPlan { Key = "overheads", Qualifier = "R", Label = "Drum_Overheads", Process = TrackProcess.Overheads, Side = 1 })]] = ohSources;
            }
            else
            {
                Mixes[Tracks[Track(new TrackPlan { Key = "overheads", Label = "Drum_Overheads", Process = TrackProcess.Overheads, Channels = 2 })]] = ohSources;
            }

            if (Rng.Chance(0.55))
            {
                var roomSources = kit.Select(k => new MixSource(k.Part, k.Gain + (k.Part == kick ? 6 : 0), Math.Round(Rng.Uniform(8, 16), 2), k.Pan * 0.5)).ToList();
                Mixes[Tracks[Track(new TrackPlan { Key = "drumroom", Label = "Drum_Room", Process = TrackProcess.DrumRoom, Channels = Rng.Chance(0.5) ? 2 : 1 })]] = roomSources;
            }

            if (Rng.Chance(0.2))
            {
                var trigger = Part(InstrumentKind.KickTrigger, Role.Drums, composition, sections, r => r with { Groove = groove, Toms = toms, TimingJitterMs = 0 });
                KitPieces[trigger] = InstrumentKind.KickTrigger;
                Track(new TrackPlan { Key = "kicktrigger", Label = Ms21Labels.Unused, PartId = trigger });
            }
        }

        public void ElectronicKit(GrooveStyle groove)
        {
            var composition = SynthSeed.Derive(seed, "kit");
            var sections = Arrangement(Role.Drums);
            var claps = Rng.Chance(0.4);
            var kick = Part(InstrumentKind.Kick, Role.Drums, composition, sections, r => r with { Groove = groove, Toms = 0 });
            Track(new TrackPlan { Key = "kick", Label = "Drum_Kick", PartId = kick });
            var snare = Part(claps ? InstrumentKind.Claps : InstrumentKind.Snare, Role.Drums, composition, sections, r => r with { Groove = groove, Toms = 0 });
            Track(new TrackPlan { Key = claps ? "claps" : "snare", Label = claps ? "Claps" : "Drum_Snare", PartId = snare });
            var hat = Part(InstrumentKind.HiHat, Role.Drums, composition, sections, r => r with { Groove = groove, Toms = 0 });
            Track(new TrackPlan { Key = "hihat", Label = "Drum_HiHat", PartId = hat });
            KitPieces[kick] = InstrumentKind.Kick;
            KitPieces[snare] = InstrumentKind.Snare;
            KitPieces[hat] = InstrumentKind.HiHat;
        }

        public void Bass(InstrumentKind kind)
        {
            var part = Part(kind, Role.Bass);
            var key = kind switch { InstrumentKind.SynthBass => "synthbass", InstrumentKind.DoubleBass => "upright", _ => "bass" };
            var label = kind switch { InstrumentKind.SynthBass => "Synth_Bass", InstrumentKind.DoubleBass => "Double_Bass", _ => "Electric_Bass" };
            if (kind == InstrumentKind.ElectricBass)
            {
                var choice = Rng.PickWeighted([55, 30, 15]);
                if (choice != 2)
                {
                    Track(new TrackPlan { Key = key, Qualifier = choice == 0 || Rng.Chance(0.5) ? "DI" : null, Label = label, PartId = part });
                }

                if (choice != 1)
                {
                    Track(new TrackPlan { Key = key, Qualifier = "Amp", Label = label, PartId = part, Process = TrackProcess.Amp });
                }

                return;
            }

            Track(new TrackPlan { Key = key, Label = label, PartId = part });
        }

        public void Guitar(bool lead)
        {
            var part = Part(InstrumentKind.ElectricGuitar, lead ? Role.Lead : Role.Rhythm, tweak: r => r with { Voice = lead ? 1 : 0 });
            var key = lead && Rng.Chance(0.5) ? "leadgtr" : "egtr";
            var number = NextNumber(key);
            if (Rng.Chance(0.4))
            {
                Track(new TrackPlan { Key = key, Number = number, Qualifier = "DI", Label = "Electric_Guitar", PartId = part });
                Track(new TrackPlan { Key = key, Number = number, Qualifier = "Amp", Label = "Electric_Guitar", PartId = part, Process = TrackProcess.Amp });
            }
            else
            {
                Track(new TrackPlan { Key = key, Number = number, Label = "Electric_Guitar", PartId = part, Process = TrackProcess.Amp });
            }
        }

        /// <summary>0 organ, 1 electric piano, 2 piano, 3 none.</summary>
        public void Keys(int which)
        {
            switch (which)
            {
                case 0:
                    Simple(InstrumentKind.Organ, "organ", "Electric_Organ", Role.Pad, Rng.Chance(0.4) ? 2 : 1);
                    break;
                case 1:
                    Simple(InstrumentKind.ElectricPiano, Rng.Chance(0.5) ? "rhodes" : "wurli", "Electric_Piano", Role.Rhythm, Rng.Chance(0.5) ? 2 : 1);
                    break;
                case 2:
                    Simple(InstrumentKind.Piano, "piano", "Piano", Role.Rhythm, Rng.Chance(0.5) ? 2 : 1);
                    break;
            }
        }

        /// <summary>0 none, 1 brass section, 2 trumpet (+ trombone), 3 saxophone.</summary>
        public void Horns(int which)
        {
            switch (which)
            {
                case 1:
                    Simple(InstrumentKind.BrassSection, "brass", "Brass_Section", Role.Lead, Rng.Chance(0.5) ? 2 : 1);
                    break;
                case 2:
                    Simple(InstrumentKind.Trumpet, "trumpet", "Trumpet", Role.Lead, 1);
                    if (Rng.Chance(0.5))
                    {
                        Simple(InstrumentKind.Trombone, "trombone", "Trombone", Role.Lead, 1);
                    }

                    break;
                case 3:
                    Simple(InstrumentKind.Saxophone, "sax", "Saxophone", Role.Lead, 1);
                    break;
            }
        }

        public void Percussion(int count, bool latin = false)
        {
            (InstrumentKind Kind, string Key, string Label)[] pool = latin
                ? [(InstrumentKind.Conga, "conga", "Conga"), (InstrumentKind.Bongo, "bongo", "Bongo"), (InstrumentKind.Shaker, "shaker", "Shaker")]
                : [(InstrumentKind.Shaker, "shaker", "Shaker"), (InstrumentKind.Tambourine, "tambourine", "Tambourine"), (InstrumentKind.Conga, "conga", "Conga"),
                    (InstrumentKind.Claps, "claps", "Claps")];
            foreach (var (kind, key, label) in Rng.Shuffled(pool).Take(count))
            {
                Simple(kind, key, label, Role.Perc, 1);
            }
        }

        public void Vocals(bool doubled, int backing, bool high)
        {
            var melody = SynthSeed.Derive(seed, "melody");
            var sections = Arrangement(Role.Vocal);
            var lead = Part(InstrumentKind.LeadVocal, Role.Vocal, melody, sections, r => r with { HighRegister = high });
            var leadTrack = Tracks[Track(new TrackPlan { Key = "leadvox", Label = "Lead_Vocal", PartId = lead })];
            if (doubled)
            {
                var cents = Rng.Uniform(5, 15) * (Rng.Chance(0.5) ? 1 : -1);
                var dbl = Part(InstrumentKind.LeadVocal, Role.Vocal, melody, sections, r => r with { HighRegister = high, TuningCents = Math.Round(cents, 1), TimingJitterMs = 25 });
                Doubles.Add((leadTrack, Tracks[Track(new TrackPlan { Key = "leadvox", Qualifier = "Dbl", Label = "Lead_Vocal", PartId = dbl })]));
            }

            if (Rng.Chance(0.1))
            {
                var scratch = Part(InstrumentKind.LeadVocal, Role.Vocal, melody, sections, r => r with { HighRegister = high, TimingJitterMs = 40, TuningCents = Math.Round(Rng.Uniform(-20, 20), 1) });
                Doubles.Add((leadTrack, Tracks[Track(new TrackPlan { Key = "scratchvox", Label = Ms21Labels.Unused, PartId = scratch, Process = TrackProcess.Scratch })]));
            }

            if (backing <= 0)
            {
                return;
            }

            var bvSections = Arrangement(Role.Backing);
            var arrangement = SynthSeed.Derive(seed, "backing");
            if (Rng.Chance(0.25))
            {
                var part = Part(InstrumentKind.BackingVocal, Role.Backing, arrangement, bvSections, r => r with { HighRegister = !high, Voice = 0 });
                Track(new TrackPlan { Key = "bvs", Label = "Backing_Vocal", PartId = part, Channels = 2 });
                return;
            }

            for (var v = 0; v < backing; v++)
            {
                var voice = v;
                var part = Part(InstrumentKind.BackingVocal, Role.Backing, arrangement, bvSections, r => r with { HighRegister = voice % 2 == 0 ? !high : high, Voice = voice });
                Track(new TrackPlan { Key = "bv", Number = backing > 1 || Rng.Chance(0.5) ? v + 1 : 0, Label = "Backing_Vocal", PartId = part });
            }
        }

        public void Ambient()
        {
            var sources = Parts
                .Where(p => p.Request.Kind is not (InstrumentKind.Click or InstrumentKind.KickTrigger) && PrimaryTrack(p.Id) >= 0 &&
                            Tracks[PrimaryTrack(p.Id)].Process != TrackProcess.Scratch && Tracks[PrimaryTrack(p.Id)].Label != Ms21Labels.Unused)
                .Select(p => new MixSource(p.Id, Math.Round(Rng.Uniform(-12, -3), 1), Math.Round(Rng.Uniform(5, 25), 2), Math.Round(Rng.Uniform(-0.8, 0.8), 2)))
                .ToList();
            if (sources.Count == 0)
            {
                return;
            }

            var key = KitPieces.Count == 0 && Rng.Chance(0.5) ? "room" : "ambient";
            if (Rng.Chance(0.5))
            {
                Mixes[Tracks[Track(new TrackPlan { Key = key, Qualifier = "L", Label = Ms21Labels.AmbientMicrophone, Process = TrackProcess.Ambient, Side = -1 })]] = sources;
                Mixes[Tracks[Track(new TrackPlan { Key = key, Qualifier = "R", Label = Ms21Labels.AmbientMicrophone, Process = TrackProcess.Ambient, Side = 1 })]] = sources;
            }
            else
            {
                Mixes[Tracks[Track(new TrackPlan { Key = key, Label = Ms21Labels.AmbientMicrophone, Process = TrackProcess.Ambient, Channels = 2 })]] = sources;
            }
        }

        private GrooveStyle GrooveOf(InstrumentKind kind)
        {
            var kit = Parts.FirstOrDefault(p => KitPieces.ContainsKey(p.Id));
            return kit?.Request.Groove ?? GrooveStyle.Pop;
        }

        /// <summary>Which sections a part of this role plays in; most roles sit out at least one section so tracks have real silences.</summary>
        private bool[] Arrangement(Role role)
        {
            var sections = ctx.Sections;
            var on = new bool[sections.Count];
            for (var i = 0; i < on.Length; i++)
            {
                var kind = sections[i].Kind;
                var p = role switch
                {
                    Role.Always or Role.Fx => 1.0,
                    Role.Drums => kind is SectionKind.Intro or SectionKind.Break ? 0.3 : 1.0,
                    Role.Bass => kind is SectionKind.Intro ? 0.2 : (kind is SectionKind.Break ? 0.5 : 1.0),
                    Role.Rhythm => kind is SectionKind.Intro ? 0.6 : 0.8,
                    Role.Lead => kind is SectionKind.Chorus or SectionKind.Bridge or SectionKind.Break ? 0.7 : (kind is SectionKind.Intro ? 0.4 : 0.3),
                    Role.Pad => kind is SectionKind.Break ? 0.9 : 0.6,
                    Role.Vocal => kind is SectionKind.Verse or SectionKind.Chorus or SectionKind.Bridge ? 1.0 : (kind is SectionKind.Outro ? 0.3 : 0.0),
                    Role.Backing => kind is SectionKind.Chorus ? 1.0 : (kind is SectionKind.Bridge ? 0.5 : 0.15),
                    _ => kind is SectionKind.Chorus ? 0.9 : 0.4,
                };
                on[i] = Rng.NextDouble() < p;
            }

            if (!on.Any(x => x))
            {
                on[Rng.Next(on.Length)] = true;
            }

            if (on.Length >= 3 && on.All(x => x) && role is not (Role.Always or Role.Fx) && (role != Role.Drums || Rng.Chance(0.5)))
            {
                on[Rng.Next(1, on.Length)] = false;
            }

            return on;
        }
    }
}
