using DatasetForge.Common;

namespace DatasetForge.Ingest.Catalog;

/// <summary>Reads and rebuilds the catalog CSVs of one catalog root (see <see cref="CatalogLayout"/>).</summary>
public static class CatalogStore
{
    /// <summary>What a rebuild wrote.</summary>
    public sealed record Totals(int Songs, int Tracks, int Aside, int Quarantined, IReadOnlyDictionary<string, int> SongsByStatus);

    /// <summary>All song units stored under the root, ordered by song id.</summary>
    public static IReadOnlyList<SongUnit> LoadUnits(CatalogLayout layout)
    {
        if (!Directory.Exists(layout.UnitsDir))
        {
            return [];
        }

        return Directory.EnumerateFiles(layout.UnitsDir, "*.json")
            .Where(p => !AtomicFile.IsTempFile(p))
            .Select(SongUnit.TryLoad)
            .OfType<SongUnit>()
            .OrderBy(u => u.SongId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Writes songs.csv, tracks.csv, aside.csv and quarantine.csv (each atomically) from the stored units and the
    /// whole-library stages' quarantine files. Safe to call at any time; cheap compared with ingesting.
    /// </summary>
    public static Totals Rebuild(CatalogLayout layout)
    {
        var units = LoadUnits(layout);
        var tracks = units.SelectMany(u => u.Tracks).ToList();
        var aside = units.SelectMany(u => u.Aside).ToList();
        var quarantine = LoadStageQuarantine(layout)
            .Concat(units.SelectMany(u => u.Quarantine))
            .Distinct()
            .ToList();
        CsvTable.Write(layout.SongsCsv, units.Select(u => u.Song));
        CsvTable.Write(layout.TracksCsv, tracks);
        CsvTable.Write(layout.AsideCsv, aside);
        CsvTable.Write(layout.QuarantineCsv, quarantine);
        var byStatus = units.GroupBy(u => u.Song.Status).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new Totals(units.Count, tracks.Count, aside.Count, quarantine.Count, byStatus);
    }

    /// <summary>Replaces the quarantine rows a whole-library stage (scrape, fetch) reported, then rebuilds quarantine.csv.</summary>
    public static void WriteStageQuarantine(CatalogLayout layout, string stage, IEnumerable<QuarantineRecord> records)
    {
        CsvTable.Write(layout.StageQuarantinePath(stage), records.ToList());
        var units = LoadUnits(layout);
        var all = LoadStageQuarantine(layout).Concat(units.SelectMany(u => u.Quarantine)).Distinct().ToList();
        CsvTable.Write(layout.QuarantineCsv, all);
    }

    public static IReadOnlyList<ProjectRecord> ReadProjects(CatalogLayout layout)
    {
        if (!File.Exists(layout.ProjectsCsv))
        {
            throw new FileNotFoundException($"{layout.ProjectsCsv}: no scraped catalog here (run `forge scrape --out {layout.Root}` first)");
        }

        return CsvTable.Read<ProjectRecord>(layout.ProjectsCsv);
    }

    public static IReadOnlyList<DownloadRecord> ReadDownloads(CatalogLayout layout) =>
        File.Exists(layout.DownloadsCsv) ? CsvTable.Read<DownloadRecord>(layout.DownloadsCsv) : [];

    private static IEnumerable<QuarantineRecord> LoadStageQuarantine(CatalogLayout layout)
    {
        if (!Directory.Exists(layout.StageQuarantineDir))
        {
            return [];
        }

        return Directory.EnumerateFiles(layout.StageQuarantineDir, "*.csv")
            .Where(p => !AtomicFile.IsTempFile(p))
            .Order(StringComparer.Ordinal)
            .SelectMany(CsvTable.Read<QuarantineRecord>)
            .ToList();
    }
}
