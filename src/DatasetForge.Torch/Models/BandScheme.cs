using DatasetForge.Common.Config;

namespace DatasetForge.Torch.Models;

/// <summary>One segment of a band scheme: bands of <see cref="BandwidthHz"/> up to <see cref="UptoHz"/> (null = Nyquist).</summary>
public sealed record BandSegment(double? UptoHz, double? BandwidthHz);

/// <summary>
/// A BSRNN band-split scheme (`pipelines/bsrnn-bands/*.yaml`, schema `bsrnn-bands.schema.json`): bandwidths in Hz,
/// turned into STFT bin ranges for a given n_fft and sample rate by <see cref="Bins"/>. Built in: v1..v7 (v7 is the
/// paper's vocals scheme), bass, drums.
/// </summary>
public sealed record BandScheme
{
    public const string SchemaName = "bsrnn-bands.schema.json";

    public required string Name { get; init; }

    public string? Description { get; init; }

    public required IReadOnlyList<BandSegment> Segments { get; init; }

    public static IReadOnlyList<string> PresetNames =>
        EmbeddedAssets.Names.Where(n => n.StartsWith("pipelines/bsrnn-bands/", StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n)).ToList();

    /// <summary>A preset name (v1..v7, bass, drums) or a YAML file.</summary>
    public static BandScheme Load(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var path = nameOrPath;
        if (!File.Exists(path) && !path.Contains('/') && !path.Contains('\\') && !path.Contains('.'))
        {
            path = $"pipelines/bsrnn-bands/{nameOrPath.ToLowerInvariant()}.yaml";
            if (!EmbeddedAssets.Exists(path))
            {
                throw new FileNotFoundException($"{nameOrPath}: no such file, and no built-in band scheme of that name (built-in: {string.Join(", ", PresetNames)})");
            }
        }

        var scheme = SchemaValidatedConfig.LoadFile<BandScheme>(path, SchemaName);
        for (var i = 0; i < scheme.Segments.Count; i++)
        {
            var upto = scheme.Segments[i].UptoHz;
            if (upto is null && i != scheme.Segments.Count - 1)
            {
                throw new ConfigException(path, $"segments[{i}]: upto_hz null (the Nyquist frequency) must be the last segment");
            }

            if (i > 0 && upto is not null && scheme.Segments[i - 1].UptoHz is { } previous && upto <= previous)
            {
                throw new ConfigException(path, $"segments[{i}]: upto_hz {upto} is not above the previous segment's {previous}");
            }
        }

        return scheme;
    }

    /// <summary>
    /// Bin ranges [start, end) covering bins 0 .. n_fft/2 exactly once: band edges in Hz become bins
    /// round(hz * n_fft / rate), clipped to the spectrum; bands that round to nothing are dropped. Everything above
    /// the last segment's upper edge is one more band.
    /// </summary>
    public IReadOnlyList<(int Start, int End)> Bins(int nFft, int sampleRate)
    {
        var bins = (nFft / 2) + 1;
        var nyquist = sampleRate / 2.0;
        var edges = new List<int> { 0 };
        void Edge(double hz) => edges.Add(Math.Clamp((int)Math.Round(hz * nFft / sampleRate, MidpointRounding.AwayFromZero), 0, bins));
        double from = 0;
        foreach (var segment in Segments)
        {
            var upto = Math.Min(segment.UptoHz ?? nyquist, nyquist);
            if (segment.BandwidthHz is { } width)
            {
                for (var k = 1; from + (k * width) < upto - 1e-9; k++)
                {
                    Edge(from + (k * width));
                }
            }

            if (upto >= nyquist)
            {
                break;
            }

            Edge(upto);
            from = upto;
        }

        edges.Add(bins);
        var result = new List<(int, int)>();
        for (var i = 1; i < edges.Count; i++)
        {
            if (edges[i] > edges[i - 1])
            {
                result.Add((edges[i - 1], edges[i]));
            }
        }

        return result;
    }
}
