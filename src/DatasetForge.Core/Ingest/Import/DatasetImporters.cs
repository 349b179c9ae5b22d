namespace DatasetForge.Ingest.Import;

/// <summary>The importers, and which one a source folder needs.</summary>
public static class DatasetImporters
{
    /// <summary>In detection order: the most specific layouts first, the plain folder last.</summary>
    public static readonly IReadOnlyList<IDatasetImporter> All =
        [new MtkCatalogImporter(), new SynthLibraryImporter(), new MusdbImporter(), new MedleyDbImporter(), new SlakhImporter(), new FolderImporter()];

    public static IReadOnlyList<string> Formats => All.Select(i => i.Format).ToList();

    /// <summary>
    /// The importer for <paramref name="root"/>: the named <paramref name="format"/>, else the first whose layout matches.
    /// Throws <see cref="ArgumentException"/> naming the folder and the reason when none fits.
    /// </summary>
    public static IDatasetImporter For(string root, string? format = null)
    {
        if (!Directory.Exists(root))
        {
            throw new ArgumentException($"{root}: no such folder");
        }

        if (format is { Length: > 0 })
        {
            var named = All.FirstOrDefault(i => i.Format.Equals(format, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"unknown format '{format}' (known: {string.Join(", ", Formats)})");
            if (!named.Detect(root))
            {
                throw new ArgumentException($"{root}: does not look like the '{format}' layout ({Describe(named)})");
            }

            return named;
        }

        return All.First(i => i.Detect(root));
    }

    private static string Describe(IDatasetImporter importer) => importer.Format switch
    {
        "mtk" => "expected catalog/projects.csv from `forge scrape`",
        "synth" => "expected synth.json and library.csv from `forge synth`",
        "musdb" => "expected train/ or test/ with 'Artist - Title' folders holding mixture.wav",
        "medleydb" => "expected <Song>/<Song>_RAW/ or <Song>/<Song>_METADATA.yaml folders",
        "slakh" => "expected Track folders with metadata.yaml and stems/",
        _ => "expected a folder",
    };
}
