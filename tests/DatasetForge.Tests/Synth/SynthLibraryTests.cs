using System.IO.Compression;
using System.Text.Json;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Common.Config;
using DatasetForge.Dsp;
using DatasetForge.Synth;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Synth;

public sealed class SynthLibraryTests(SynthLibraryFixture lib) : IClassFixture<SynthLibraryFixture>
{
    private List<LibraryRow> Library => CsvTable.Read<LibraryRow>(lib.Path("library.csv"));

    private List<LabelTruthRow> Labels => CsvTable.Read<LabelTruthRow>(lib.Path("ground_truth", "labels.csv"));

    private List<BleedTruthRow> Bleed => CsvTable.Read<BleedTruthRow>(lib.Path("ground_truth", "bleed.csv"));

    private List<DefectTruthRow> Defects => CsvTable.Read<DefectTruthRow>(lib.Path("ground_truth", "defects.csv"));

    [Fact]
    public void Library_has_the_requested_songs_several_artists_with_more_than_one_song_and_real_genres()
    {
        var rows = Library;
        Assert.Equal(SynthLibraryFixture.Options.Songs, rows.Count);
        Assert.True(rows.GroupBy(r => r.Artist).Count(g => g.Count() > 1) >= 2, "at least two artists with two or more songs");
        var expected = File.ReadAllLines(SharedData.Path("fixtures", "ms21", "mtk", "expected.csv")).Skip(1)
            .Select(l => l.StartsWith('"') ? l[1..l.IndexOf('"', 1)] : l[..l.IndexOf(',')]).ToHashSet();
        Assert.All(rows, r => Assert.Contains(r.BroadGenre, expected));
        foreach (var row in rows)
        {
            var path = lib.Path(row.ArchiveFile);
            Assert.Equal(new FileInfo(path).Length, row.ArchiveBytes);
            Assert.Equal(ContentHash.OfFile(path), row.ArchiveSha256);
            Assert.True(File.Exists(lib.Path(row.PreviewFile)), row.PreviewFile);
            Assert.Matches(@"^archives/[A-Za-z0-9]+_[A-Za-z0-9]+_(Full|Edited)\.zip$", row.ArchiveFile);
        }
    }

    [Fact]
    public void A_synth_library_is_detected_by_ingest_with_its_listed_metadata()
    {
        var importer = DatasetForge.Ingest.Import.DatasetImporters.For(lib.Dir);
        Assert.Equal("synth", importer.Format);
        var scan = importer.Scan(lib.Dir);
        Assert.Empty(scan.Problems);
        var rows = CsvTable.Read<LibraryRow>(Path.Combine(lib.Dir, "library.csv"));
        Assert.Equal(rows.Select(r => r.SongId), scan.Songs.Select(s => s.SongId));
        Assert.All(scan.Songs, s => Assert.True(File.Exists(Assert.Single(s.Archives)), s.Origin));
        Assert.Equal(rows.Select(r => r.BroadGenre), scan.Songs.Select(s => s.BroadGenre));
    }

    [Fact]
    public void Exactly_one_archive_is_broken_and_it_really_is()
    {
        var broken = Defects.Where(d => d.Kind == "broken_archive").ToList();
        Assert.Single(broken);
        foreach (var row in Library)
        {
            var path = lib.Path(row.ArchiveFile);
            if (row.ArchiveFile == broken[0].ArchiveFile)
            {
                Assert.Throws<InvalidDataException>(() => ZipFile.OpenRead(path).Dispose());
                continue;
            }

            // Every other archive opens and every entry reads back with a good CRC; its audio files are n_tracks.
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.Length > 0))
            {
                using var s = entry.Open();
                s.CopyTo(Stream.Null);
            }

