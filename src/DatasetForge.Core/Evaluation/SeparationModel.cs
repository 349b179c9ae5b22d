using System.Reflection;
using DatasetForge.Audio;

namespace DatasetForge.Evaluation;

/// <summary>
/// A source separation model as inference sees it: it takes a chunk of a mixture and returns one buffer per target,
/// each with the chunk's channels and length. <see cref="OverlapAdd"/> turns it into whole-song separation.
/// Implementations in DatasetForge.Torch wrap checkpoints; the core ships model-free ones for tests and baselines.
/// </summary>
public interface ISeparationModel : IDisposable
{
    /// <summary>Target names, in the order <see cref="Separate"/> returns them.</summary>
    IReadOnlyList<string> Targets { get; }

    /// <summary>The sample rate the model expects; 0 when it works at any rate.</summary>
    int SampleRate { get; }

    AudioBuffer[] Separate(AudioBuffer chunk);
}

/// <summary>Makes models from a spec (a built-in name, or a checkpoint path for the loaders that claim it).</summary>
public interface ISeparationModelLoader
{
    /// <summary>Short name for messages (e.g. "identity", "torch").</summary>
    string Name { get; }

    /// <summary>What specs this loader takes, for help and error messages.</summary>
    string Description { get; }

    bool CanLoad(string spec);

    ISeparationModel Load(string spec);
}

/// <summary>
/// The loaders available to <c>forge separate</c>: the built-ins plus any found in DatasetForge.*.dll assemblies
/// (a class implementing <see cref="ISeparationModelLoader"/> with a public parameterless constructor), which is how
/// the TorchSharp project plugs checkpoint loading in without the core referencing it.
/// </summary>
public sealed class SeparationModelRegistry(IEnumerable<ISeparationModelLoader> loaders)
{
    private readonly ISeparationModelLoader[] loaders = loaders.ToArray();

    public IReadOnlyList<ISeparationModelLoader> Loaders => loaders;

    public static IReadOnlyList<ISeparationModelLoader> BuiltIn => [new IdentityModelLoader(), new MixtureModelLoader()];

    /// <summary>Built-ins plus the loaders found in the given assemblies.</summary>
    public static SeparationModelRegistry Create(IEnumerable<Assembly> assemblies) =>
        new(BuiltIn.Concat(Discover(assemblies)).GroupBy(l => l.GetType()).Select(g => g.First()));

    /// <summary>Loaders in DatasetForge.*.dll next to the running program (and already loaded ones).</summary>
    public static SeparationModelRegistry CreateFromDirectory(string directory)
    {
        var assemblies = new List<Assembly>(AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name?.StartsWith("DatasetForge", StringComparison.Ordinal) == true));
        foreach (var dll in Directory.EnumerateFiles(directory, "DatasetForge.*.dll"))
        {
            var name = AssemblyName.GetAssemblyName(dll);
            if (assemblies.All(a => a.GetName().Name != name.Name))
            {
                try
                {
                    assemblies.Add(Assembly.Load(name));
                }
                catch (Exception e) when (e is FileLoadException or BadImageFormatException or FileNotFoundException)
                {
                    // Not loadable here (e.g. a native dependency is missing): its loaders are simply unavailable.
                }
            }
        }

        return Create(assemblies);
    }

    public static IEnumerable<ISeparationModelLoader> Discover(IEnumerable<Assembly> assemblies)
    {
        foreach (var assembly in assemblies)
        {
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types.Where(t => t is not null).ToArray()!;
            }

            foreach (var type in types)
            {
                if (typeof(ISeparationModelLoader).IsAssignableFrom(type) && type is { IsAbstract: false, IsInterface: false } && type.GetConstructor(Type.EmptyTypes) is not null)
                {
                    yield return (ISeparationModelLoader)Activator.CreateInstance(type)!;
                }
            }
        }
    }

    public ISeparationModel Load(string spec)
    {
        var loader = loaders.FirstOrDefault(l => l.CanLoad(spec))
            ?? throw new EvaluationInputException($"no model loader takes '{spec}'. Available: {string.Join("; ", loaders.Select(l => $"{l.Name} ({l.Description})"))}");
        return loader.Load(spec);
    }
}

/// <summary>`identity`: one target, "identity", equal to the input. For testing the inference path.</summary>
public sealed class IdentityModel : ISeparationModel
{
    public IReadOnlyList<string> Targets { get; } = ["identity"];

    public int SampleRate => 0;

    public AudioBuffer[] Separate(AudioBuffer chunk) => [chunk.Clone()];

    public void Dispose()
    {
    }
}

/// <summary>
/// `mixture[:t1,t2,...]`: the mixture divided equally among the targets (default vocals, bass, drums, other); the
/// estimates sum to the mixture. The classic "MIX" lower bound of SiSEC.
/// </summary>
public sealed class MixtureModel(IReadOnlyList<string> targets) : ISeparationModel
{
    public IReadOnlyList<string> Targets { get; } = targets;

    public int SampleRate => 0;

    public AudioBuffer[] Separate(AudioBuffer chunk)
    {
        var share = 1f / Targets.Count;
        return Targets.Select(_ => new AudioBuffer(chunk.SampleRate, chunk.Channels.Select(c => c.Select(v => v * share).ToArray()).ToArray())).ToArray();
    }

    public void Dispose()
    {
    }
}

internal sealed class IdentityModelLoader : ISeparationModelLoader
{
    public string Name => "identity";

    public string Description => "'identity': returns the input as the one target 'identity'";

    public bool CanLoad(string spec) => spec == "identity";

    public ISeparationModel Load(string spec) => new IdentityModel();
}

internal sealed class MixtureModelLoader : ISeparationModelLoader
{
    public static readonly string[] DefaultTargets = ["vocals", "bass", "drums", "other"];

    public string Name => "mixture";

    public string Description => "'mixture' or 'mixture:t1,t2,...': the mixture shared equally among the targets (baseline)";

    public bool CanLoad(string spec) => spec == "mixture" || spec.StartsWith("mixture:", StringComparison.Ordinal);

    public ISeparationModel Load(string spec)
    {
        var targets = spec == "mixture" ? DefaultTargets : spec["mixture:".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (targets.Length == 0 || targets.Distinct(StringComparer.Ordinal).Count() != targets.Length)
        {
            throw new EvaluationInputException($"'{spec}': give distinct target names, e.g. mixture:vocals,accompaniment");
        }

        return new MixtureModel(targets);
    }
}
