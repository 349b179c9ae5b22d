using DatasetForge.Mixing;
using DatasetForge.Torch.Data;
using DatasetForge.Torch.Dsp;
using DatasetForge.Torch.Models;
using DatasetForge.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Tests;

[Collection("torch-hierarchy")]
public sealed class LossTests(HierarchyFixture fixture)
{
    private static MixTensors Synthetic(Tensor mixture, Tensor targets, params string[] names) =>
        new(mixture, targets, 0, names, [], 8000);

    [Fact]
    public void Tpsa_is_zero_for_the_oracle_masks_and_positive_otherwise()
    {
        using var scope = NewDisposeScope();
        var recipe = MixRecipe.Load("hierarchical") with { ChunkSeconds = 1.0, Leaves = ["bass"] };
        using var batch = TrainKit.Batch(fixture.Dataset, recipe, 2);
        foreach (var masks in new[] { MaskMode.Direct, MaskMode.Sequential })
        {
            using var model = new MaskInferenceNet(8000, 3, 4000, 128, 32, 8, 1, 0, masks);
            var x = model.Frontend.Spectrum(batch.Mixture);                     // [B, F, T]
            var s = model.Frontend.Spectrum(batch.Targets);                     // [B, L, F, T]
            Tensor Ratio(Tensor num, Tensor den) => (real(num * den.conj()) / (den.abs().square() + 1e-8)).clamp(0, 1);
            var oracle = masks == MaskMode.Direct
                ? Ratio(s, x.unsqueeze(1).expand_as(s))
                : stack([Ratio(s.select(1, 0), s.select(1, 1)), Ratio(s.select(1, 1), s.select(1, 2)), Ratio(s.select(1, 2), x)], 1);
            var reference = (s.abs().mean()).item<float>();
            var maskLoss = new TpsaLoss(model, TpsaDomain.Mask).Compute(oracle, batch).Loss.item<float>();
            Assert.True(maskLoss < 1e-5, $"{masks}: mask-domain loss of the oracle masks {maskLoss}");
            if (masks == MaskMode.Direct)
            {
                var signalLoss = new TpsaLoss(model, TpsaDomain.Signal).Compute(oracle, batch).Loss.item<float>();
                Assert.True(signalLoss < 1e-4 * reference, $"signal-domain loss of the oracle masks {signalLoss} (|S| mean {reference})");
            }

            var half = full_like(oracle, 0.5);
            Assert.True(new TpsaLoss(model, TpsaDomain.Mask).Compute(half, batch).Loss.item<float>() > 0.05);
            Assert.True(new TpsaLoss(model, TpsaDomain.Signal).Compute(half, batch).Loss.item<float>() > 0.05 * reference);
        }
    }

    [Fact]
    public void Mixit_picks_the_assignment_that_rebuilds_each_mixture()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var s = randn(4, 1, 1, 2000);                                           // four sources
        var y1 = s[0] + s[1];
        var y2 = s[2] + s[3];
        var mixtures = stack([y1, y2], 1);                                        // [1, 2, 1, S]
        var zero = zeros_like(s[0]);
        // outputs: s3, s1, 0, s4, s2, 0 (M = 6): outputs 1 and 4 make mixture 1, outputs 0 and 3 mixture 2
        var outputs = stack([s[2], s[0], zero, s[3], s[1], zero], 1);              // [1, 6, 1, S]
        using var batch = Synthetic(y1 + y2, mixtures, "mix1", "mix2");
        var loss = new MixitLoss(30);
        var (perAssignment, a) = loss.Losses(outputs, mixtures);
        var best = perAssignment.argmin(1).item<long>();
        var assigned = a[best].argmax(0).data<long>().ToArray();                  // mixture of each output
        Assert.Equal(0, assigned[1]);
        Assert.Equal(0, assigned[4]);
        Assert.Equal(1, assigned[0]);
        Assert.Equal(1, assigned[3]);
        // perfect: each term is 10 log10(tau) = -30 dB
        Assert.Equal(-60, loss.Compute(outputs, batch).Loss.item<float>(), 2);
        var aligned = loss.Align(outputs, batch);
        Assert.True((aligned - mixtures).abs().max().item<float>() < 1e-4);

