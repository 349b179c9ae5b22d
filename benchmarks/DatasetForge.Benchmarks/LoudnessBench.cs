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
        var contest = new Contest(repeats);
        contest.Add(OursI, () => Ours(path, truePeak: false));
        contest.Add(LibI, () => Ebur128(path, LibEbur128.ModeI));
        contest.Add(OursTp, () => Ours(path, truePeak: true));
        contest.Add(LibTp, () => Ebur128(path, LibEbur128.ModeI | LibEbur128.ModeTruePeak));
        contest.Add(FfmpegTp, () => Ffmpeg(path), external: true);
        var rows = contest.Run();
        var audio = info.DurationSeconds;
        var ratios = new (string Name, string Peer, string Ours)[]
        {
            ("libebur128 / datasetforge (I)", LibI, OursI),
            ("libebur128 / datasetforge (I + true peak)", LibTp, OursTp),
            ("ffmpeg / datasetforge (I + true peak)", FfmpegTp, OursTp),
        }.Select(r => (r.Name, Cpu: Ratio(rows, r.Peer, r.Ours, e => e.BestCpu), Wall: Ratio(rows, r.Peer, r.Ours, e => e.BestWall))).ToArray();

        if (json)
        {
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
                ["results"] = new JsonArray(rows.Select(r =>
                {
                    var (lufs, tp) = ((double, double))r.Value!;
                    return (JsonNode)new JsonObject
                    {
                        ["name"] = r.Name,
                        ["best_cpu_s"] = Math.Round(r.BestCpu, 5),
                        ["best_wall_s"] = Math.Round(r.BestWall, 5),
                        ["median_wall_s"] = Math.Round(r.MedianWall, 5),
                        ["x_realtime_cpu"] = Math.Round(audio / r.BestCpu, 1),
                        ["integrated_lufs"] = BenchSupport.Finite(lufs),
                        ["true_peak_dbtp"] = BenchSupport.Finite(tp),
                    };
                }).ToArray()),
                ["ratios_peer_over_ours_cpu"] = new JsonObject(ratios.Select(r => KeyValuePair.Create(r.Name, (JsonNode?)BenchSupport.Finite(r.Cpu)))),
                ["ratios_peer_over_ours_wall"] = new JsonObject(ratios.Select(r => KeyValuePair.Create(r.Name, (JsonNode?)BenchSupport.Finite(r.Wall)))),
                ["errors"] = new JsonArray(contest.Errors.Select(f => (JsonNode)f).ToArray()),
            });
        }
        else
        {
            Console.WriteLine($"{path}: {info.SampleRate} Hz, {info.Channels} ch, {info.Encoding.ToCatalogName()}, {audio:F1} s; pinned to core {core}; best of {repeats} round-robin runs");
            BenchSupport.Print("integrated loudness, one core", ["contender", "best CPU s", "best wall s", "median wall s", "x real time (CPU)", "LUFS", "dBTP"],
                rows.Select(r =>
                {
                    var (lufs, tp) = ((double, double))r.Value!;
                    return (IReadOnlyList<string>)[r.Name, r.BestCpu.ToString("F4"), r.BestWall.ToString("F4"), r.MedianWall.ToString("F4"),
                        (audio / r.BestCpu).ToString("F0"), lufs.ToString("F3"), double.IsNaN(tp) ? "-" : tp.ToString("F3")];
                }));
            BenchSupport.Print("ratios: peer time / our time (> 1: DatasetForge is faster)", ["ratio", "CPU", "wall"],
                ratios.Select(r => (IReadOnlyList<string>)[r.Name, r.Cpu.ToString("F2"), r.Wall.ToString("F2")]));
        }

        return contest.Errors.Count == 0 ? 0 : 1;
    }

    private const string OursI = "datasetforge (I)";
    private const string LibI = "libebur128 (I)";
    private const string OursTp = "datasetforge (I + true peak)";
    private const string LibTp = "libebur128 (I + true peak)";
    private const string FfmpegTp = "ffmpeg ebur128=peak=true";

    private static double Ratio(IReadOnlyList<Contest.Entry> rows, string peer, string ours, Func<Contest.Entry, double> time)
    {
        var p = rows.FirstOrDefault(r => r.Name == peer);
        var o = rows.FirstOrDefault(r => r.Name == ours);
        return p is null || o is null ? double.NaN : time(p) / time(o);
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