            Assert.Equal(row.NTracks, zip.Entries.Count(e => IsTrack(e.FullName)));
        }

        // The broken song has no rows in the per-track truth (nothing of it can be extracted).
        var brokenSong = broken[0].SongId;
        Assert.DoesNotContain(Labels, l => l.SongId == brokenSong);
    }

    [Fact]
    public void Defective_files_are_rejected_by_the_reader_with_the_expected_reason()
    {
        var files = Defects.Where(d => d.Kind != "broken_archive").ToList();
        Assert.True(files.Count >= 4, $"{files.Count} defective files");
        Assert.Equal(4, files.Select(f => f.Kind).Distinct().Count());
        using var temp = new TempDir();
        foreach (var defect in files)
        {
            var path = Extract(defect.ArchiveFile, defect.Entry, temp);
            var e = Assert.Throws<AudioFormatException>(() => AudioFile.OpenRead(path).Dispose());
            Assert.Contains(defect.ExpectedReason, e.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_label_is_an_ms21_fine_label_with_its_hierarchy_instrument()
    {
        var track2inst = Ms21Hierarchy();
        foreach (var (label, instrument) in track2inst)
        {
            Assert.Equal(instrument, Ms21Labels.InstrumentOf(label));
        }

        Assert.Equal(track2inst.Count + 2, Ms21Labels.Labels.Count);
        var labels = Labels;
        Assert.NotEmpty(labels);
        foreach (var row in labels)
        {
            var expected = row.Label switch
            {
                "Unused" => "unused",
                "Ambient_Microphone" => "ambient_mic",
                _ => track2inst.TryGetValue(row.Label, out var i) ? i : $"(not in hierarchy.json: {row.Label})",
            };
            Assert.Equal(expected, row.Instrument);
        }

        // Ground truth lists exactly the readable tracks of the readable archives, under their names in the archive.
        var defects = Defects;
        foreach (var row in Library.Where(r => defects.All(d => d.Kind != "broken_archive" || d.ArchiveFile != r.ArchiveFile)))
        {
            using var zip = ZipFile.OpenRead(lib.Path(row.ArchiveFile));
            var names = zip.Entries.Where(e => IsTrack(e.FullName)).Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
            var truth = labels.Where(l => l.SongId == row.SongId).Select(l => l.File)
                .Concat(defects.Where(d => d.SongId == row.SongId && d.File.Length > 0).Select(d => d.File)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(names, truth);
        }
    }

    [Fact]
    public void Plans_cover_the_whole_level1_vocabulary_and_all_naming_styles()
    {
        // Plans only (no audio): cheap to draw many songs.
        var plans = SynthLibrary.PlanAll(new SynthOptions(60, 11, 20));
        var tracks = plans.SelectMany(p => p.Tracks.Where(t => t.Defect is null)).ToList();
        var instruments = tracks.Select(t => Ms21Labels.InstrumentOf(t.Label)).ToHashSet();
        var expected = Ms21Hierarchy().Values.Append("unused").Append("ambient_mic").ToHashSet();
        Assert.Empty(expected.Except(instruments));
        Assert.Equal(Enum.GetValues<NamingStyle>().Length, plans.Select(p => p.Naming).Distinct().Count());
        Assert.Contains(tracks, t => t.Side != 0);
        Assert.Contains(tracks, t => t.File.Any(c => c > 127));
        Assert.Contains(tracks, t => char.IsDigit(t.File[0]));
        Assert.Contains(plans, p => p.Doubles.Count > 0);
        foreach (var plan in plans)
        {
            Assert.Equal(plan.Tracks.Count, plan.Tracks.Select(t => t.File).Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.All(plan.Tracks, t => Assert.True(t.File.IndexOfAny(['/', '\\', ':', '*', '?', '"', '<', '>', '|']) < 0, t.File));
        }
    }

    [Fact]
    public void Every_csv_row_validates_against_its_schema()
    {
        Validate<LibraryRow>("library.csv", "synth-library.schema.json");
        Validate<SongTruthRow>("ground_truth/songs.csv", "synth-songs.schema.json");
        Validate<LabelTruthRow>("ground_truth/labels.csv", "synth-labels.schema.json");
        Validate<ActivityTruthRow>("ground_truth/activity.csv", "synth-activity.schema.json");
        Validate<BleedTruthRow>("ground_truth/bleed.csv", "synth-bleed.schema.json");
        Validate<DefectTruthRow>("ground_truth/defects.csv", "synth-defects.schema.json");
    }

    [Fact]
    public void Written_audio_is_the_rendered_audio_and_injected_and_kit_bleed_match_their_ground_truth()
    {
        var bleed = Bleed;
        var checkedRows = 0;
        using var temp = new TempDir();
        foreach (var plan in lib.Plans.Where(p => !p.Song.BrokenArchive))
        {
            var rows = bleed.Where(b => b.SongId == plan.Song.SongId && b.Kind is "injected" or "kit").ToList();
            var targets = rows.Select(r => r.Track).Distinct().ToList();
            if (targets.Count == 0)
            {
                continue;
            }

            var renderer = lib.Renderer(plan);
            foreach (var file in targets)
            {
                var index = plan.Tracks.ToList().FindIndex(t => t.File == file);
                var track = plan.Tracks[index];
                if (track.Process is TrackProcess.Overheads or TrackProcess.DrumRoom or TrackProcess.Ambient)
                {
                    continue;
                }

                var rendered = renderer.Finish(index);
                var audio = AudioFile.ReadAll(Extract(plan.Song.ArchiveFile, $"{plan.Archive.Folder}/{file}", temp));
                Assert.Equal(rendered.Audio.Length, audio.ChannelCount);
                for (var c = 0; c < audio.ChannelCount; c++)
                {
                    Assert.True(MaxAbsDiff(audio.Channels[c], rendered.Audio[c]) < 1e-4, $"{file}: file differs from the rendered audio");
                }

                // What the file holds beyond its own content, against the sources shaped as the truth says.
                var sr = audio.SampleRate;
                var residual = Subtract(audio.Channels[0], rendered.Own[0]);
                var mine = rows.Where(r => r.Track == file).ToList();
                var shaped = mine.Select(r => BleedInjector.Shape(SourceOf(plan, renderer, r.Source), sr, r.DelayMs!.Value, r.LowpassHz ?? 0, residual.Length, out _)).ToList();
                var gains = LeastSquares(shaped, residual);
                var fitted = new float[residual.Length];
                for (var j = 0; j < shaped.Count; j++)
                {
                    SynthDsp_AddScaled(fitted, shaped[j], gains[j]);
                }

                for (var j = 0; j < shaped.Count; j++)
                {
                    var level = 20 * Math.Log10(Levels.Rms(shaped[j]) * Math.Abs(gains[j]) / SynthDspRms(rendered.Own));
                    Assert.True(Math.Abs(level - mine[j].LevelDb!.Value) < 0.5, $"{file} <- {mine[j].Source}: fitted {level:F2} dB, truth {mine[j].LevelDb} dB");

                    // Independent of this source's recorded delay: with the other sources' bleed removed, the correlation
                    // of what is left with this source (low-passed, not delayed) peaks at the recorded delay.
                    var others = (float[])residual.Clone();
                    for (var k = 0; k < shaped.Count; k++)
                    {
                        if (k != j)
                        {
                            SynthDsp_AddScaled(others, shaped[k], -gains[k]);
                        }
                    }

                    var undelayed = BleedInjector.Shape(SourceOf(plan, renderer, mine[j].Source), sr, 0, mine[j].LowpassHz ?? 0, residual.Length, out _);
                    var lag = (int)Math.Round(mine[j].DelayMs!.Value * sr / 1000);
                    var best = Enumerable.Range(-8, 17).MaxBy(k => Correlation(others, undelayed, lag + k));
                    Assert.True(Math.Abs(best) <= 1, $"{file} <- {mine[j].Source}: correlation peaks {best} samples off the recorded delay");
                    checkedRows++;
                }

                var left = Subtract(residual, fitted);
                Assert.True(Levels.Rms(left) < 0.1 * Levels.Rms(residual), $"{file}: the bleed in the file is not what the truth describes");
            }
        }

        Assert.True(checkedRows >= 3, $"only {checkedRows} bleed rows checked");
        Assert.Contains(bleed, b => b.Kind == "injected");
    }

    [Fact]
    public void Doubled_vocals_are_hard_negatives_with_nothing_injected()
    {
        var bleed = Bleed;
        var negatives = bleed.Where(b => b.Kind == "hard_negative").ToList();
        Assert.NotEmpty(negatives);
        foreach (var row in negatives)
        {
            Assert.DoesNotContain(bleed, b => b.SongId == row.SongId && b.Kind == "injected" && (b.Track == row.Track || b.Track == row.Source));
        }

        // The second take sings the same line but is a different performance: far from a delayed copy.
        var plan = lib.Plans.First(p => p.Doubles.Count > 0 && !p.Song.BrokenArchive);
        var renderer = lib.Renderer(plan);
        var (a, b) = plan.Doubles[0];
        var x = renderer.OwnContent(a)![0];
        var y = renderer.OwnContent(b)![0];
        var sr = plan.Context.SampleRate;
        var maxCorr = Enumerable.Range(-(int)(0.03 * sr), (int)(0.06 * sr) + 1).Where(k => k % 8 == 0).Max(k => Correlation(x, y, k));
        Assert.True(maxCorr < 0.8, $"doubled take correlates {maxCorr:F2} with the lead");
        Assert.True(Correlation(x, x, 0) > 0.99);
    }

    [Fact]
    public void Activity_truth_marks_where_each_track_sounds()
    {
        var activity = CsvTable.Read<ActivityTruthRow>(lib.Path("ground_truth", "activity.csv"));
        var withSilence = 0;
        var total = 0;
        foreach (var plan in lib.Plans.Where(p => !p.Song.BrokenArchive))
        {
            var renderer = lib.Renderer(plan);
            for (var i = 0; i < plan.Tracks.Count; i++)
            {
                var track = plan.Tracks[i];
                if (track.Defect is not null)
                {
                    continue;
                }

                var spans = activity.Where(a => a.SongId == plan.Song.SongId && a.File == track.File).ToList();
                Assert.NotEmpty(spans);
                for (var k = 0; k < spans.Count; k++)
                {
                    Assert.True(spans[k].StartS < spans[k].EndS && spans[k].EndS <= plan.Context.Seconds + 1e-9);
                    Assert.True(k == 0 || spans[k].StartS > spans[k - 1].EndS);
                }

                // Per sample: 0 outside the activity, 1 inside, 2 within 20 ms of an edge (not judged).
                var own = renderer.OwnContent(i)!;
                var sr = plan.Context.SampleRate;
                var mask = new byte[own[0].Length];
                var edge = (int)(0.02 * sr);
                foreach (var s in spans)
                {
                    var a = (int)(s.StartS * sr);
                    var b = Math.Min(mask.Length, (int)(s.EndS * sr));
                    Array.Fill(mask, (byte)1, a, Math.Max(0, b - a));
                }

                foreach (var s in spans)
                {
                    foreach (var t in new[] { s.StartS, s.EndS })
                    {
                        var a = Math.Max(0, (int)(t * sr) - edge);
                        var b = Math.Min(mask.Length, (int)(t * sr) + edge);
                        Array.Fill(mask, (byte)2, a, Math.Max(0, b - a));
                    }
                }

                double inSum = 0, outSum = 0;
                int inCount = 0, outCount = 0;
                for (var n = 0; n < mask.Length; n++)
                {
                    var v = own[0][n] * (double)own[0][n];
                    if (mask[n] == 1)
                    {
                        inSum += v;
                        inCount++;
                    }
                    else if (mask[n] == 0)
                    {
                        outSum += v;
                        outCount++;
                    }
                }

                total++;
                var silent = outCount > sr;
                withSilence += silent ? 1 : 0;
                if (silent && track.Process != TrackProcess.Scratch)
                {
                    var ratio = Math.Sqrt(outSum / outCount) / Math.Sqrt(inSum / inCount);
                    Assert.True(ratio < Levels.DbToAmplitude(-40), $"{plan.Song.SongId}/{track.File}: {20 * Math.Log10(ratio):F1} dB outside its activity");
                }
            }
        }

        Assert.True(withSilence >= total / 2, $"only {withSilence} of {total} tracks have a second or more of silence");
    }

    [Fact]
    public void Formats_vary_like_a_real_library()
    {
        var songs = CsvTable.Read<SongTruthRow>(lib.Path("ground_truth", "songs.csv"));
        var plans = SynthLibrary.PlanAll(new SynthOptions(40, 3, 20));
        Assert.True(plans.Select(p => p.Song.SampleRate).Distinct().Count() >= 3);
        Assert.True(plans.Select(p => p.Song.Encoding).Distinct().Count() >= 3);
        Assert.Contains(plans.SelectMany(p => p.Tracks), t => t.Channels == 2);
        Assert.Contains(plans.SelectMany(p => p.Tracks), t => t.Channels == 1);
        Assert.Equal(SynthLibraryFixture.Options.Songs, songs.Count);
    }

    private static Dictionary<string, string> Ms21Hierarchy()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.Path("fixtures", "ms21", "hierarchy.json")));
        var result = new Dictionary<string, string>();
        foreach (var inst in doc.RootElement.GetProperty("mix").GetProperty("track2inst").EnumerateObject())
        {
            foreach (var label in inst.Value.EnumerateArray())
            {
                result[label.GetString()!] = inst.Name;
            }
        }

        return result;
    }

    private void Validate<T>(string csv, string schemaName)
    {
        var schema = SchemaValidatedConfig.Schema(schemaName);
        var rows = CsvTable.Read<T>(lib.Path(csv));
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var json = JsonSerializer.SerializeToElement(row, SchemaValidatedConfig.JsonOptions);
            var result = schema.Evaluate(json);
            Assert.True(result.IsValid, $"{csv}: {json} does not validate against {schemaName}");
        }
    }

    private string Extract(string archive, string entry, TempDir temp)
    {
        using var zip = ZipFile.OpenRead(lib.Path(archive));
        var e = zip.GetEntry(entry) ?? throw new InvalidOperationException($"{entry} not in {archive}");
        var path = temp.File(Guid.NewGuid().ToString("N") + ".wav");
        e.ExtractToFile(path);
        return path;
    }

    private static bool IsTrack(string entry) =>
        entry.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) && !entry.StartsWith("__MACOSX/", StringComparison.Ordinal);

    private static float[] SourceOf(SongPlan plan, SongRenderer renderer, string file)
    {
        var index = plan.Tracks.ToList().FindIndex(t => t.File == file);
        var own = renderer.OwnContent(index)!;
        var mono = new float[own[0].Length];
        foreach (var c in own)
        {
            for (var i = 0; i < mono.Length; i++)
            {
                mono[i] += c[i] / own.Length;
            }
        }

        return mono;
    }

    private static double MaxAbsDiff(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));

    private static float[] Subtract(float[] a, float[] b) => a.Zip(b).Select(p => p.First - p.Second).ToArray();

    private static void SynthDsp_AddScaled(float[] dst, float[] x, double g)
    {
        for (var i = 0; i < dst.Length; i++)
        {
            dst[i] += (float)(x[i] * g);
        }
    }

    private static double SynthDspRms(float[][] channels) => Math.Sqrt(channels.Sum(c => Levels.SumOfSquares(c)) / channels.Sum(c => c.Length));

    /// <summary>Normalized correlation of x[n] with y[n - lag].</summary>
    private static double Correlation(float[] x, float[] y, int lag)
    {
        double xy = 0, xx = 0, yy = 0;
        for (var n = Math.Max(0, lag); n < x.Length && n - lag < y.Length; n++)
        {
            xy += x[n] * (double)y[n - lag];
            xx += x[n] * (double)x[n];
            yy += y[n - lag] * (double)y[n - lag];
        }

        return xx > 0 && yy > 0 ? xy / Math.Sqrt(xx * yy) : 0;
    }

    /// <summary>Gains g minimizing |r - sum g_j s_j|^2 (normal equations, Gaussian elimination).</summary>
    private static double[] LeastSquares(List<float[]> s, float[] r)
    {
        var m = s.Count;
        var a = new double[m, m + 1];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++)
            {
                a[i, j] = Dot(s[i], s[j]);
            }

            a[i, m] = Dot(s[i], r);
        }

        for (var p = 0; p < m; p++)
        {
            for (var i = p + 1; i < m; i++)
            {
                var f = a[i, p] / a[p, p];
                for (var j = p; j <= m; j++)
                {
                    a[i, j] -= f * a[p, j];
                }
            }
        }

        var g = new double[m];
        for (var i = m - 1; i >= 0; i--)
        {
            var v = a[i, m];
            for (var j = i + 1; j < m; j++)
            {
                v -= a[i, j] * g[j];
            }

            g[i] = v / a[i, i];
        }

        return g;
    }

    private static double Dot(float[] x, float[] y)
    {
        double sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += x[i] * (double)y[i];
        }

        return sum;
    }
}
