using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DatasetForge.Synth;

/// <summary>
/// Seeds for every random choice of the generator, derived from the master seed by hashing a path of names
/// ("song", "3", "part", "LeadVocal"), so any song or part can be generated on its own, in any order or in
/// parallel, and always comes out the same. <see cref="Random"/> with an explicit int seed is stable across
/// .NET versions (it uses the legacy seeded algorithm).
/// </summary>
public static class SynthSeed
{
    public static int Derive(int master, params string[] path)
    {
        var text = new StringBuilder().Append(master.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var part in path)
        {
            text.Append('/').Append(part.Length).Append(':').Append(part);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return BinaryPrimitives.ReadInt32LittleEndian(hash) & int.MaxValue;
    }

    public static Random Rng(int master, params string[] path) => new(Derive(master, path));
}

/// <summary>Small helpers for drawing from a <see cref="Random"/>.</summary>
internal static class RandomExtensions
{
    public static double Uniform(this Random rng, double min, double max) => min + (rng.NextDouble() * (max - min));

    public static bool Chance(this Random rng, double probability) => rng.NextDouble() < probability;

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>Index drawn with the given (not necessarily normalized) weights.</summary>
    public static int PickWeighted(this Random rng, IReadOnlyList<double> weights)
    {
        var total = weights.Sum();
        var x = rng.NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }

    public static List<T> Shuffled<T>(this Random rng, IEnumerable<T> items)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }
}
