using System.CommandLine;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Hierarchy;

namespace DatasetForge.Cli.Commands;

/// <summary>
/// `forge hierarchy show NAME|FILE`: levels, nodes and normalization of a hierarchy (validating it);
/// `forge hierarchy import hierarchy.json --out FILE.yaml`: MS21's JSON format to our YAML.
/// </summary>
internal sealed class HierarchyCommand : IForgeCommand
{
    public Command Create()
    {
        var showTarget = new Argument<string>("hierarchy") { Description = "preset name (ms21, musdb, slakh3, cadenza-classical), YAML file or MS21 hierarchy.json" };
        var show = new Command("show", "Validate a hierarchy and print its levels, nodes and stem normalization.") { showTarget };
        show.SetAction(parse => Run(() =>
        {
            var h = HierarchyDefinition.Load(parse.GetValue(showTarget)!);
            Console.WriteLine($"{h.Name} ({h.Origin}): {h.Depth} levels above {h.Labels.Count} fine labels");
            for (var level = 1; level <= h.Depth; level++)
            {
                Console.WriteLine($"level {level} '{h.Levels[level - 1].Name}':");
                foreach (var node in h.NodesAt(level))
                {
                    var norm = node.Normalization == StemNormalization.Peak ? " [peak]" : string.Empty;
                    Console.WriteLine($"  {node.Name}{norm} <- {string.Join(", ", node.Children)}");
                }
            }

            Console.WriteLine($"excluded (never summed): {string.Join("; ", h.ExcludedNodes.Select(n => $"{n.Name} <- {string.Join(", ", n.Children)}"))}");
        }));

        var source = new Argument<string>("json") { Description = "an MS21-style hierarchy.json (track2inst, inst2stem, stem2stem, ...)" };
        var output = new Option<string>("--out") { Description = "YAML file to write", Required = true };
        var import = new Command("import", "Convert an MS21 hierarchy.json into hierarchy YAML (schemas/hierarchy.schema.json).") { source, output };
        import.SetAction(parse => Run(() =>
        {
            var path = parse.GetValue(source)!;
            var h = HierarchyDefinition.FromMs21Json(File.ReadAllText(path), path);
            var outPath = parse.GetValue(output)!;
            AtomicFile.WriteAllText(outPath, h.ToYaml());
            Console.WriteLine($"wrote {outPath}: {h.Depth} levels, {h.Labels.Count} labels");
        }));

        return new Command("hierarchy", "Show, validate and import instrument hierarchies.") { show, import };
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is ConfigException or FileNotFoundException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
