using System.Globalization;
using System.Net;
using System.Text;
using DatasetForge.Audio;
using DatasetForge.Common;
using Rows = System.Collections.Generic.List<System.Collections.Generic.IReadOnlyDictionary<string, string>>;

namespace DatasetForge.Analysis.Report;

/// <summary>What the report builder wrote.</summary>
public sealed record ReportSummary(string OutDir, int Songs, int Tracks, int Pages, int Excerpts, IReadOnlyList<string> Warnings);

/// <summary>
/// The audit report: a static HTML site that opens from disk (`index.html` for the dataset, `songs/&lt;Song&gt;.html`
/// per song): sortable tables (label, instrument, bleed probability, level, delay, likely sources, vocal flags,
/// salient coverage), inline-SVG plots (bleed level histogram, coverage per instrument, a track-to-track bleed
/// matrix per song), WAV excerpts of at most 5 s where a detector fired (`audio/`), and the same data as CSV
/// (`data/`). Reads only `analysis/*.csv` and, for the excerpts, the audio the analysis read.
/// </summary>
public static class ReportBuilder
{
    public const double MaxExcerptSeconds = 5;

    public static ReportSummary Build(AnalysisInput input, string outDir, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var analysis = input.AnalysisDir;
        var warnings = new List<string>();
        Rows Read(string name)
        {
            var path = Path.Combine(analysis, name);
            if (!File.Exists(path) || new FileInfo(path).Length == 0)
            {
                return [];
            }

            return CsvTable.ReadRows(path).Rows.Select(r => (IReadOnlyDictionary<string, string>)r.Fields).ToList();
        }

        if (!File.Exists(Path.Combine(analysis, "bleed.csv")))
        {
            throw new FileNotFoundException($"{analysis}: no bleed.csv; run `forge analyze {input.Root}` first");
        }

        var songs = Read("songs.csv");
        var bleed = Read("bleed.csv");
        var pairs = Read("bleed_pairs.csv");
        var vocal = Read("vocal_quality.csv");
        var segments = Read("segments.csv");
        var paths = input.Songs.SelectMany(s => s.Tracks.Select(t => ((s.SongId, t.File), t.Path))).ToDictionary(x => x.Item1, x => x.Path);
        var folders = input.Songs.ToDictionary(s => s.SongId, s => s.Folder, StringComparer.Ordinal);
        foreach (var s in songs)
        {
            folders.TryAdd(s["song_id"], s.GetValueOrDefault("folder") ?? AnalysisInput.SafeFolder(s["song_id"]));
        }

        Directory.CreateDirectory(outDir);
        var excerpts = 0;
        var trackRows = new List<TrackRow>();
        foreach (var b in bleed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var song = b["song_id"];
            var file = b["file"];
            var v = vocal.FirstOrDefault(r => r["song_id"] == song && r["scope"] == "track" && r["file"] == file);
            var flags = v is null ? [] : new[] { "clipping", "noise_floor", "hum", "dc_offset" }.Where(f => v[f] == "True").ToList();
            var audio = new List<(string Kind, string Href, string Note)>();
            var folder = folders.GetValueOrDefault(song) ?? AnalysisInput.SafeFolder(song);
            var index = trackRows.Count(t => t.SongId == song);
            if (paths.TryGetValue((song, file), out var path))
            {
                void Excerpt(string kind, double start, double seconds, string note)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"t{index:D2}_{kind}.wav");
                    var target = Path.Combine(outDir, "audio", folder, name);
                    try
                    {
                        WriteExcerpt(path, target, start, seconds);
                        audio.Add((kind, $"audio/{Uri.EscapeDataString(folder)}/{name}", note));
                        excerpts++;
                    }
                    catch (Exception e) when (e is AudioFormatException or IOException)
                    {
                        warnings.Add($"{song} / {file}: no {kind} excerpt: {e.Message}");
                    }
                }

                if (b["detected"] == "True")
                {
                    var start = D(b, "excerpt_start_s") ?? 0;
                    var end = D(b, "excerpt_end_s") ?? start + MaxExcerptSeconds;
                    Excerpt("bleed", start, end - start, $"leakage from {b["top_source"]}");
                }

                if (v is not null)
                {
                    if (flags.Contains("clipping"))
                    {
                        Excerpt("clipping", Math.Max(0, (D(v, "clipping_at_s") ?? 0) - 1), 2.5, v["clipping_reason"]);
                    }

                    if (flags.Contains("noise_floor"))
                    {
                        Excerpt("noise", Math.Max(0, (D(v, "noise_floor_at_s") ?? 0) - 1), 3, v["noise_floor_reason"]);
                    }

                    if (flags.Contains("hum") || flags.Contains("dc_offset"))
                    {
                        Excerpt(flags.Contains("hum") ? "hum" : "dc", 0, 3, flags.Contains("hum") ? v["hum_reason"] : v["dc_offset_reason"]);
                    }
                }
            }

