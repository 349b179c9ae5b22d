using System.Runtime.InteropServices;
using DatasetForge.Mixing;
using DatasetForge.Tests.TestSupport;

namespace DatasetForge.Tests.Mixing;

public sealed class MixStreamTests(MixFixture fixture) : IClassFixture<MixFixture>
{
    private static async Task<List<byte[]>> Bytes(MixStream stream, CancellationToken token = default)
    {
        var result = new List<byte[]>();
        await foreach (var batch in stream.ReadAllAsync(token))
        {
            using (batch)
            {
                result.Add([.. MemoryMarshal.AsBytes(batch.Mixture), .. MemoryMarshal.AsBytes(batch.Targets)]);
            }
        }

        return result;
    }

    [Theory]
    [InlineData("bsrnn")]
    [InlineData("rms")]
    [InlineData("hierarchical")]
    [InlineData("mixit")]
    public async Task Batches_are_byte_identical_whatever_the_worker_count(string name)
    {
        var recipe = MixFixture.Recipe(name, name == "hierarchical" ? 4 : 1);
        List<byte[]>? reference = null;
        foreach (var (workers, prefetch) in new[] { (1, 1), (2, 0), (4, 3) })
        {
            using var stream = new MixStream(new MixPlanner(fixture.Dataset, recipe, seed: 12),
                new MixStreamOptions { BatchSize = 3, Workers = workers, Prefetch = prefetch, Batches = 6, OpenFiles = 5 });
            var bytes = await Bytes(stream);
            Assert.Equal(6, bytes.Count);
            if (reference is null)
            {
                reference = bytes;
                continue;
            }

            for (var n = 0; n < bytes.Count; n++)
            {
                Assert.True(reference[n].AsSpan().SequenceEqual(bytes[n]), $"{name}: batch {n} differs with {workers} workers");
            }
        }

        using var sync = new MixStream(new MixPlanner(fixture.Dataset, recipe, seed: 12), new MixStreamOptions { BatchSize = 3, Workers = 1 });
        using var third = sync.RenderBatch(2);
        Assert.True(reference![2].AsSpan().SequenceEqual([.. MemoryMarshal.AsBytes(third.Mixture), .. MemoryMarshal.AsBytes(third.Targets)]));
    }

    [Fact]
    public async Task A_stream_started_later_continues_the_same_sequence()
    {
        var recipe = MixFixture.Recipe("bsrnn");
        using var whole = new MixStream(new MixPlanner(fixture.Dataset, recipe, 5), new MixStreamOptions { BatchSize = 2, Workers = 2, Batches = 5 });
        using var resumed = new MixStream(new MixPlanner(fixture.Dataset, recipe, 5), new MixStreamOptions { BatchSize = 2, Workers = 2, StartBatch = 3, Batches = 2 });
        var a = await Bytes(whole);
        var b = await Bytes(resumed);
        Assert.Equal(a.Skip(3), b);
    }

    [Fact]
    public async Task A_slow_consumer_holds_the_producer_at_the_prefetch_depth()
    {
        using var stream = new MixStream(new MixPlanner(fixture.Dataset, MixFixture.Recipe("bsrnn"), 1),
            new MixStreamOptions { BatchSize = 2, Workers = 2, Prefetch = 3 });
        var consumed = 0;
        await foreach (var batch in stream.ReadAllAsync())
        {
            batch.Dispose();
            consumed++;
            await Task.Delay(150);
            if (consumed == 4)
            {
                break;
            }
        }

        // endless stream: without backpressure the workers would have rendered far more than consumed + queue
        Assert.InRange(stream.Rendered.Batches, 4, 4 + 3 + 2);
    }

