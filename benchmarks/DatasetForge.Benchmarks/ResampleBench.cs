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

        var sweep = Sweep();
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
                ["default_quality_by_conversion"] = new JsonArray(sweep.Select(q => (JsonNode)new JsonObject
                {
                    ["from"] = q.From,
                    ["to"] = q.To,
                    ["taps_per_output"] = q.Taps,
                    ["band_hz"] = q.Band,
                    ["worst_error_db"] = BenchSupport.Finite(q.WorstError),
                    ["worst_rejection_db"] = BenchSupport.Finite(q.WorstRejection),
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
            BenchSupport.Print("DatasetForge default quality by conversion: worst error over sines in the band, worst rejection of content past the lower Nyquist (aliases or images)",
                ["from", "to", "taps/output", "band", "worst error dB", "worst rejection dB"],
                sweep.Select(q => (IReadOnlyList<string>)[q.From.ToString(), q.To.ToString(), q.Taps.ToString(), q.Band, q.WorstError.ToString("F1"), q.WorstRejection.ToString("F1")]));
        }

        return contest.Errors.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Default quality over several conversions, on 1 s sines at the input rate: the worst error against the analytic
    /// sine for 20 Hz .. min(18 kHz, the passband edge), and the worst rejection of what lies past the lower Nyquist:
    /// for downsampling, tones between the new and the old Nyquist (their aliases); for upsampling, the images
    /// (input rate - f) of tones up to the input Nyquist.
    /// </summary>
    private static List<(int From, int To, int Taps, string Band, double WorstError, double WorstRejection)> Sweep()
    {
        var result = new List<(int, int, int, string, double, double)>();
        foreach (var (from, to) in new[] { (48000, 44100), (96000, 44100), (88200, 44100), (44100, 32000), (22050, 44100), (44100, 48000), (32000, 44100) })
        {
            var nyquist = Math.Min(from, to) / 2.0;
            var top = Math.Min(18000, ResamplerQuality.Default.PassbandFraction * nyquist);
            double[] band = [20, 100, 1000, 5000, 10000, 15000, 18000, top];
            var worstError = band.Where(f => f <= top).Max(f => SineError(from, to, f));
            double worstRejection;
            if (to < from)
            {
                var stops = Enumerable.Range(0, 8).Select(i => nyquist + 50 + ((from / 2.0 * 0.99) - nyquist - 50) * i / 7);
                worstRejection = stops.Min(f => -Levels.AmplitudeToDb(Levels.Rms(Middle(Convert(from, to, f))) / (0.5 / Math.Sqrt(2))));
            }
            else
            {
                var tones = new[] { 0.5, 0.8, 0.9, 0.95, 0.99 }.Select(k => k * from / 2.0);
                worstRejection = tones.Min(f => -Levels.AmplitudeToDb(Tone(Convert(from, to, f), from - f, to) / 0.5));
            }

            var taps = new Resampler(from, to, 1).TapsPerOutput;
            result.Add((from, to, taps, $"20-{top:0} Hz", worstError, worstRejection));
        }

        return result;
    }

    private static float[] Convert(int from, int to, double frequency) =>
        Resampler.Resample(new AudioBuffer(from, [Enumerable.Range(0, from).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * frequency * i / from))).ToArray()]), to).Channels[0];

    private static ReadOnlySpan<float> Middle(float[] y) => y.AsSpan(y.Length / 10, y.Length * 8 / 10);

    private static double SineError(int from, int to, double frequency)
    {
        var y = Convert(from, to, frequency);
        double error = 0, power = 0;
        for (var k = y.Length / 10; k < y.Length * 9 / 10; k++)
        {
            var expected = 0.5 * Math.Sin(2 * Math.PI * frequency * k / to);
            error += (y[k] - expected) * (y[k] - expected);
            power += expected * expected;
        }

        return Levels.PowerToDb(error / power);
    }

    /// <summary>Amplitude of one frequency in the middle of a signal (Hann-windowed correlation).</summary>
    private static double Tone(float[] y, double frequency, int rate)
    {
        var x = Middle(y);
        double re = 0, im = 0, wsum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var w = 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / (x.Length - 1)));
            re += x[i] * w * Math.Cos(2 * Math.PI * frequency * i / rate);
            im += x[i] * w * Math.Sin(2 * Math.PI * frequency * i / rate);
            wsum += w;
        }

        return 2 * Math.Sqrt((re * re) + (im * im)) / wsum;
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
