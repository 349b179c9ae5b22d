namespace DatasetForge.Mixing;

/// <summary>
/// Counter-based randomness for the mix stream: the generator of item (seed, epoch, index) is a pure function of
/// those three numbers (SplitMix64 over them seeds a xoshiro256** state), so an item's plan never depends on which
/// worker made it, in which order, or what was drawn before. Not for cryptography.
/// </summary>
public struct MixRandom
{
    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;

    private MixRandom(ulong seed)
    {
        var x = seed;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>The generator of one item of the stream.</summary>
    public static MixRandom ForItem(ulong seed, long epoch, long index)
    {
        var x = seed ^ 0x6A09E667F3BCC908UL;
        var a = SplitMix(ref x);
        x = a ^ (ulong)epoch;
        var b = SplitMix(ref x);
        x = b ^ (ulong)index;
        return new MixRandom(SplitMix(ref x));
    }

    /// <summary>A generator from one 64-bit seed (tests, tools).</summary>
    public static MixRandom FromSeed(ulong seed) => new(seed);

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max].</summary>
    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>True with probability <paramref name="p"/> (always draws, so the sequence does not depend on p).</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Uniform integer in [0, n) (Lemire's multiply-shift with rejection: unbiased).</summary>
    public long NextLong(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var range = (ulong)n;
        var hi = Math.BigMul(NextUInt64(), range, out var lo);
        if (lo < range)
        {
            var threshold = (0 - range) % range;
            while (lo < threshold)
            {
                hi = Math.BigMul(NextUInt64(), range, out lo);
            }
        }

        return (long)hi;
    }

    public int NextInt(int n) => (int)NextLong(n);

    /// <summary>Uniform integer in [min, max] (inclusive).</summary>
    public long Between(long min, long max) => min + NextLong(max - min + 1);

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
