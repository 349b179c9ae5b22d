using System.Text.Json;
using DatasetForge.Common.Config;
using Json.Schema;

namespace DatasetForge.Ingest.Catalog;

/// <summary>
/// The JSON Schemas of the catalog rows (<c>schemas/catalog-*.schema.json</c>) and a check of rows against them
/// (rows are serialized with snake_case names, as in the CSV headers; empty numbers are null).
/// </summary>
public static class CatalogSchemas
{
    public const string Project = "catalog-project.schema.json";
    public const string Song = "catalog-song.schema.json";
    public const string Track = "catalog-track.schema.json";
    public const string Quarantine = "catalog-quarantine.schema.json";
    public const string Aside = "catalog-aside.schema.json";
    public const string Download = "catalog-download.schema.json";
    public const string ScrapeWarning = "catalog-scrape-warning.schema.json";
    public const string DownloadSidecar = "download-sidecar.schema.json";

    /// <summary>Problems of each row that breaks <paramref name="schemaName"/>, as "row N: ..." lines (empty: all valid).</summary>
    public static IReadOnlyList<string> Validate<T>(IEnumerable<T> rows, string schemaName)
    {
        var schema = SchemaValidatedConfig.Schema(schemaName);
        var problems = new List<string>();
        var index = 0;
        foreach (var row in rows)
        {
            index++;
            var element = JsonSerializer.SerializeToElement(row, SchemaValidatedConfig.JsonOptions);
            var result = schema.Evaluate(element, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (result.IsValid)
            {
                continue;
            }

            foreach (var detail in result.Details ?? [])
            {
                foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
                {
                    problems.Add($"row {index}: {detail.InstanceLocation} {keyword}: {message}");
                }
            }
        }

        return problems;
    }
}
