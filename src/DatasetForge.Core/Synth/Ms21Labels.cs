namespace DatasetForge.Synth;

/// <summary>
/// The MS21 fine labels the generator emits as ground truth, with their level-1 instrument (MS21's
/// `hierarchy.json` `track2inst`, plus `Unused` -> `unused` and `Ambient_Microphone` -> `ambient_mic`).
/// The labelling stage owns the full vocabulary (YAML); this copy only lets the generator stand alone, and a test
/// checks it against the published hierarchy.
/// </summary>
public static class Ms21Labels
{
    public const string Unused = "Unused";
    public const string AmbientMicrophone = "Ambient_Microphone";

    private static readonly Dictionary<string, string> LabelToInstrument = Build();

    /// <summary>Every fine label this table knows (all of MS21's, plus the two non-source labels).</summary>
    public static IReadOnlyCollection<string> Labels => LabelToInstrument.Keys;

    /// <summary>The level-1 instrument of a fine label; throws for a label outside the vocabulary.</summary>
    public static string InstrumentOf(string label) =>
        LabelToInstrument.TryGetValue(label, out var instrument)
            ? instrument
            : throw new ArgumentException($"'{label}' is not an MS21 fine label.", nameof(label));

    private static Dictionary<string, string> Build()
    {
        var table = new (string Instrument, string[] Labels)[]
        {
            ("lead_vocal", ["Lead_Vocal"]),
            ("backing_vocal", ["Backing_Vocal", "Choir"]),
            ("nontonal_percussion", ["Percussion", "Shaker", "Claps", "Clicks", "Maracas", "Tambourine", "Guaracha", "Gong", "Guache",
                "Taiko", "Bass_Drum", "Timpani", "Woodblock", "Handdrum", "Llamador", "Paliteo", "Conga", "Sticks", "Bongo", "Timbale",
                "Pandeiro", "Djembe"]),
            ("drum_set", ["Loop", "Drum_Kick", "Drum_Snare", "Drum_HiHat", "Drum_Cymbals", "Drum_Overheads", "Drum_Tom", "Drum_Room"]),
            ("bass", ["Electric_Bass", "Synth_Bass", "Double_Bass"]),
            ("tonal_percussion", ["Marimba", "Bell", "Chimes", "Anvil", "Triangle", "Other_Chromatic"]),
            ("woodwinds", ["WoodWind_Section", "Flute", "Whistle", "Accordian", "Harmonica", "Clarinet", "Bagpipe", "Saxophone", "Bassoon", "Oboe"]),
            ("brass", ["Brass_Section", "Trumpet", "French_Horn", "Trombone", "Tuba"]),
            ("electronic_keyboards", ["Electric_Organ", "Synthesizer"]),
            ("fx_processed_sound", ["SFX"]),
            ("pianos", ["Piano", "Electric_Piano"]),
            ("electric_guitar", ["Electric_Guitar"]),
            ("acoustic_guitar", ["Acoustic_Guitar"]),
            ("strings", ["String_Section", "Violin", "Fiddle", "Viola", "Cello", "Harp"]),
            ("unused", [Unused]),
            ("ambient_mic", [AmbientMicrophone]),
        };
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (instrument, labels) in table)
        {
            foreach (var label in labels)
            {
                result.Add(label, instrument);
            }
        }

        return result;
    }
}
