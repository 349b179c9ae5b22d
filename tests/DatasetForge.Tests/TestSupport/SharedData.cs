namespace DatasetForge.Tests.TestSupport;

/// <summary>
/// Locates the workplace's shared folder (oracles, fixtures, peers): $DATASETFORGE_SHARED, else a `shared`
/// folder beside the repository (../shared) or any ancestor, else /work/shared. Tests that need it fail loudly
/// when it is missing rather than skipping silently.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> RootPath = new(Find);

    public static string Root => RootPath.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "DatasetForge.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (DatasetForge.sln) above the test binaries.");
        }
    }

    private static string Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("DATASETFORGE_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(System.IO.Path.Combine(fromEnv, "oracles")))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(System.IO.Path.Combine(candidate, "oracles")))
            {
                return candidate;
            }
        }

        const string fallback = "/work/shared";
        if (Directory.Exists(System.IO.Path.Combine(fallback, "oracles")))
        {
            return fallback;
        }

        throw new InvalidOperationException(
            "The shared folder (oracles/, fixtures/) was not found: set DATASETFORGE_SHARED or place it beside the repository as ../shared.");
    }
}