        // Invariant to the order of the outputs, on an imperfect estimate too.
        var noisy = outputs + (0.3f * randn_like(outputs));
        var reference = loss.Compute(noisy, batch).Loss.item<float>();
        var rng = new Random(9);
        for (var k = 0; k < 5; k++)
        {
            var order = Enumerable.Range(0, 6).OrderBy(_ => rng.Next()).Select(i => (long)i).ToArray();
            var permuted = noisy.index_select(1, tensor(order));
            Assert.Equal(reference, loss.Compute(permuted, batch).Loss.item<float>(), 4);
        }

        // The value is the brute-force minimum over the 2^6 assignments of the summed thresholded negative SNR.
        var o = noisy.data<float>().ToArray();
        var m = mixtures.data<float>().ToArray();
        var n = 2000;
        var bestValue = double.PositiveInfinity;
        for (var code = 0; code < 64; code++)
        {
            double total = 0;
            for (var i = 0; i < 2; i++)
            {
                double err = 0, energy = 0;
                for (var t = 0; t < n; t++)
                {
                    double sum = 0;
                    for (var out_ = 0; out_ < 6; out_++)
                    {
                        if (((code >> out_) & 1) == i)
                        {
                            sum += o[(out_ * n) + t];
                        }
                    }

                    var yv = m[(i * n) + t];
                    err += (yv - sum) * (yv - sum);
                    energy += yv * yv;
                }

                total += (10 * Math.Log10(err + (1e-3 * energy))) - (10 * Math.Log10(energy));
            }

            bestValue = Math.Min(bestValue, total);
        }

