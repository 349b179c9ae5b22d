using System.Reflection;

namespace DatasetForge.Common.Config;

/// <summary>
/// The repository's `schemas/` and `pipelines/` files, embedded in the core assembly so that `forge` finds its
/// schemas and presets wherever it runs. Names are the repository-relative paths ("schemas/hierarchy.schema.json").
/// </summary>
public static class EmbeddedAssets
{
    private static readonly Assembly Assembly = typeof(EmbeddedAssets).Assembly;

    public static IEnumerable<string> Names => Assembly.GetManifestResourceNames().Order(StringComparer.Ordinal);

    public static bool Exists(string name) => Assembly.GetManifestResourceInfo(Normalize(name)) is not null;

    public static string ReadText(string name)
    {
        using var stream = Assembly.GetManifestResourceStream(Normalize(name))
            ?? throw new FileNotFoundException($"Embedded asset '{name}' not found. Known: {string.Join(", ", Names)}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Reads a YAML/JSON file from disk when <paramref name="pathOrName"/> exists there, else the embedded asset of
    /// that name (so `--rules pipelines/labels/ms21.yaml` works in and outside the repository).
    /// </summary>
    public static (string Text, string Origin) ReadFileOrEmbedded(string pathOrName)
    {
        if (File.Exists(pathOrName))
        {
            return (File.ReadAllText(pathOrName), pathOrName);
        }

        if (Exists(pathOrName))
        {
            return (ReadText(pathOrName), $"(built-in) {Normalize(pathOrName)}");
        }

        throw new FileNotFoundException($"{pathOrName}: no such file, and no built-in asset of that name");
    }

    private static string Normalize(string name) => name.Replace('\\', '/').TrimStart('.', '/');
}
