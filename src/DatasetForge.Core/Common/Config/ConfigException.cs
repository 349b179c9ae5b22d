namespace DatasetForge.Common.Config;

/// <summary>One problem in a configuration file, with where it is.</summary>
public sealed record ConfigIssue(string File, int Line, int Column, string Key, string Message)
{
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}: {(Key.Length > 0 ? $"'{Key}': " : string.Empty)}{Message}" : $"{File}: {(Key.Length > 0 ? $"'{Key}': " : string.Empty)}{Message}";
}

/// <summary>A configuration file (YAML/JSON) that is malformed or breaks its schema; lists every issue with line and key.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigIssue> issues)
        : base(string.Join(Environment.NewLine, issues.Select(i => i.ToString())))
    {
        Issues = issues;
    }

    public ConfigException(string file, string message)
        : this([new ConfigIssue(file, 0, 0, string.Empty, message)])
    {
    }

    public IReadOnlyList<ConfigIssue> Issues { get; }
}
