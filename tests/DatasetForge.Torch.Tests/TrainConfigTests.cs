using DatasetForge.Common.Config;
using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;

namespace DatasetForge.Torch.Tests;

[Collection("torch")]
public sealed class TrainConfigTests(TorchFixture fixture)
{
    private static (int Code, string Out, string Err) Forge(params string[] args) => ForgeInProcess.Run(args);

    [Fact]
    public void Every_built_in_config_loads_with_the_papers_settings()
    {
        var names = TrainConfig.PresetNames;
        Assert.Equal(10, names.Count);
        foreach (var name in names)
        {
            var config = TrainConfig.Load(name);
            Assert.Equal(name, config.Name);
            var spec = config.Model.WithDefaults();
            Assert.Contains(spec.Kind, ModelSpec.Kinds);
            MixRecipe.Load(config.Recipe);
            if (spec.Kind == ModelSpec.Bsrnn)
            {
                Assert.NotNull(spec.Target);
                BandScheme.Load(spec.Bands!);
            }
        }

        var mi = TrainConfig.Load("mask-inference");
        Assert.Equal((16000, 1024, 512, 600, 4, 0.3), (mi.Model.SampleRate, mi.Model.NFft, mi.Model.Hop, mi.Model.Hidden, mi.Model.Layers, mi.Model.Dropout));
        Assert.Equal((1e-4, 25), (mi.Optimizer.Lr, mi.BatchSize));
        Assert.Equal(MaskMode.Sequential, TrainConfig.Load("mask-inference-sequential").Model.Masks);
        var bsrnn = TrainConfig.Load("bsrnn-vocal");
        Assert.Equal((2048, 512, 128, 12, "v7"), (bsrnn.Model.NFft, bsrnn.Model.Hop, bsrnn.Model.Features, bsrnn.Model.Modules, bsrnn.Model.Bands));
        Assert.Equal((1e-3, 5.0), (bsrnn.Optimizer.Lr, bsrnn.ClipGradNorm!.Value));
        Assert.Equal("bass", TrainConfig.Load("bsrnn-bass").Model.Bands);
        Assert.Equal("drums", TrainConfig.Load("bsrnn-percussion").Model.Bands);
        Assert.Equal(MaskingMode.Hard, TrainConfig.Load("bsrnn-vocal-masked").Masking!.Mode);
        var pretrain = TrainConfig.Load("mixit-pretrain");
        Assert.Equal((8, false, "mixit"), (pretrain.Model.WithDefaults().Outputs, pretrain.Model.NamedOutputs, pretrain.Loss!.Kind));
        Assert.Equal("runs/mixit-pretrain", TrainConfig.Load("mixit-finetune").InitFrom);
        Assert.Equal(30, TrainConfig.Load("bsrnn-vocal-semi").SemiSupervised!.ThresholdDb);
    }

    [Fact]
    public void The_step_schedule_multiplies_by_the_factor_every_two_epochs()
    {
        var config = TrainConfig.Load("bsrnn-vocal");
        var recipe = MixRecipe.Load("bsrnn");
        var lr = TrainSetup.Schedule(config, recipe)!;
        var period = 2 * recipe.EpochSize / config.BatchSize;                     // 1250 steps
        Assert.Equal(1e-3, lr(0), 12);
        Assert.Equal(1e-3, lr(period - 1), 12);
        Assert.Equal(1e-3 * 0.98, lr(period), 12);
        Assert.Equal(1e-3 * 0.98 * 0.98, lr((2 * period) + 3), 12);
        Assert.Null(TrainSetup.Schedule(TrainConfig.Load("mask-inference"), recipe));
    }

    [Fact]
    public void Bad_configs_and_options_are_clear_errors()
    {
        using var dir = new TempDir();
        var bad = Path.Combine(dir.Path, "bad.yaml");
        File.WriteAllText(bad, "name: bad\nrecipe: bsrnn\nmodel:\n  kind: bsrnn\n  features: -3\n");
        var e = Assert.Throws<ConfigException>(() => TrainConfig.Load(bad));
        Assert.Contains($"{bad}:5", e.Message, StringComparison.Ordinal);

        File.WriteAllText(bad, "name: bad\nrecipe: bsrnn\nmodel: { kind: tiny-masknet }\nmasking: { mode: hard, unit: frame }\n");
        Assert.Throws<ConfigException>(() => TrainConfig.Load(bad));            // hard masking needs a threshold or a quantile

        var (code, _, error) = Forge("train", "bsrnn-vocal", "--steps", "1");
        Assert.Equal(1, code);
        Assert.Contains("no dataset", error, StringComparison.Ordinal);

        (code, _, error) = Forge("train", "bsrnn-vocal", "--dataset", fixture.Root, "--batch", "3");
        Assert.Equal(1, code);
        Assert.Contains("--batch", error, StringComparison.Ordinal);

        File.WriteAllText(bad, $"name: bad\ndataset: {fixture.Root}\nrecipe: bsrnn\nmodel: {{ kind: bsrnn, target: drums }}\n");
        (code, _, error) = Forge("train", bad, "--steps", "1");
        Assert.Equal(1, code);
        Assert.Contains("model.target 'drums' is not a target of the stream", error, StringComparison.Ordinal);

        File.WriteAllText(bad, $"name: bad\ndataset: {fixture.Root}\nrecipe: bsrnn\nmodel: {{ kind: tiny-masknet }}\nloss: {{ kind: mixit }}\n");
        (code, _, error) = Forge("train", bad, "--steps", "1");
        Assert.Equal(1, code);
        Assert.Contains("needs a mixit recipe", error, StringComparison.Ordinal);

        (code, _, error) = Forge("train", Path.Combine(dir.Path, "no-such-folder"), "--recipe", "bsrnn");
        Assert.Equal(1, code);
        Assert.Contains("neither a dataset folder nor a training config", error, StringComparison.Ordinal);
    }
}
