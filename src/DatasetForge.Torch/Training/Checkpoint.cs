using System.Text.Json;
using DatasetForge.Common;
using DatasetForge.Common.Config;

namespace DatasetForge.Torch.Training;

/// <summary>What a checkpoint's state.json holds.</summary>
public sealed record CheckpointState(
    long Step,
    long NextBatch,
    string Model,
    string Loss,
    double LearningRate,
    string? Recipe,
    string? RecipeHash,
    string? DatasetKey,
    ulong? StreamSeed,
    int? BatchSize,
    DateTimeOffset Created,
    double? BestValidation = null,
    int? ValidationsSinceBest = null,
    string? Precision = null);

/// <summary>
/// A checkpoint folder `checkpoints/step-NNNNNNNN/`: model.bin (Module.save), optimizer.bin (optimizer state),
/// rng.bin (torch's CPU generator state), state.json (<see cref="CheckpointState"/>: step, the next batch of the
/// stream, recipe hash, dataset key, early-stopping state) and model.json (the model's spec, for inference). Written to a temp folder and renamed, so a checkpoint is complete or absent;
/// `checkpoints/latest` names the newest.
/// </summary>
public static class Checkpoint
{
    public const string ModelFile = "model.bin";
    public const string OptimizerFile = "optimizer.bin";
    public const string RngFile = "rng.bin";
    public const string StateFile = "state.json";

    public static string FolderName(long step) => $"step-{step:D8}";

    /// <summary>Writes a checkpoint under <paramref name="checkpointsDir"/>; <paramref name="write"/> fills the temp folder with the binary files.</summary>
    public static string Write(string checkpointsDir, CheckpointState state, Action<string> write)
    {
        Directory.CreateDirectory(checkpointsDir);
        var final = Path.Combine(checkpointsDir, FolderName(state.Step));
        var temp = Path.Combine(checkpointsDir, $".{FolderName(state.Step)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            write(temp);
            File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, SchemaValidatedConfig.JsonOptions));
            if (Directory.Exists(final))
            {
                Directory.Delete(final, recursive: true);
            }

            Directory.Move(temp, final);
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            throw;
        }

        AtomicFile.WriteAllText(Path.Combine(checkpointsDir, "latest"), FolderName(state.Step) + "\n");
        return final;
    }

    /// <summary>Marks a checkpoint folder as the best so far (`checkpoints/best`).</summary>
    public static void MarkBest(string checkpointDir)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(checkpointDir))!;
        AtomicFile.WriteAllText(Path.Combine(dir, "best"), Path.GetFileName(checkpointDir) + "\n");
    }

    /// <summary>The best checkpoint of a run folder (checkpoints/best), else null.</summary>
    public static string? Best(string runDir)
    {
        var pointer = Path.Combine(runDir, "checkpoints", "best");
        if (!File.Exists(pointer))
        {
            return null;
        }

        var named = Path.Combine(runDir, "checkpoints", File.ReadAllText(pointer).Trim());
        return File.Exists(Path.Combine(named, StateFile)) ? named : null;
    }

    /// <summary>
    /// A checkpoint folder from what a user names: a checkpoint folder itself, or a run folder (its best checkpoint
    /// when it has one, else its latest); null when it is neither.
    /// </summary>
    public static string? Resolve(string path)
    {
        if (File.Exists(Path.Combine(path, StateFile)))
        {
            return path;
        }

        return Best(path) ?? Latest(path);
    }

    public static CheckpointState ReadState(string checkpointDir)
    {
        var path = Path.Combine(checkpointDir, StateFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{checkpointDir}: not a checkpoint (no {StateFile})");
        }

        return JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(path), SchemaValidatedConfig.JsonOptions)
            ?? throw new InvalidDataException($"{path}: empty checkpoint state");
    }

    /// <summary>The newest checkpoint folder of a run folder (via checkpoints/latest), or null.</summary>
    public static string? Latest(string runDir)
    {
        var dir = Path.Combine(runDir, "checkpoints");
        var pointer = Path.Combine(dir, "latest");
        if (File.Exists(pointer))
        {
            var named = Path.Combine(dir, File.ReadAllText(pointer).Trim());
            if (File.Exists(Path.Combine(named, StateFile)))
            {
                return named;
            }
        }

        return Directory.Exists(dir)
            ? Directory.GetDirectories(dir, "step-*").Where(d => File.Exists(Path.Combine(d, StateFile))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
    }
}
