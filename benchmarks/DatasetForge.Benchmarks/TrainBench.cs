using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using DatasetForge.Torch;
using DatasetForge.Torch.Data;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench train [--json]`: training step time (forward, loss, backward, Adam, reading the loss) of the
/// Mask-Inference model and of BSRNN at paper sizes in TorchSharp, against the same models written in PyTorch
/// (benchmarks/peers/train_models.py, Debian's python3-torch) on the same batch (written to raw files and read by
/// both), the same device and the same number of threads, in one run. Reports seconds per step (median of the timed
/// steps after the warm-up) and the ratio TorchSharp / PyTorch (goal: at most 1.1). Model sizes are the papers'; the
/// batches are smaller than the papers' (Mask-Inference 2 x 10 s instead of 25 x 10 s, BSRNN 1 x 1 s instead of 2 x
/// 3 s per GPU) so that a step takes seconds, not minutes, on a 2-core CPU; both sides get the same batch.
/// </summary>
internal sealed class TrainBench : IBenchCommand
{
    public Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print JSON (one object per model)" };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        // One thread by default: on this shared 2-core VM, two OpenMP threads on each side got caught in spin-waits behind
        // the other jobs (measured: BSRNN 1 x 0.25 s, 41 s/step on 2 threads against 3.4 s on one, both sides alike).
        var threads = new Option<int>("--threads") { Description = "CPU threads for both sides", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "timed steps per model and side", DefaultValueFactory = _ => 3 };
        var warmup = new Option<int>("--warmup") { Description = "untimed steps first", DefaultValueFactory = _ => 1 };
        var miBatch = new Option<int>("--mi-batch") { Description = "Mask-Inference batch (paper: 25)", DefaultValueFactory = _ => 2 };
        var miSeconds = new Option<double>("--mi-seconds") { Description = "Mask-Inference chunk (paper: 10 s)", DefaultValueFactory = _ => 10 };
        var bsrnnBatch = new Option<int>("--bsrnn-batch") { Description = "BSRNN batch (paper: 2 per GPU)", DefaultValueFactory = _ => 1 };
        var bsrnnSeconds = new Option<double>("--bsrnn-seconds") { Description = "BSRNN chunk (paper: 3 s)", DefaultValueFactory = _ => 1 };
        var models = new Option<string>("--models") { Description = "comma-separated: mask-inference, bsrnn", DefaultValueFactory = _ => "mask-inference,bsrnn" };
        var command = new Command("train", "Training step time of Mask-Inference and BSRNN (paper sizes) in TorchSharp vs the same models in PyTorch, same batch and device.")
        {
            json, device, threads, steps, warmup, miBatch, miSeconds, bsrnnBatch, bsrnnSeconds, models,
        };
        command.SetAction(parse =>
        {
            var deviceName = parse.GetValue(device)!;
            var torchDevice = TorchDevice.Resolve(deviceName);
            var n = parse.GetValue(threads);
            torch.set_num_threads(n);
            var errors = new List<string>();
            var peer = PeerScript(errors);
            var results = new List<JsonObject>();
            foreach (var model in parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var isMi = model == ModelSpec.MaskInference;
                if (!isMi && model != ModelSpec.Bsrnn)
                {
                    Console.Error.WriteLine($"error: unknown model '{model}' (mask-inference, bsrnn)");
                    return 1;
                }

                var batch = parse.GetValue(isMi ? miBatch : bsrnnBatch);
                var seconds = parse.GetValue(isMi ? miSeconds : bsrnnSeconds);
                results.Add(Measure(model, batch, seconds, parse.GetValue(steps), parse.GetValue(warmup), n, torchDevice, deviceName, peer, errors));
            }

            if (parse.GetValue(json))
            {
                BenchSupport.PrintJson(new JsonArray(results.Select(r => (JsonNode)r).ToArray()));
            }
            else
            {
                BenchSupport.Print($"training step, {deviceName}, {n} thread(s): TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch {LibTorchVersion()}) vs PyTorch {results.FirstOrDefault()?["peer_torch"]} ({results.FirstOrDefault()?["peer_blas"]})",
                    ["model", "batch", "chunk s", "params", "TorchSharp s/step", "PyTorch s/step", "ratio"],
                    results.Select(r => (IReadOnlyList<string>)[
                        r["model"]!.ToString(), r["batch"]!.ToString(), r["chunk_s"]!.ToString(), $"{r["params"]} / {r["peer_params"]}",
                        F(r["step_s"]), F(r["peer_step_s"]), F(r["ratio"])]));
                Console.WriteLine("median of the timed steps after the warm-up; ratio = TorchSharp / PyTorch (goal <= 1.1)");
            }

            foreach (var e in errors)
            {
                Console.Error.WriteLine($"error: {e}");
            }

            return errors.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static string F(JsonNode? value) => value is null ? "-" : value.GetValue<double>().ToString("0.###", CultureInfo.InvariantCulture);

    private static JsonObject Measure(string name, int batch, double seconds, int steps, int warmup, int threads, Device device, string deviceName, string? peer, List<string> errors)
    {
        const int rate = 44100;
        var samples = (int)Math.Round(seconds * rate);
        var targetNames = name == ModelSpec.MaskInference ? new[] { "instrument", "stem", "mix" } : ["vocal", "percussion", "bass", "other"];
        var (mixture, targets) = Batch(batch, targetNames.Length, 2, samples);
        manual_seed(1);
        ISeparationModel model = name == ModelSpec.MaskInference
            ? new MaskInferenceNet(rate, 3)
            : new BandSplitRnn(rate, 2, BandScheme.Load("v7"), target: "vocal");
        using var modelScope = model;
        ILossFunction loss = model switch
        {
            MaskInferenceNet mi => new TpsaLoss(mi),
            BandSplitRnn bs => new BsrnnLoss(bs),
            _ => throw new InvalidOperationException(),
        };
        var parameters = model.Module.parameters().Sum(p => p.numel());
        using var trainer = new Trainer(model, loss, new TrainerOptions
        {
            Device = device,
            LearningRate = name == ModelSpec.MaskInference ? 1e-4 : 1e-3,
            GradientClipNorm = name == ModelSpec.Bsrnn ? 5 : null,
            WriteReport = false,
        });
        using var tensors = new MixTensors(tensor(mixture, [batch, 2, samples]).to(device), tensor(targets, [batch, targetNames.Length, 2, samples]).to(device), 0, targetNames, [], rate);
        var times = new List<double>();
        for (var i = 0; i < warmup + steps; i++)
        {
            var start = Stopwatch.GetTimestamp();
            trainer.TrainStep(tensors);
            if (device.type == DeviceType.CUDA)
            {
                cuda.synchronize();
            }

            if (i >= warmup)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        }

        var result = new JsonObject
        {
            ["model"] = name,
            ["device"] = deviceName,
            ["threads"] = threads,
            ["batch"] = batch,
            ["chunk_s"] = seconds,
            ["sample_rate"] = rate,
            ["params"] = parameters,
            ["steps"] = steps,
            ["step_s"] = Median(times),
            ["step_s_all"] = new JsonArray(times.Select(t => (JsonNode)t).ToArray()),
        };
        if (peer is null)
        {
            return result;
        }

        var dir = BenchSupport.Scratch(null, "train");
        try
        {
            WriteFloats(Path.Combine(dir, "mixture.f32"), mixture);
            WriteFloats(Path.Combine(dir, "targets.f32"), targets);
            var bands = model is BandSplitRnn b ? string.Join(',', b.Scheme.Bins(b.NFft, rate).Select(x => $"{x.Start}:{x.End}")) : string.Empty;
            var (code, stdout, stderr) = BenchSupport.Run("/usr/bin/python3", [peer, "--model", name, "--data", dir, "--shape", $"{batch},{targetNames.Length},2,{samples}",
                "--rate", rate.ToString(CultureInfo.InvariantCulture), "--bands", bands, "--steps", steps.ToString(CultureInfo.InvariantCulture),
                "--warmup", warmup.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture), "--device", deviceName]);
            if (code != 0)
            {
                errors.Add($"PyTorch peer ({name}) failed: {stderr.Trim()}");
                return result;
            }

            var peerResult = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!.AsObject();
            var peerTimes = peerResult["step_s"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
            var peerParameters = peerResult["parameters"]!.GetValue<long>();
            if (peerParameters != parameters)
            {
                errors.Add($"{name}: the PyTorch model has {peerParameters} parameters, ours {parameters}: not the same model");
            }

            result["peer_step_s"] = Median(peerTimes);
            result["peer_step_s_all"] = new JsonArray(peerTimes.Select(t => (JsonNode)t).ToArray());
            result["peer_params"] = peerParameters;
            result["peer_threads"] = peerResult["threads"]!.GetValue<int>();
            result["peer_torch"] = peerResult["torch"]!.GetValue<string>();
            result["peer_blas"] = peerResult["blas"]?.GetValue<string>();
            result["ratio"] = Median(times) / Median(peerTimes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return result;
    }

    /// <summary>A deterministic batch: each target a few seeded sines with noise; the mixture their sum.</summary>
    private static (float[] Mixture, float[] Targets) Batch(int batch, int targetCount, int channels, int samples)
    {
        var rng = new Random(7);
        var targets = new float[batch * targetCount * channels * samples];
        var mixture = new float[batch * channels * samples];
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < targetCount; t++)
            {
                var f = 80 + (rng.NextDouble() * 2000);
                for (var c = 0; c < channels; c++)
                {
                    var offset = (((b * targetCount) + t) * channels + c) * samples;
                    for (var i = 0; i < samples; i++)
                    {
                        var v = (float)((0.1 * Math.Sin(2 * Math.PI * f * i / 44100.0)) + (0.01 * ((rng.NextDouble() * 2) - 1)));
                        targets[offset + i] = v;
                        mixture[(((b * channels) + c) * samples) + i] += v;
                    }
                }
            }
        }

        return (mixture, targets);
    }

    private static void WriteFloats(string path, float[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The libtorch package version this build runs on (from the .deps.json next to the binary).</summary>
    private static string LibTorchVersion()
    {
        var deps = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json").FirstOrDefault();
        var match = deps is null ? null : System.Text.RegularExpressions.Regex.Match(File.ReadAllText(deps), "libtorch-cpu-linux-x64/([0-9.]+)");
        return match is { Success: true } ? match.Groups[1].Value : "?";
    }

    /// <summary>The peer script, after making sure Debian's python3-torch is installed (scripts/ensure-bench-deps.sh).</summary>
    private static string? PeerScript(List<string> errors)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peers", "train_models.py");
        if (BenchSupport.Run("/usr/bin/python3", ["-c", "import torch, numpy"]).ExitCode != 0 || BenchSupport.Run("dpkg", ["-s", "libopenblas0-pthread"]).ExitCode != 0)
        {
            Console.Error.WriteLine("bench train: installing the PyTorch peer's packages (scripts/ensure-bench-deps.sh)...");
            var install = BenchSupport.Run("bash", [Path.Combine(BenchSupport.RepoRoot(), "scripts", "ensure-bench-deps.sh")]);
            if (install.ExitCode != 0)
            {
                errors.Add($"PyTorch peer unavailable: {install.Stderr.Trim()}");
                return null;
            }
        }

        return script;
    }
}
