using System.IO.Compression;
using System.Text;
using DatasetForge.Audio;
using DatasetForge.Common;
using DatasetForge.Ingest.Catalog;

namespace DatasetForge.Ingest.Synthetic;

/// <summary>Shape of a generated library.</summary>
public sealed record SyntheticLibraryOptions
{
    public int Songs { get; init; } = 8;

    public int TracksPerSong { get; init; } = 8;

    public double Seconds { get; init; } = 10;

    public int SampleRate { get; init; } = 44100;

    public SampleEncoding Encoding { get; init; } = SampleEncoding.Pcm24;

    public CompressionLevel Compression { get; init; } = CompressionLevel.Fastest;

    /// <summary>Add a readme, a preview MP3 stand-in and macOS litter to each archive, as real ones have.</summary>
    public bool Extras { get; init; } = true;

    public int Seed { get; init; } = 1;

    /// <summary>Archive URLs are this plus the archive's file name (null: file URIs of the archives).</summary>
    public string? BaseUrl { get; init; }
}

/// <summary>A generated project: its catalog row, its archive on disk and the track file names inside.</summary>
public sealed record SyntheticProject(ProjectRecord Project, string ArchivePath, IReadOnlyList<string> TrackFiles);

/// <summary>
/// Writes a synthetic multitrack library: one zip per song in the library's naming ("Artist_Title_Full.zip", a
/// top folder, engineer-style track names such as "03_SnareTop.wav"), tracks of deterministic tones and noise with
/// silent gaps (seeded), plus the extras real archives carry. For tests, <c>forge bench ingest</c> and the demo
/// server (pair with <see cref="Scrape.IndexPageWriter"/> and <see cref="Serve.LibraryServer"/>).
/// </summary>
public static class SyntheticLibrary
{
    private static readonly string[] Genres = ["Rock / Punk / Metal", "Pop / Singer-Songwriter", "Electronica / Dance / Experimental", "Acoustic / Jazz / Country / Orchestral"];
    private static readonly string[] SubGenres = ["Indie Rock", "Power Pop", "Synthwave", "Jazz Trio", "Folk", "Hard Rock"];
    private static readonly string[] Adjectives = ["Copper", "Midnight", "Velvet", "Hollow", "Silver", "Paper", "Northern", "Static", "Golden", "Quiet"];
    private static readonly string[] Nouns = ["Lanterns", "Rivers", "Engines", "Saints", "Foxes", "Harbours", "Signals", "Orchards", "Tides", "Wires"];
    private static readonly string[] Words = ["Falling", "Home", "Echo", "Light", "Road", "Summer", "Ghost", "Fire", "Blue", "Waiting", "Heart", "Line"];
    private static readonly string[] TrackNames =
        ["Kick", "SnareTop", "SnareBottom", "HiHat", "Overheads", "Room", "Bass", "BassDI", "ElecGtr1", "ElecGtr2", "AcGtr", "Piano", "Organ", "Synth", "LeadVox", "BackingVox", "Strings", "Brass"];

    public static IReadOnlyList<SyntheticProject> Write(string directory, SyntheticLibraryOptions? options = null)
    {
        options ??= new SyntheticLibraryOptions();
        Directory.CreateDirectory(directory);
        var random = new Random(options.Seed);
        var projects = new List<SyntheticProject>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < options.Songs; s++)
        {
            var artist = $"The {Pick(random, Adjectives)} {Pick(random, Nouns)}";
            var title = $"{Pick(random, Words)} {Pick(random, Words)}";
            var stem = $"{artist.Replace(" ", string.Empty, StringComparison.Ordinal)}_{title.Replace(" ", string.Empty, StringComparison.Ordinal)}";
            while (!usedNames.Add(stem))
            {
                title += " II";
                stem += "II";
            }

            var archive = Path.Combine(directory, stem + "_Full.zip");
            var tracks = WriteArchive(archive, stem, options, options.Seed * 7919 + s);
            var url = options.BaseUrl is { } baseUrl ? baseUrl.TrimEnd('/') + "/" + Path.GetFileName(archive) : new Uri(Path.GetFullPath(archive)).AbsoluteUri;
            var preview = options.BaseUrl is { } b ? b.TrimEnd('/') + "/previews/" + stem + "_Preview.mp3" : string.Empty;
            var project = new ProjectRecord(
                BroadGenre: Genres[s % Genres.Length],
                SubGenre: Pick(random, SubGenres),
                Title: title,
                Artist: artist,
                ArchiveUrl: url,
                PreviewUrl: preview,
                PageUrl: options.BaseUrl ?? string.Empty,
                OtherArchiveUrls: string.Empty,
                ArchiveKind: "full",
                OtherArchiveKinds: string.Empty,
                PreviewKind: preview.Length > 0 ? "full" : string.Empty,
                ListedTracks: tracks.Count,
                ListedSizeBytes: new FileInfo(archive).Length,
                SongId: SongIds.Make(artist, title));
            projects.Add(new SyntheticProject(project, archive, tracks));
        }