        Assert.Equal(bestValue, reference, 3);
    }

    [Fact]
    public void Supervised_snr_is_finite_and_trainable_with_silent_targets()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var vocal = randn(2, 1, 2, 800);
        var bass = zeros(2, 1, 2, 800);                                          // a dropped stem
        var targets = cat([vocal, bass], 1);
        using var batch = Synthetic(vocal.squeeze(1), targets, "vocal", "bass");
        var estimate = randn(2, 3, 2, 800).requires_grad_(true);                 // vocal, bass, and a spare output
        var loss = new SupervisedSnrLoss(["vocal", "bass", "source3"], 30).Compute(estimate, batch).Loss;
        Assert.True(float.IsFinite(loss.item<float>()));
        loss.backward();
        Assert.False(estimate.grad!.isnan().any().item<bool>());
        // A perfect estimate (silence for the silent and spare outputs) reaches the floor: 10 log10(tau |x|^2) per output.
        var perfect = cat([vocal, zeros(2, 2, 2, 800)], 1);
        var floor = 10 * Math.Log10(1e-3 * vocal[0].square().sum().item<float>());
        var value = new SupervisedSnrLoss(["vocal", "bass", "source3"], 30).Compute(perfect, batch).Loss.item<float>();
        Assert.InRange(value, (3 * floor) - 1, (3 * floor) + 1);
    }

    [Fact]
    public void Loss_masking_masks_exactly_the_frames_with_planted_bleed()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        const int hop = 256;
        const int frames = 20;
        var samples = (frames - 1) * hop;                                          // 1 + S / hop = 20 frames
        var clean = randn(4, 1, 1, samples) * 0.1;
        var targets = clean.clone();
        var planted = new bool[4, frames];
        void Plant(int item, int frame)
        {
            planted[item, frame] = true;
            var start = Math.Max(0, (frame * hop) - (hop / 2));
            var end = Math.Min(samples, (frame * hop) + (hop / 2));
            targets[item, 0, 0, TensorIndex.Slice(start, end)] += 0.5f * randn(end - start);
        }

        Plant(0, 3);
        Plant(1, 7);
        Plant(1, 8);
        Plant(3, 15);
        using var batch = Synthetic(clean.sum(1), targets, "vocal");
        var inner = new WaveformL1Loss(hop);
        var frameLosses = inner.FrameLosses(clean, batch);                       // the estimate is the clean target
        Assert.Equal([4L, frames], frameLosses.shape);

        // hard, frames: keep up to the 95% quantile of 80 frames: the 4 planted ones go
        var hard = new LossMasking(inner, new LossMaskingOptions { Mode = MaskingMode.Hard, Unit = MaskingUnit.Frame, Quantile = 0.95 });
        var (_, keep) = hard.Apply(frameLosses);
        for (var b = 0; b < 4; b++)
        {
            for (var f = 0; f < frames; f++)
            {
                Assert.Equal(!planted[b, f], keep[b, f].item<float>() == 1);
            }
        }

        var metrics = hard.Compute(clean, batch).Metrics!;
        Assert.Equal(4 / 80.0, metrics["mask_discarded"].item<float>(), 5);
        Assert.True(hard.Compute(clean, batch).Loss.item<float>() < 1e-7, "only clean frames are left, and the estimate is exact there");

        // a fixed threshold does the same
        var fixedThreshold = new LossMasking(inner, new LossMaskingOptions { Mode = MaskingMode.Hard, Unit = MaskingUnit.Frame, Threshold = 0.01 });
        Assert.Equal(keep.data<float>().ToArray(), fixedThreshold.Apply(frameLosses).Weights.data<float>().ToArray());

        // soft: every planted frame weighs less than every clean one; weights average 1; no gradient through them
        var soft = new LossMasking(inner, new LossMaskingOptions { Mode = MaskingMode.Soft, Epsilon = 1e-3 });
        var (_, weights) = soft.Apply(frameLosses);
        var plantedWeights = new List<float>();
        var cleanWeights = new List<float>();
        for (var b = 0; b < 4; b++)
        {
            for (var f = 0; f < frames; f++)
            {
                (planted[b, f] ? plantedWeights : cleanWeights).Add(weights[b, f].item<float>());
            }
        }

        Assert.True(plantedWeights.Max() < cleanWeights.Min());
        Assert.Equal(1.0, weights.mean().item<float>(), 4);
        Assert.False(weights.requires_grad);

        // hard, items: bleed all through item 2 makes it the worst item; the 75% quantile drops it alone
        var whole = targets.clone();
        whole[2] += 0.5f * randn(1, 1, samples);
        using var itemBatch = Synthetic(clean.sum(1), whole, "vocal");
        var items = new LossMasking(inner, new LossMaskingOptions { Mode = MaskingMode.Hard, Unit = MaskingUnit.Item, Quantile = 0.75 });
        var (_, itemKeep) = items.Apply(inner.FrameLosses(clean, itemBatch));
        Assert.Equal([1f, 1f, 0f, 1f], itemKeep.data<float>().ToArray());
    }

    [Fact]
    public void Bsrnn_frame_masking_drops_the_frames_that_hear_the_bleed()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = new BandSplitRnn(8000, 1, BandScheme.Load("v7"), 256, 64, 8, 1, "vocal");
        var samples = 64 * 40;
        var clean = randn(2, 1, 1, samples) * 0.1;
        var targets = clean.clone();
        targets[1, 0, 0, TensorIndex.Slice(1280, 1600)] += 0.5f * randn(320);    // samples 1280-1600: frames 20-25 centred inside
        using var batch = Synthetic(clean.sum(1), targets, "vocal");
        var output = view_as_real(Spectral.Stft(clean.select(1, 0), 256, 64));    // the clean target's spectrum: exact elsewhere
        var loss = new BsrnnLoss(model);
        var frameLosses = loss.FrameLosses(output, batch);
        var masking = new LossMasking(loss, new LossMaskingOptions { Mode = MaskingMode.Hard, Unit = MaskingUnit.Frame, Threshold = 1e-3 });
        var (_, keep) = masking.Apply(frameLosses);
        for (var f = 0; f < frameLosses.shape[1]; f++)
        {
            Assert.Equal(1f, keep[0, f].item<float>());                            // item 0 has no bleed
            var centre = f * 64;
            var hears = centre + 128 > 1280 && centre - 128 < 1600;               // the 256-sample window overlaps the bleed
            var inside = centre >= 1280 && centre < 1600;
            var dropped = keep[1, f].item<float>() == 0;
            Assert.True(!dropped || hears, $"frame {f} dropped without bleed in its window");
            Assert.True(dropped || !inside, $"frame {f} centred in the bleed kept");
        }
    }
}
