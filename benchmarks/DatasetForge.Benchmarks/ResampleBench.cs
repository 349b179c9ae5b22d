using System.CommandLine;
using System.Text.Json.Nodes;
using DatasetForge.Audio;
using DatasetForge.Dsp;
using DatasetForge.Dsp.Resampling;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench resample`: 48 -> 44.1 kHz conversion of a 5-minute stereo 16-bit file, file to file, on one core:
/// ours (default and high quality) vs `sox in.wav -r 44100 out.wav rate -v`; plus the quality of each, measured on
/// sines (error against the analytic sine at 44.1 kHz) and on tones above the new Nyquist (rejection).
/// </summary>
public sealed class ResampleBench : IBenchCommand
{
    private static readonly double[] PassFrequencies = [100, 1000, 5000, 10000, 15000, 18000, 20000];
    private static readonly double[] StopFrequencies = [22100, 22500, 23000, 23900];

    public Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "length of the generated test file", DefaultValueFactory = _ => 300 };
        var repeats = new Option<int>("--repeats") { Description = "timed runs per contender", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("resample", "48 -> 44.1 kHz, one core: DatasetForge vs sox rate -v (speed and quality).") { seconds, repeats, json };
        command.SetAction(parse => Run(parse.GetValue(seconds), parse.GetValue(repeats), parse.GetValue(json)));
        return command;
    }

    private static int Run(double seconds, int repeats, bool json)
    {
        var folder = BenchSupport.DataFolder();
        var input = MusicLike.Ensure(folder, 48000, seconds, SampleEncoding.Pcm16);
        var info = AudioFile.ReadInfo(input);
        var outOurs = Path.Combine(folder, "resampled-ours.wav");
        var outHigh = Path.Combine(folder, "resampled-ours-high.wav");
        var outSox = Path.Combine(folder, "resampled-sox.wav");
        var core = BenchSupport.PinToOneCore();
        var contest = new Contest(repeats);
        contest.Add("datasetforge (default)", () => FileResampler.Resample(input, outOurs, 44100).ClippedSamples);
        contest.Add("datasetforge (high)", () => FileResampler.Resample(input, outHigh, 44100, quality: ResamplerQuality.High).ClippedSamples);
        contest.Add("sox rate -v", () => Sox(input, outSox), external: true);
        var rows = contest.Run();
        var audio = info.DurationSeconds;

        // Quality, on 1 s float sines (no quantization in the way).
        var quality = new List<(string Name, double[] Error, double[] Rejection)>
        {
            ("datasetforge (default)", PassFrequencies.Select(f => Error(Ours(f, ResamplerQuality.Default), f)).ToArray(), StopFrequencies.Select(f => Rejection(Ours(f, ResamplerQuality.Default))).ToArray()),
            ("datasetforge (high)", PassFrequencies.Select(f => Error(Ours(f, ResamplerQuality.High), f)).ToArray(), StopFrequencies.Select(f => Rejection(Ours(f, ResamplerQuality.High))).ToArray()),
        };
        try
        {
            quality.Add(("sox rate -v", PassFrequencies.Select(f => Error(SoxSine(folder, f), f)).ToArray(), StopFrequencies.Select(f => Rejection(SoxSine(folder, f))).ToArray()));
        }
        catch (InvalidOperationException e)
        {
            contest.Errors.Add($"sox quality: {e.Message}");
        }

        var ours = rows.FirstOrDefault(r => r.Name == "datasetforge (default)");
        var sox = rows.FirstOrDefault(r => r.Name == "sox rate -v");
        var ratioCpu = ours is null || sox is null ? double.NaN : sox.BestCpu / ours.BestCpu;
        var ratioWall = ours is null || sox is null ? double.NaN : sox.BestWall / ours.BestWall;

        if (json)
        {
            BenchSupport.PrintJson(new JsonObject
            {
                ["benchmark"] = "resample",
                ["input"] = input,
                ["from_rate"] = info.SampleRate,
                ["to_rate"] = 44100,
                ["channels"] = info.Channels,
                ["audio_seconds"] = audio,
                ["core"] = core,
                ["repeats"] = repeats,
                ["results"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["name"] = r.Name,
                    ["best_cpu_s"] = Math.Round(r.BestCpu, 5),
                    ["best_wall_s"] = Math.Round(r.BestWall, 5),
                    ["median_wall_s"] = Math.Round(r.MedianWall, 5),
                    ["x_realtime_cpu"] = Math.Round(audio / r.BestCpu, 1),
                }).ToArray()),
                ["ratio_sox_over_ours_cpu"] = BenchSupport.Finite(ratioCpu),
                ["ratio_sox_over_ours_wall"] = BenchSupport.Finite(ratioWall),
                ["quality"] = new JsonArray(quality.Select(q => (JsonNode)new JsonObject
                {
                    ["name"] = q.Name,
                    ["error_db"] = new JsonObject(PassFrequencies.Select((f, i) => KeyValuePair.Create($"{f:0}", (JsonNode?)BenchSupport.Finite(q.Error[i])))),
                    ["rejection_db"] = new JsonObject(StopFrequencies.Select((f, i) => KeyValuePair.Create($"{f:0}", (JsonNode?)BenchSupport.Finite(q.Rejection[i])))),
                }).ToArray()),
                ["errors"] = new JsonArray(contest.Errors.Select(e => (JsonNode)e).ToArray()),
            });
        }
        else
        {
            Console.WriteLine($"{input}: {info.SampleRate} Hz -> 44100 Hz, {info.Channels} ch, {audio:F1} s; pinned to core {core}; best of {repeats} round-robin runs");
            BenchSupport.Print("48 -> 44.1 kHz file to file, one core", ["contender", "best CPU s", "best wall s", "median wall s", "x real time (CPU)"],
                rows.Select(r => (IReadOnlyList<string>)[r.Name, r.BestCpu.ToString("F3"), r.BestWall.ToString("F3"), r.MedianWall.ToString("F3"), (audio / r.BestCpu).ToString("F0")]));
            Console.WriteLine($"sox / datasetforge (default): CPU {ratioCpu:F2}, wall {ratioWall:F2} (> 1: DatasetForge is faster)");
            BenchSupport.Print("quality 48 -> 44.1 kHz: error vs analytic sine (dB, lower is better) | rejection above 22.05 kHz (dB, higher is better)",
                ["contender", .. PassFrequencies.Select(f => $"err {f / 1000:0.#}k"), .. StopFrequencies.Select(f => $"rej {f / 1000:0.#}k")],
                quality.Select(q => (IReadOnlyList<string>)[q.Name, .. q.Error.Select(e => e.ToString("F1")), .. q.Rejection.Select(e => double.IsPositiveInfinity(e) ? "all zero" : e.ToString("F1"))]));
        }

        return contest.Errors.Count == 0 ? 0 : 1;
    }

    private static int Sox(string input, string output)
    {
        var (code, _, stderr) = BenchSupport.Run("sox", [input, "-r", "44100", output, "rate", "-v"]);
        return code == 0 ? 0 : throw new InvalidOperationException($"sox exited with {code}: {stderr}");
    }

    private static float[] Sine(double frequency) => Enumerable.Range(0, 48000).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * frequency * i / 48000))).ToArray();

    private static float[] Ours(double frequency, ResamplerQuality quality) =>
        Resampler.Resample(new AudioBuffer(48000, [Sine(frequency)]), 44100, quality).Channels[0];

    private static float[] SoxSine(string folder, double frequency)
    {
        var input = Path.Combine(folder, $"sine-{frequency:0}-48k.wav");
        var output = Path.Combine(folder, $"sine-{frequency:0}-sox-44k.wav");
        WavFile.Write(input, new AudioBuffer(48000, [Sine(frequency)]), SampleEncoding.Float32);
        Sox(input, output);
        return AudioFile.ReadAll(output).Channels[0];
    }

    /// <summary>RMS error against the analytic 0.5-amplitude sine at 44.1 kHz, relative to the sine, middle 80%.</summary>
    private static double Error(float[] y, double frequency)
    {
        double error = 0, power = 0;
        for (var k = y.Length / 10; k < y.Length * 9 / 10; k++)
        {
            var expected = 0.5 * Math.Sin(2 * Math.PI * frequency * k / 44100);
            error += (y[k] - expected) * (y[k] - expected);
            power += expected * expected;
        }

        return Levels.PowerToDb(error / power);
    }

    /// <summary>How far below the 0.5-amplitude input the output's RMS lies (middle 80%), in dB.</summary>
    private static double Rejection(float[] y) =>
        -Levels.AmplitudeToDb(Levels.Rms(y.AsSpan(y.Length / 10, y.Length * 8 / 10)) / (0.5 / Math.Sqrt(2)));
}
