namespace DatasetForge.Audio;

public enum AudioContainer
{
    Wav,
    Rf64,
    Aiff,
    Aifc,
}

/// <summary>What a file's header says: enough to plan reads without touching the samples.</summary>
public sealed record AudioFileInfo(
    string Path,
    AudioContainer Container,
    SampleEncoding Encoding,
    int SampleRate,
    int Channels,
    long Frames,
    uint ChannelMask = 0,
    int ValidBitsPerSample = 0)
{
    public double DurationSeconds => (double)Frames / SampleRate;

    /// <summary>Bits that carry signal: the extensible header's valid bits when given, else the container size.</summary>
    public int BitDepth => ValidBitsPerSample > 0 ? ValidBitsPerSample : Encoding.BitsPerSample();
}