    [Fact]
    public async Task Stopping_early_and_cancelling_end_the_stream_cleanly()
    {
        using var stream = new MixStream(new MixPlanner(fixture.Dataset, MixFixture.Recipe("bsrnn"), 1), new MixStreamOptions { BatchSize = 2, Workers = 2 });
        await foreach (var batch in stream.ReadAllAsync())
        {
            batch.Dispose();
            break;
        }

        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in stream.ReadAllAsync(cts.Token))
            {
                batch.Dispose();
                if (++seen == 2)
                {
                    await cts.CancelAsync();
                }
            }
        });
    }

    [Fact]
    public async Task A_file_that_breaks_after_loading_ends_the_stream_with_its_name()
    {
        using var dir = new TempDir();
        var built = new DatasetBuilder(dir.Path) { SampleRate = 8000, Seconds = 8 }
            .Song("A - One", "train", "lead_vocal", "drum_set", "bass", "electric_guitar")
            .Build();
        var dataset = MixDataset.Load(dir.Path);
        var broken = built.FullPath("A - One", 2, "bass");
        File.WriteAllBytes(broken, File.ReadAllBytes(broken)[..100]);
        using var stream = new MixStream(new MixPlanner(dataset, MixFixture.Recipe("bsrnn") with { Augment = new MixAugmentOptions() }, 1),
            new MixStreamOptions { BatchSize = 2, Workers = 2, Batches = 3 });
        var e = await Assert.ThrowsAsync<MixRenderException>(() => Bytes(stream));
        Assert.Equal(broken, e.FilePath);
        Assert.Contains(broken, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_handle_cache_keeps_at_most_its_capacity_open_and_closes_evicted_readers_after_their_lease()
    {
        var files = fixture.Dataset.Stems.Take(4).Select(s => fixture.Dataset.FullPath(s.Path)).ToList();
        using var cache = new AudioHandleCache(capacity: 2);
        var held = cache.Rent(files[0]);
        using (cache.Rent(files[1]))
        {
        }

        using (cache.Rent(files[2]))
        {
        }

        Assert.Equal(2, cache.OpenCount);

        // files[0] was evicted while leased: still readable until released
        Assert.Equal(100, held.Reader.Read(0, 100).Frames);
        held.Dispose();
        Assert.Throws<ObjectDisposedException>(() => held.Reader.Read(0, 100));
        using (cache.Rent(files[2]))
        {
        }

        Assert.Equal(3, cache.Opens);
        Assert.Equal(1, cache.Hits);
    }
}

public sealed class MixReadPathTests
{
    [Fact]
    public void Mapped_and_positional_reads_agree_for_float_and_pcm_and_pad_past_the_end()
    {
        using var dir = new TempDir();
        var builds = new Dictionary<string, BuiltDataset>();
        foreach (var (name, encoding) in new[] { ("f32", DatasetForge.Audio.SampleEncoding.Float32), ("s16", DatasetForge.Audio.SampleEncoding.Pcm16) })
        {
            builds[name] = new DatasetBuilder(Path.Combine(dir.Path, name)) { SampleRate = 8000, Seconds = 7, Encoding = encoding }
                .Song("A - One", "train", "lead_vocal", "drum_set", "bass", "electric_guitar")
                .Song("B - Two", "train", "lead_vocal", "drum_set", "bass", "pianos")
                .Build();
        }

        // 8 s chunks of 7 s stems: every chunk starts at 0 and runs 1 s past the end of its file
        var recipe = MixRecipe.Load("bsrnn") with
        {
            ChunkSeconds = 8,
            Rescale = RescaleMode.None,
            Source = new MixSourceOptions { Index = SourceIndex.None },
            Augment = new MixAugmentOptions { GainDb = [-6, 6], CrossSongRemix = 1, ChannelSwap = 0.5 },
        };
        float[] Render(string name, bool map, out MixPlan[] plans)
        {
            using var stream = new MixStream(new MixPlanner(MixDataset.Load(Path.Combine(dir.Path, name)), recipe, 3),
                new MixStreamOptions { BatchSize = 6, Workers = 1, MemoryMap = map });
            using var batch = stream.RenderBatch(0);
            plans = [.. batch.Plans];
            return batch.Targets.ToArray();
        }

        var f32Mapped = Render("f32", true, out var plans);
        Assert.Equal(f32Mapped, Render("f32", false, out _));
        var s16Mapped = Render("s16", true, out _);
        Assert.Equal(s16Mapped, Render("s16", false, out _));

        // 16-bit differs from float only by quantization (gain <= 6 dB: 2 x 2^-15)
        var worst = f32Mapped.Zip(s16Mapped, (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(worst, 1e-9, 2.0 / 32768 * 1.01);

        // a chunk that runs past the end of its file is the file, then silence
        var frames = 8 * 8000;
        var past = plans.SelectMany((p, i) => p.Sources.Select((s, k) => (i, k, s))).First(x => !x.s.SwapChannels);
        Assert.Equal(0, past.s.StartFrame);
        var file = builds["f32"].Audio(past.s.SongId, past.s.Level, past.s.Node);
        var inFile = 7 * 8000;
        var gain = (float)Math.Pow(10, past.s.GainDb / 20);
        var target = f32Mapped.AsSpan(((past.i * 4) + past.k) * 2 * frames, frames);
        Assert.Equal(file.Channels[0][(int)past.s.StartFrame] * gain, target[0], 6);
        Assert.Equal(file.Channels[0][(7 * 8000) - 1] * gain, target[inFile - 1], 6);
        Assert.All(target[inFile..].ToArray(), v => Assert.Equal(0f, v));
    }
}