            trackRows.Add(new TrackRow(song, folder, file, b.GetValueOrDefault("label") ?? string.Empty, b.GetValueOrDefault("instrument") ?? string.Empty,
                D(b, "bleed_prob") ?? 0, D(b, "bleed_db"), D(b, "delay_ms"), b.GetValueOrDefault("sources") ?? string.Empty, b["detected"] == "True", b["harmful"] == "True",
                v is null ? null : v["vocal_quality"], flags, D(b, "salient_coverage") ?? 0, audio, v));
        }

        // Data as CSV.
        CsvTable.Write(Path.Combine(outDir, "data", "tracks.csv"), trackRows.Select(t => new ReportTrackCsv(t.SongId, t.File, t.Label, t.Instrument, t.BleedProb, t.BleedDb,
            t.DelayMs, t.Sources, t.Detected, t.Harmful, t.VocalQuality ?? string.Empty, string.Join(" | ", t.Flags), t.Coverage, string.Join(" | ", t.Audio.Select(a => a.Href)))));
        foreach (var name in new[] { "songs.csv", "bleed_pairs.csv", "vocal_quality.csv", "bleed.csv" })
        {
            var source = Path.Combine(analysis, name);
            if (File.Exists(source))
            {
                AtomicFile.WriteAllBytes(Path.Combine(outDir, "data", name), File.ReadAllBytes(source));
            }
        }

        // Pages.
        var songIds = songs.Select(s => s["song_id"]).Concat(trackRows.Select(t => t.SongId)).Distinct(StringComparer.Ordinal).ToList();
        var pages = 1;
        foreach (var song in songIds)
        {
            var folder = folders.GetValueOrDefault(song) ?? AnalysisInput.SafeFolder(song);
            var html = SongPage(song, songs.FirstOrDefault(s => s["song_id"] == song), trackRows.Where(t => t.SongId == song).ToList(),
                pairs.Where(p => p["song_id"] == song).ToList(), vocal.Where(v => v["song_id"] == song).ToList());
            AtomicFile.WriteAllText(Path.Combine(outDir, "songs", folder + ".html"), html);
            pages++;
        }

        AtomicFile.WriteAllText(Path.Combine(outDir, "index.html"), IndexPage(input, songs, songIds, folders, trackRows, segments));
        return new ReportSummary(outDir, songIds.Count, trackRows.Count, pages, excerpts, warnings);
    }

    /// <summary>Writes frames [start, start + seconds) (at most 5 s) of <paramref name="source"/> as 16-bit WAV.</summary>
    public static void WriteExcerpt(string source, string target, double start, double seconds)
    {
        using var reader = AudioFile.OpenRead(source);
        var rate = reader.Info.SampleRate;
        var first = (long)Math.Clamp(Math.Round(start * rate), 0, Math.Max(0, reader.Info.Frames - 1));
        var count = (int)Math.Min(Math.Round(Math.Clamp(seconds, 0.1, MaxExcerptSeconds) * rate), reader.Info.Frames - first);
        var buffer = reader.Read(first, Math.Max(0, count));
        WavFile.Write(target, buffer, SampleEncoding.Pcm16);
    }

    private static string IndexPage(AnalysisInput input, Rows songs, List<string> songIds, Dictionary<string, string> folders, List<TrackRow> tracks, Rows segments)
    {
        var sb = new StringBuilder();
        Head(sb, "DatasetForge audit report", string.Empty);
        var withBleed = songs.Count(s => s["has_bleed"] == "True");
        var vocalSongs = songs.Where(s => s.GetValueOrDefault("vocal_quality") is "0" or "1").ToList();
        sb.Append("<h1>Audit report</h1>");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{E(input.Kind.ToString().ToLowerInvariant())} <code>{E(Path.GetFullPath(input.Root))}</code>, hierarchy {E(input.Hierarchy.Name)}. ");
        sb.Append(CultureInfo.InvariantCulture, $"{songIds.Count} songs, {tracks.Count} raw tracks; {withBleed} songs with harmful bleed ({Pct(withBleed, songIds.Count)}); ");
        sb.Append(CultureInfo.InvariantCulture, $"{tracks.Count(t => t.Harmful)} tracks with harmful bleed, {tracks.Count(t => t.Detected && !t.Harmful)} with leakage that does not count (one drum kit, excluded tracks); ");
        sb.Append(CultureInfo.InvariantCulture, $"vocal quality 0 (bleed heard) in {vocalSongs.Count(s => s["vocal_quality"] == "0")} of {vocalSongs.Count} songs with vocals. Data as CSV: <a href=\"data/tracks.csv\">tracks</a>, <a href=\"data/songs.csv\">songs</a>, <a href=\"data/bleed_pairs.csv\">pairs</a>, <a href=\"data/vocal_quality.csv\">vocal quality</a>.</p>");

        sb.Append("<h2>Songs</h2><table class=\"sortable\" id=\"songs\"><thead><tr>");
        Header(sb, ("song", "text"), ("tracks", "number"), ("has bleed", "text"), ("harmful tracks", "number"), ("affected stems", "text"), ("vocal quality", "text"), ("salient coverage", "number"));
        sb.Append("</tr></thead><tbody>");
        foreach (var id in songIds)
        {
            var s = songs.FirstOrDefault(x => x["song_id"] == id);
            var folder = folders.GetValueOrDefault(id) ?? AnalysisInput.SafeFolder(id);
            sb.Append(CultureInfo.InvariantCulture, $"<tr data-song=\"{E(id)}\"><td><a href=\"songs/{E(Uri.EscapeDataString(folder))}.html\">{E(id)}</a></td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{E(s?.GetValueOrDefault("n_tracks") ?? tracks.Count(t => t.SongId == id).ToString(CultureInfo.InvariantCulture))}</td>");
            var bleed = s?.GetValueOrDefault("has_bleed") == "True";
            sb.Append(CultureInfo.InvariantCulture, $"<td class=\"{(bleed ? "bad" : "good")}\">{(bleed ? "yes" : "no")}</td><td>{E(s?.GetValueOrDefault("harmful_tracks") ?? string.Empty)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{E(s?.GetValueOrDefault("affected_stems") ?? string.Empty)}</td><td>{E(s?.GetValueOrDefault("vocal_quality") ?? string.Empty)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{E(PctText(s?.GetValueOrDefault("salient_coverage")))}</td></tr>");
        }

        sb.Append("</tbody></table>");

        sb.Append("<h2>Plots</h2><div class=\"plots\">");
        sb.Append(Svg.Histogram("Bleed level of tracks with detected leakage", tracks.Where(t => t.Detected && t.BleedDb is not null).Select(t => t.BleedDb!.Value).ToList(),
            -60, 0, 3, "leakage level, dB relative to the track's own content"));
        var byInstrument = tracks.GroupBy(t => t.Instrument).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Average(t => t.Coverage), g.Count())).ToList();
        sb.Append(Svg.Bars("Salient coverage per instrument (raw tracks, BSRNN segments)", byInstrument, "fraction of 6 s segments that are salient"));
        var stems = segments.Where(s => s["source"] == "stem" && s["method"] == "bsrnn" && s["level"] == "1").GroupBy(s => s["name"]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count(s => s["salient"] == "True") / (double)g.Count(), g.Count())).ToList();
        if (stems.Count > 0)
        {
            sb.Append(Svg.Bars("Salient coverage per level-1 stem (BSRNN segments)", stems, "fraction of 6 s segments that are salient"));
        }

        sb.Append("</div>");
        sb.Append("<h2>Tracks</h2>");
        TrackTable(sb, tracks, true);
        Tail(sb, tracks.Count + songIds.Count);
        return sb.ToString();
    }

    private static string SongPage(string song, IReadOnlyDictionary<string, string>? summary, List<TrackRow> tracks, Rows pairs, Rows vocal)
    {
        var sb = new StringBuilder();
        Head(sb, song, "../");
        sb.Append(CultureInfo.InvariantCulture, $"<p><a href=\"../index.html\">&larr; all songs</a></p><h1>{E(song)}</h1>");
        if (summary is not null)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"<p class=\"meta\">has bleed: <b>{(summary["has_bleed"] == "True" ? "yes" : "no")}</b>; harmful tracks: {E(summary.GetValueOrDefault("harmful_tracks") ?? "0")}; affected instruments: {E(Or(summary.GetValueOrDefault("affected_instruments")))}; affected stems: {E(Or(summary.GetValueOrDefault("affected_stems")))}; vocal quality: {E(Or(summary.GetValueOrDefault("vocal_quality")))}.</p>");
        }

        sb.Append("<h2>Tracks</h2>");
        TrackTable(sb, tracks, false);
        var names = tracks.Select(t => t.File).ToList();
        var lookup = pairs.ToDictionary(p => (p["file"], p["source"]), p => p);
        sb.Append("<h2>Track-to-track bleed</h2>");
        sb.Append(Svg.Matrix("Which track hears which", names, (i, j) =>
            lookup.TryGetValue((names[i], names[j]), out var p) ? (D(p, "pair_prob") ?? 0, D(p, "level_db"), p["relation"]) : null));
        var voc = vocal.Where(v => v["scope"] == "track").ToList();
        if (voc.Count > 0)
        {
            sb.Append("<h2>Vocal quality</h2><table class=\"sortable\" id=\"vocal\"><thead><tr>");
            Header(sb, ("file", "text"), ("vocal quality", "number"), ("why", "text"), ("clipping", "text"), ("noise floor dBFS", "number"), ("hum", "text"), ("DC offset dBFS", "number"));
            sb.Append("</tr></thead><tbody>");
            foreach (var v in voc)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<tr data-file=\"{E(v["file"])}\"><td>{E(v["file"])}</td><td>{E(v["vocal_quality"])}</td><td>{E(v["vocal_quality_reason"])}</td>");
                sb.Append(CultureInfo.InvariantCulture, $"<td class=\"{Cls(v["clipping"])}\" title=\"{E(v["clipping_reason"])}\">{E(v["clipping_reason"])}</td>");
                sb.Append(CultureInfo.InvariantCulture, $"<td class=\"{Cls(v["noise_floor"])}\" title=\"{E(v["noise_floor_reason"])}\">{E(v["noise_floor_dbfs"])}</td>");
                sb.Append(CultureInfo.InvariantCulture, $"<td class=\"{Cls(v["hum"])}\" title=\"{E(v["hum_reason"])}\">{E(v["hum_reason"])}</td>");
                sb.Append(CultureInfo.InvariantCulture, $"<td class=\"{Cls(v["dc_offset"])}\" title=\"{E(v["dc_offset_reason"])}\">{E(v["dc_offset_dbfs"])}</td></tr>");
            }

            sb.Append("</tbody></table>");
        }

        var likely = pairs.Where(p => (D(p, "pair_prob") ?? 0) >= 0.1).OrderByDescending(p => D(p, "pair_prob")).ToList();
        sb.Append("<h2>Likely relations (pair probability at least 0.1)</h2><table class=\"sortable\" id=\"pairs\"><thead><tr>");
        Header(sb, ("track", "text"), ("hears", "text"), ("probability", "number"), ("level dB", "number"), ("delay ms", "number"), ("relation", "text"), ("harmful", "text"),
            ("PSR quiet", "number"), ("PSR all", "number"), ("coherence", "number"), ("energy z", "number"));
        sb.Append("</tr></thead><tbody>");
        foreach (var p in likely)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(p["file"])}</td><td>{E(p["source"])}</td><td>{E(p["pair_prob"])}</td><td>{E(p["level_db"])}</td><td>{E(p["delay_ms"])}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{E(p["relation"])}</td><td>{E(p["harmful"] == "True" ? "yes" : "no")}</td><td>{E(p["psr_quiet"])}</td><td>{E(p["psr_all"])}</td><td>{E(p["coherence"])}</td><td>{E(p["energy_z"])}</td></tr>");
        }

        sb.Append("</tbody></table>");
        Tail(sb, tracks.Count + likely.Count);
        return sb.ToString();
    }

    private static void TrackTable(StringBuilder sb, List<TrackRow> tracks, bool withSong)
    {
        sb.Append(CultureInfo.InvariantCulture, $"<table class=\"sortable\" id=\"tracks\"><thead><tr>");
        if (withSong)
        {
            Header(sb, ("song", "text"));
        }

        Header(sb, ("file", "text"), ("label", "text"), ("instrument", "text"), ("bleed prob", "number"), ("level dB", "number"), ("delay ms", "number"), ("likely sources", "text"),
            ("harmful", "text"), ("vocal flags", "text"), ("salient coverage", "number"), ("listen", "text"));
        sb.Append("</tr></thead><tbody>");
        var prefix = withSong ? string.Empty : "../";
        foreach (var t in tracks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr data-song=\"{E(t.SongId)}\" data-file=\"{E(t.File)}\">");
            if (withSong)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<td><a href=\"songs/{E(Uri.EscapeDataString(t.Folder))}.html\">{E(t.SongId)}</a></td>");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<td>{E(t.File)}</td><td>{E(t.Label)}</td><td>{E(t.Instrument)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td class=\"{(t.Harmful ? "bad" : t.Detected ? "warn" : string.Empty)}\">{t.BleedProb:F2}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{(t.Detected && t.BleedDb is { } l ? l.ToString("F1", CultureInfo.InvariantCulture) : string.Empty)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{(t.Detected && t.DelayMs is { } d ? d.ToString("F2", CultureInfo.InvariantCulture) : string.Empty)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{E(t.Detected ? t.Sources : string.Empty)}</td><td>{(t.Harmful ? "yes" : t.Detected ? "no (kit/excluded)" : string.Empty)}</td>");
            var flags = t.VocalQuality is null ? string.Empty : (t.VocalQuality == "0" ? "bleed heard" : "clean") + (t.Flags.Count > 0 ? "; " + string.Join(", ", t.Flags) : string.Empty);
            sb.Append(CultureInfo.InvariantCulture, $"<td class=\"{(t.Flags.Count > 0 || t.VocalQuality == "0" ? "warn" : string.Empty)}\">{E(flags)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{t.Coverage * 100:F0}%</td><td>");
            foreach (var (kind, href, note) in t.Audio)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<div class=\"excerpt\" title=\"{E(note)}\"><span>{E(kind)}</span><audio controls preload=\"none\" src=\"{E(prefix + href)}\"></audio></div>");
            }

            sb.Append("</td></tr>");
        }

        sb.Append("</tbody></table>");
    }

    private static void Head(StringBuilder sb, string title, string prefix)
    {
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title><style>{Css}</style></head><body data-ready=\"0\" data-root=\"{E(prefix)}\">");
    }

    private static void Tail(StringBuilder sb, int rows)
    {
        sb.Append(CultureInfo.InvariantCulture, $"<footer>Generated by DatasetForge <code>forge report</code>. Click a column header to sort.</footer><script>{Script}</script></body></html>");
        _ = rows;
    }

    private static void Header(StringBuilder sb, params (string Name, string Type)[] columns)
    {
        foreach (var (name, type) in columns)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<th data-type=\"{type}\" tabindex=\"0\">{E(name)}</th>");
        }
    }

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);

    private static string Or(string? s) => string.IsNullOrEmpty(s) ? "none" : s;

    private static string Cls(string flag) => flag == "True" ? "warn" : string.Empty;

    private static string Pct(int a, int b) => b == 0 ? "0%" : (100.0 * a / b).ToString("F0", CultureInfo.InvariantCulture) + "%";

    private static string PctText(string? fraction) =>
        double.TryParse(fraction, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? (v * 100).ToString("F0", CultureInfo.InvariantCulture) + "%" : string.Empty;

    private static double? D(IReadOnlyDictionary<string, string> row, string column) =>
        row.TryGetValue(column, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    private const string Css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}
        table{border-collapse:collapse;margin:.5em 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
        th{background:#f1f1f1;cursor:pointer;user-select:none;position:sticky;top:0}th.asc:after{content:" \25B2"}th.desc:after{content:" \25BC"}
        td.bad{background:#fbd5d5}td.warn{background:#fff1c9}td.good{background:#e2f5e2}.meta{color:#444}.plots{display:flex;flex-wrap:wrap;gap:1em}
        .chart{background:#fafafa;border:1px solid #ddd}.chart .title{font-weight:600;font-size:13px}.chart .bar{fill:#4a7bd0}.chart .tick,.chart .axis,.chart .label{font-size:11px;fill:#333}
        .chart .diag{fill:#ddd}.chart .cell{font-size:10px;fill:#000}.excerpt{display:flex;align-items:center;gap:4px}.excerpt audio{height:28px;width:220px}footer{margin-top:2em;color:#777;font-size:12px}
        """;

    private const string Script = """
        (function(){
          function key(td,type){var t=td?td.textContent.trim():'';if(type==='number'){var v=parseFloat(t);return isNaN(v)?-Infinity:v;}return t.toLowerCase();}
          document.querySelectorAll('table.sortable').forEach(function(table){
            var ths=table.tHead.rows[0].cells;
            Array.prototype.forEach.call(ths,function(th,i){
              function sort(){
                var type=th.getAttribute('data-type');var asc=!th.classList.contains('asc');
                Array.prototype.forEach.call(ths,function(h){h.classList.remove('asc','desc');});
                th.classList.add(asc?'asc':'desc');
                var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
                rows.sort(function(a,b){var x=key(a.cells[i],type),y=key(b.cells[i],type);return (x<y?-1:x>y?1:0)*(asc?1:-1);});
                rows.forEach(function(r){body.appendChild(r);});
              }
              th.addEventListener('click',sort);th.addEventListener('keydown',function(e){if(e.key==='Enter')sort();});
            });
          });
          if(location.hash==='#selftest'){
            var t=document.getElementById('tracks');
            if(t){var h=Array.prototype.filter.call(t.tHead.rows[0].cells,function(c){return c.textContent==='bleed prob';})[0];h.click();h.click();
              var first=t.tBodies[0].rows[0];console.log('selftest first: '+first.getAttribute('data-file'));}
          }
          var rows=document.querySelectorAll('table.sortable tbody tr').length;
          document.body.setAttribute('data-ready','1');document.body.setAttribute('data-rows',String(rows));
          console.log('report ready: '+rows+' rows');
        })();
        """;

    private sealed record TrackRow(string SongId, string Folder, string File, string Label, string Instrument, double BleedProb, double? BleedDb, double? DelayMs, string Sources,
        bool Detected, bool Harmful, string? VocalQuality, List<string> Flags, double Coverage, List<(string Kind, string Href, string Note)> Audio, IReadOnlyDictionary<string, string>? Vocal);
}

/// <summary>One row of the report's `data/tracks.csv`: the tracks table as data.</summary>
public sealed record ReportTrackCsv(string SongId, string File, string Label, string Instrument, double BleedProb, double? BleedDb, double? DelayMs, string Sources,
    bool Detected, bool Harmful, string VocalQuality, string VocalFlags, double SalientCoverage, string Excerpts);
