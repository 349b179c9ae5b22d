using DatasetForge.Audio;

namespace DatasetForge.Tests.TestSupport;

/// <summary>Reaches the internal 80-bit float helpers of the AIFF parser.</summary>
public static class AiffHeaderAccess
{
    public static byte[] Extended(double value) => AiffHeader.WriteExtended(value);

    public static double ReadExtended(byte[] bytes) => AiffHeader.ReadExtended(bytes);
}
