using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DatasetForge.Audio;
using DatasetForge.Benchmarks.Peers;
using DatasetForge.Dsp;
using DatasetForge.Loudness;

namespace DatasetForge.Benchmarks;

/// <summary>
/// `forge bench loudness`: integrated loudness of a 5-minute stereo 44.1 kHz 16-bit file on one core, ours vs
/// libebur128 (P/Invoke; it is fed the file's raw 16-bit frames, its cheapest input, and its time includes the
/// reads) vs ffmpeg's ebur128 filter (timed as a process, -threads 1). Each is run with and without true peak
/// where it can be.
/// </summary>
public sealed partial class LoudnessBench : IBenchCommand
{
    public Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "length of the generated test file", DefaultValueFactory = _ => 300 };
        var repeats = new Option<int>("--repeats") { Description = "timed runs per contender (the best and the median are reported)", DefaultValueFactory = _ => 5 };
        var file = new Option<string?>("--file") { Description = "measure this 16-bit WAV instead of the generated one" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("loudness", "Integrated loudness, one core: DatasetForge vs libebur128 vs ffmpeg ebur128.") { seconds, repeats, file, json };
        command.SetAction(parse => Run(parse.GetValue(file), parse.GetValue(seconds), parse.GetValue(repeats), parse.GetValue(json)));
        return command;
    }

    private static int Run(string? file, double seconds, int repeats, bool json)
    {
        var path = file ?? MusicLike.Ensure(BenchSupport.DataFolder(), 44100, seconds, SampleEncoding.Pcm16);
        var info = AudioFile.ReadInfo(path);
        var core = BenchSupport.PinToOneCore();
        var rows = new List<(string Name, Timing Time, double Lufs, double TruePeak)>();
        var failures = new List<string>();

        void Add(string name, Func<(double Lufs, double TruePeak)> run)
        {
            try
            {
                (double, double) last = default;
                var timing = BenchSupport.Time(() => last = run(), repeats);
                rows.Add((name, timing, last.Item1, last.Item2));
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"{name}: {e.Message}");
                Console.Error.WriteLine($"error: {name}: {e.Message}");
            }
        }

        Add("datasetforge (I)", () => Ours(path, truePeak: false));
        Add("libebur128 (I)", () => Ebur128(path, LibEbur128.ModeI));
        Add("datasetforge (I + true peak)", () => Ours(path, truePeak: true));
        Add("libebur128 (I + true peak)", () => Ebur128(path, LibEbur128.ModeI | LibEbur128.ModeTruePeak));
        Add("ffmpeg ebur128=peak=true", () => Ffmpeg(path));

        var audio = info.DurationSeconds;
        double Ratio(string peer, string ours)
        {
            var p = rows.FirstOrDefault(r => r.Name == peer);
            var o = rows.FirstOrDefault(r => r.Name == ours);
            return p.Time is null || o.Time is null ? double.NaN : p.Time.Best / o.Time.Best;
        }

        var ratios = new (string Name, double Value)[]
        {
            ("libebur128 (I) / datasetforge (I)", Ratio("libebur128 (I)", "datasetforge (I)")),
            ("libebur128 (I+TP) / datasetforge (I+TP)", Ratio("libebur128 (I + true peak)", "datasetforge (I + true peak)")),
            ("ffmpeg (I+TP) / datasetforge (I+TP)", Ratio("ffmpeg ebur128=peak=true", "datasetforge (I + true peak)")),
        };

        if (json)
        {
            var results = new JsonArray();
            foreach (var r in rows)
            {
                results.Add(new JsonObject
                {
                    ["name"] = r.Name,
                    ["best_s"] = Math.Round(r.Time.Best, 5),
                    ["median_s"] = Math.Round(r.Time.Median, 5),
                    ["x_realtime"] = Math.Round(audio / r.Time.Best, 1),
                    ["integrated_lufs"] = BenchSupport.Finite(r.Lufs),
                    ["true_peak_dbtp"] = BenchSupport.Finite(r.TruePeak),
                });
            }

            var ratioObject = new JsonObject();
            foreach (var (name, value) in ratios)
            {
                ratioObject[name] = BenchSupport.Finite(value);
            }

            BenchSupport.PrintJson(new JsonObject
            {
                ["benchmark"] = "loudness",
                ["file"] = path,
                ["sample_rate"] = info.SampleRate,
                ["channels"] = info.Channels,
                ["encoding"] = info.Encoding.ToCatalogName(),
                ["audio_seconds"] = audio,
                ["core"] = core,
                ["repeats"] = repeats,
                ["libebur128_version"] = SafeVersion(),
                ["results"] = results,
                ["ratios_peer_time_over_ours"] = ratioObject,
                ["errors"] = new JsonArray(failures.Select(f => (JsonNode)f).ToArray()),
            });
        }
        else
        {
            Console.WriteLine($"{path}: {info.SampleRate} Hz, {info.Channels} ch, {info.Encoding.ToCatalogName()}, {audio:F1} s; pinned to core {core}; best of {repeats}");
            BenchSupport.Print("integrated loudness, one core", ["contender", "best s", "median s", "x real time", "LUFS", "dBTP"],
                rows.Select(r => (IReadOnlyList<string>)[r.Name, r.Time.Best.ToString("F4"), r.Time.Median.ToString("F4"), (audio / r.Time.Best).ToString("F0"),
                    r.Lufs.ToString("F3"), double.IsNaN(r.TruePeak) ? "-" : r.TruePeak.ToString("F3")]));
            BenchSupport.Print("ratios (peer time / our time; > 1 means DatasetForge is faster)", ["ratio", "value"],
                ratios.Select(r => (IReadOnlyList<string>)[r.Name, r.Value.ToString("F2")]));
        }

        return failures.Count == 0 ? 0 : 1;
    }

    private static string SafeVersion()
    {
        try
        {
            return LibEbur128.Version();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "not installed";
        }
    }

    private static (double, double) Ours(string path, bool truePeak)
    {
        var result = LoudnessMeter.MeasureFile(path, truePeak);
        return (result.IntegratedLufs, result.TruePeakDbtp);
    }

    private static (double, double) Ebur128(string path, int mode)
    {
        using var reader = AudioFile.OpenRead(path);
        var info = reader.Info;
        if (info.Encoding != SampleEncoding.Pcm16 || reader.IsBigEndian)
        {
            throw new InvalidOperationException("the libebur128 contender reads 16-bit little-endian WAV only");
        }

        using var meter = new LibEbur128(info.Channels, info.SampleRate, mode);
        const int chunk = 1 << 16;
        var bytes = new byte[chunk * reader.BlockAlign];
        for (long start = 0; start < info.Frames; start += chunk)
        {
            var n = reader.ReadRaw(start, chunk, bytes);
            meter.AddFrames(MemoryMarshal.Cast<byte, short>(bytes.AsSpan(0, n * reader.BlockAlign)), n);
        }

        var truePeak = double.NaN;
        if ((mode & LibEbur128.ModeTruePeak) == LibEbur128.ModeTruePeak)
        {
            truePeak = Levels.AmplitudeToDb(Enumerable.Range(0, info.Channels).Max(meter.TruePeak));
        }

        return (meter.LoudnessGlobal(), truePeak);
    }

    private static (double, double) Ffmpeg(string path)
    {
        var (code, _, stderr) = BenchSupport.Run("ffmpeg",
            ["-nostdin", "-hide_banner", "-nostats", "-threads", "1", "-filter_threads", "1", "-i", path, "-filter_complex", "ebur128=peak=true", "-f", "null", "-"]);
        if (code != 0)
        {
            throw new InvalidOperationException($"ffmpeg exited with {code}: {stderr[^Math.Min(400, stderr.Length)..]}");
        }

        var summary = stderr[Math.Max(0, stderr.LastIndexOf("Summary:", StringComparison.Ordinal))..];
        var lufs = IntegratedPattern().Match(summary);
        var peak = PeakPattern().Match(summary);
        return (lufs.Success ? double.Parse(lufs.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN,
            peak.Success ? double.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN);
    }

    [GeneratedRegex(@"I:\s+(-?[\d.]+|-inf) LUFS")]
    private static partial Regex IntegratedPattern();

    [GeneratedRegex(@"Peak:\s+(-?[\d.]+|-inf) dBFS")]
    private static partial Regex PeakPattern();
}
