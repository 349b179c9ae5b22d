using System.Globalization;

namespace DatasetForge.Ingest.Probe;

/// <summary>A problem found in a track or song: a short code and the reason, written as <c>code (reason)</c>.</summary>
public sealed record Flag(string Code, string Reason)
{
    public override string ToString() => $"{Code} ({Reason})";

    public static string Join(IEnumerable<Flag> flags) => string.Join("; ", flags.Select(f => f.ToString()));
}

/// <summary>The per-song verdict: flags per track (by index), flags of the song, its rate and length, and its status.</summary>
public sealed record SongVerdict(IReadOnlyList<IReadOnlyList<Flag>> TrackFlags, IReadOnlyList<Flag> SongFlags, int? SampleRate, double? DurationSeconds, string Status);

/// <summary>
/// Checks a song's probed tracks together. Per track: <c>unreadable</c>, <c>empty</c> (no frames), <c>silent</c>
/// (digital silence throughout), <c>dc_offset</c>, <c>sample_rate_mismatch</c> (not the rate most tracks have),
/// <c>length_mismatch</c> (differs from the median length by more than the tolerance). Per song:
/// <c>mixed_sample_rates</c>, <c>length_misaligned</c>, <c>empty_tracks</c>, <c>unreadable_tracks</c>,
/// <c>no_audio</c>. Status: <c>failed</c> when no track has readable, non-empty audio; <c>flagged</c> when any flag
/// is raised; else <c>ok</c>.
/// </summary>
public static class SongChecks
{
    public static SongVerdict Check(IReadOnlyList<TrackProbeResult> tracks, ProbeOptions? options = null)
    {
        options ??= new ProbeOptions();
        var trackFlags = tracks.Select(_ => new List<Flag>()).ToList();
        var songFlags = new List<Flag>();
        var usable = new List<int>();
        for (var i = 0; i < tracks.Count; i++)
        {
            var t = tracks[i];
            if (!t.Readable)
            {
                trackFlags[i].Add(new Flag("unreadable", t.Error ?? "cannot be read"));
                continue;
            }

            if (t.Info!.Frames == 0)
            {
                trackFlags[i].Add(new Flag("empty", "no audio frames"));
                continue;
            }

            usable.Add(i);
            if (t.SilentFraction >= 1.0)
            {
                trackFlags[i].Add(new Flag("silent", "digital silence throughout"));
            }

            if (Math.Abs(t.DcOffset) > options.DcOffsetThreshold)
            {
                trackFlags[i].Add(new Flag("dc_offset", F($"mean {t.DcOffset:+0.0000;-0.0000} on channel {t.DcChannel + 1}")));
            }
        }

        int? rate = null;
        double? duration = null;
        if (usable.Count > 0)
        {
            var rates = usable.GroupBy(i => tracks[i].Info!.SampleRate).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).ToList();
            rate = rates[0].Key;
            if (rates.Count > 1)
            {
                songFlags.Add(new Flag("mixed_sample_rates", string.Join(", ", rates.Select(g => F($"{g.Key} Hz x{g.Count()}")))));
                foreach (var i in usable.Where(i => tracks[i].Info!.SampleRate != rate))
                {
                    trackFlags[i].Add(new Flag("sample_rate_mismatch", F($"{tracks[i].Info!.SampleRate} Hz; most tracks are {rate} Hz")));
                }
            }

            var lengths = usable.Select(i => tracks[i].Info!.DurationSeconds).Order().ToList();
            var median = lengths.Count % 2 == 1 ? lengths[lengths.Count / 2] : (lengths[(lengths.Count / 2) - 1] + lengths[lengths.Count / 2]) / 2;
            duration = Math.Round(median, 6);
            var misaligned = 0;
            foreach (var i in usable)
            {
                var delta = tracks[i].Info!.DurationSeconds - median;
                if (Math.Abs(delta) > options.LengthToleranceSeconds)
                {
                    misaligned++;
                    trackFlags[i].Add(new Flag("length_mismatch", F($"{delta:+0.000;-0.000} s against the song's median {median:0.000} s")));
                }
            }

            if (misaligned > 0)
            {
                songFlags.Add(new Flag("length_misaligned", F($"{misaligned} of {usable.Count} tracks differ from the median length by more than {options.LengthToleranceSeconds:0.###} s")));
            }
        }

        var empty = tracks.Count(t => t.Readable && t.Info!.Frames == 0);
        var unreadable = tracks.Count(t => !t.Readable);
        if (empty > 0)
        {
            songFlags.Add(new Flag("empty_tracks", F($"{empty} track(s) with no audio")));
        }

        if (unreadable > 0)
        {
            songFlags.Add(new Flag("unreadable_tracks", F($"{unreadable} track(s) cannot be read")));
        }

        if (tracks.Count == 0)
        {
            songFlags.Add(new Flag("no_audio", "no audio files found"));
        }

        var status = usable.Count == 0 ? "failed" : songFlags.Count > 0 || trackFlags.Any(f => f.Count > 0) ? "flagged" : "ok";
        return new SongVerdict(trackFlags, songFlags, rate, duration, status);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