        return projects;
    }

    /// <summary>Writes one song archive (atomically) with <see cref="SyntheticLibraryOptions.TracksPerSong"/> tracks; returns the track file names.</summary>
    public static IReadOnlyList<string> WriteArchive(string archivePath, string topFolder, SyntheticLibraryOptions options, int seed)
    {
        var random = new Random(seed);
        var frames = (int)Math.Round(options.Seconds * options.SampleRate);
        var names = new List<string>();
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(archivePath))!, $".{Path.GetFileName(archivePath)}.{Guid.NewGuid():N}.tmp.d");
        Directory.CreateDirectory(staging);
        try
        {
            for (var t = 0; t < options.TracksPerSong; t++)
            {
                var name = $"{t + 1:00}_{TrackNames[t % TrackNames.Length]}{(t >= TrackNames.Length ? (t / TrackNames.Length + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty)}.wav";
                var channels = t % 5 == 4 ? 2 : 1;
                WavFile.Write(Path.Combine(staging, name), Track(random, options.SampleRate, channels, frames), options.Encoding);
                names.Add(name);
            }

            AtomicFile.Write(archivePath, stream =>
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                foreach (var name in names)
                {
                    zip.CreateEntryFromFile(Path.Combine(staging, name), $"{topFolder}/{name}", options.Compression);
                }

                if (options.Extras)
                {
                    AddText(zip, $"{topFolder}/Readme.txt", "Multitrack session. 24-bit WAV, all tracks start at 0:00.\n");
                    AddBytes(zip, $"{topFolder}/{topFolder}_Preview.mp3", Encoding.ASCII.GetBytes("ID3\u0003\0\0\0\0\0\0 synthetic preview stand-in"));
                    AddBytes(zip, $"__MACOSX/{topFolder}/._{names[0]}", [0, 5, 22, 7, 0, 2, 0, 0]);
                    AddBytes(zip, $"{topFolder}/.DS_Store", [0, 0, 0, 1, 66, 117, 100, 49]);
                }
            });
            return names;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>A deterministic track: a tone with a little noise, amplitude-modulated, with a silent stretch.</summary>
    private static AudioBuffer Track(Random random, int sampleRate, int channels, int frames)
    {
        var buffer = new AudioBuffer(sampleRate, channels, frames);
        var frequency = 55 * Math.Pow(2, random.Next(0, 48) / 12.0);
        var amplitude = 0.1 + (0.6 * random.NextDouble());
        var noise = 0.02 + (0.1 * random.NextDouble());
        var silentFrom = (int)(frames * random.NextDouble() * 0.8);
        var silentTo = silentFrom + (int)(frames * 0.1 * random.NextDouble());
        var noiseSeed = random.Next();
        for (var c = 0; c < channels; c++)
        {
            var rng = new Random(noiseSeed + c);
            var data = buffer.Channels[c];
            for (var i = 0; i < frames; i++)
            {
                if (i >= silentFrom && i < silentTo)
                {
                    continue;
                }

                var envelope = 0.6 + (0.4 * Math.Sin(2 * Math.PI * 0.5 * i / sampleRate));
                data[i] = (float)((amplitude * envelope * Math.Sin((2 * Math.PI * frequency * i / sampleRate) + c)) + (noise * ((rng.NextDouble() * 2) - 1)));
            }
        }

        return buffer;
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static void AddText(ZipArchive zip, string name, string text) => AddBytes(zip, name, Encoding.UTF8.GetBytes(text));

    private static void AddBytes(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using var stream = entry.Open();
        stream.Write(bytes);
    }
}

/// <summary>Publishes a synthetic library on a <see cref="Serve.LibraryServer"/>: its archives and its index page(s).</summary>
public static class SyntheticLibraryPublisher
{
    /// <summary>
    /// Maps every project's archive at the path of its <see cref="ProjectRecord.ArchiveUrl"/> (generate the library
    /// with <see cref="SyntheticLibraryOptions.BaseUrl"/> under the server's base URI) and writes index pages of
    /// <paramref name="pageSize"/> projects linked by next-page links (<c>index.html</c>, <c>index-2.html</c>, ...).
    /// Returns the URL of the first page.
    /// </summary>
    public static string Publish(Serve.LibraryServer server, IReadOnlyList<SyntheticProject> projects, int pageSize = int.MaxValue, Scrape.IndexPageOptions? options = null)
    {
        foreach (var project in projects)
        {
            var url = new Uri(project.Project.ArchiveUrl);
            var path = server.BaseUri.IsBaseOf(url) ? Uri.UnescapeDataString(url.AbsolutePath) : "/" + Path.GetFileName(project.ArchivePath);
            server.Map(path, Serve.ServedResource.FromFile(project.ArchivePath, "application/zip"));
        }

        var pages = projects.Select(p => p.Project).Chunk(Math.Max(1, pageSize)).ToList();
        for (var i = 0; i < pages.Count; i++)
        {
            var next = i + 1 < pages.Count ? $"index-{i + 2}.html" : null;
            var html = Scrape.IndexPageWriter.Write(pages[i], (options ?? new Scrape.IndexPageOptions()) with { NextPageUrl = next });
            server.Map(i == 0 ? "index.html" : $"index-{i + 1}.html", Serve.ServedResource.FromText(html));
        }

        return server.UrlOf("index.html");
    }
}
