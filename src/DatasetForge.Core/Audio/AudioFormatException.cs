namespace DatasetForge.Audio;

/// <summary>
/// A file that is not audio we can read: broken header, truncated data, unsupported encoding. The message always
/// names the file and the reason, so a curator can find and fix it; callers quarantine it and go on.
/// </summary>
public sealed class AudioFormatException : IOException
{
    public AudioFormatException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        FilePath = path;
        Reason = reason;
    }

    public string FilePath { get; }

    public string Reason { get; }
}
