using System.Text.Json;
using DatasetForge.Common;
using DatasetForge.Common.Config;

namespace DatasetForge.Ingest.Catalog;

/// <summary>
/// Everything one song's ingest produced: its catalog rows and what was refused. Stored as
/// <c>work/ingest/&lt;song_id&gt;.json</c>; <see cref="Key"/> hashes the inputs and parameters, so a re-run with the
/// same key skips the song. The catalog CSVs are rebuilt from all units (<see cref="CatalogStore.Rebuild"/>).
/// </summary>
public sealed record SongUnit(
    string Key,
    SongRecord Song,
    IReadOnlyList<TrackRecord> Tracks,
    IReadOnlyList<AsideRecord> Aside,
    IReadOnlyList<QuarantineRecord> Quarantine)
{
    public string SongId => Song.SongId;

    public void Save(string path) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, SchemaValidatedConfig.JsonOptions));

    /// <summary>Reads a unit; null when the file is missing or unreadable (a crash left it, or an older format).</summary>
    public static SongUnit? TryLoad(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<SongUnit>(File.ReadAllText(path), SchemaValidatedConfig.JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
