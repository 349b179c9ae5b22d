using DatasetForge.Torch.Dsp;
using DatasetForge.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Models;

/// <summary>
/// Hierarchical Mask-Inference network (MS21 thesis Sec. 4.4, after Manilow et al. 2020): the mixture, folded to mono
/// and resampled to <see cref="ModelRate"/> in the model's input path, becomes a log-magnitude STFT (window
/// <c>nFft</c>, hop <c>hop</c>); a stack of BLSTM layers (dropout between them) and one fully connected layer with a
/// sigmoid give one mask per hierarchy level along the chosen leaf's path. <see cref="Forward(Tensor)"/> returns the
/// raw masks [batch, levels, bins, frames]; <see cref="EffectiveMasks"/> turns them into masks on |X| (direct: the
/// same; sequential: each level's mask times the masks of every level above it). Level order is the stream's: 0 is
/// the leaf (level 1), the last is the top level.
/// </summary>
public sealed class MaskInferenceNet : nn.Module<Tensor, Tensor>, ISeparationModel, ISpectralFrontendModel
{
    public const double LogEpsilon = 1e-8;

    private readonly LSTM lstm;
    private readonly Linear output;
    private readonly int levels;
    private readonly int bins;

    public MaskInferenceNet(int streamRate, int levels, int modelRate = 16000, int nFft = 1024, int hop = 512, int hidden = 600, int layers = 4,
        double dropout = 0.3, MaskMode masks = MaskMode.Direct)
        : base(nameof(MaskInferenceNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        this.levels = levels;
        bins = (nFft / 2) + 1;
        Masks = masks;
        Frontend = new SpectralFrontend(streamRate, modelRate, nFft, hop, mono: true);
        lstm = nn.LSTM(bins, hidden, layers, batchFirst: true, dropout: layers > 1 ? dropout : 0, bidirectional: true);
        output = nn.Linear(2 * hidden, bins * levels);
        RegisterComponents();
    }

    public string Name => ModelSpec.MaskInference;

    public nn.Module Module => this;

    public MaskMode Masks { get; }

    public int ModelRate => Frontend.ModelRate;

    public SpectralFrontend Frontend { get; }

    public Tensor Forward(Tensor mixture) => forward(mixture);

    /// <summary>Raw masks [batch, levels, bins, frames] in (0, 1).</summary>
    public override Tensor forward(Tensor mixture)
    {
        using var spectrum = Frontend.Spectrum(mixture);                     // [B, F, T] complex (mono)
        return MasksOf(spectrum);
    }

    /// <summary>Raw masks from a mono spectrum [batch, bins, frames] (complex).</summary>
    public Tensor MasksOf(Tensor spectrum)
    {
        var b = spectrum.shape[0];
        var frames = spectrum.shape[^1];
        var dtype = output.weight!.dtype;
        var features = (spectrum.abs() + LogEpsilon).log().transpose(1, 2).to(dtype); // [B, T, F]
        var (hidden, _, _) = lstm.forward(features);
        var masks = output.forward(hidden).sigmoid().to(ScalarType.Float32);      // [B, T, L*F]
        return masks.view(b, frames, levels, bins).permute(0, 2, 3, 1);           // [B, L, F, T]
    }

    /// <summary>Masks on |X| per level: direct = raw; sequential = the product of the raw masks from the level up to the top.</summary>
    public Tensor EffectiveMasks(Tensor masks)
    {
        if (Masks == MaskMode.Direct)
        {
            return masks;
        }

        var product = new Tensor[levels];
        product[levels - 1] = masks.select(1, levels - 1);
        for (var l = levels - 2; l >= 0; l--)
        {
            product[l] = masks.select(1, l) * product[l + 1];
        }

        return stack(product, 1);
    }

    /// <summary>Waveforms [batch, levels, channels, samples]: each channel's spectrum at the model rate under the mono masks, resynthesized and resampled back.</summary>
    public Tensor Separate(Tensor mixture)
    {
        var (b, c, s) = (mixture.shape[0], mixture.shape[1], mixture.shape[2]);
        var effective = EffectiveMasks(forward(mixture));                         // [B, L, F, T]
        var channels = Frontend.ChannelSpectra(mixture);                          // [B, C, F, T]
        var estimates = effective.unsqueeze(2) * channels.unsqueeze(1);           // [B, L, C, F, T]
        var atModelRate = Spectral.Istft(estimates, Frontend.NFft, Frontend.Hop, Frontend.ModelLength(s));
        return Frontend.ToStreamRate(atModelRate, s).view(b, levels, c, s);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Frontend.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A model whose loss needs its spectral front end (the same resampling, folding and STFT for targets).</summary>
public interface ISpectralFrontendModel
{
    SpectralFrontend Frontend { get; }
}

/// <summary>
/// The input path of a spectral model: waveforms at <see cref="InputRate"/> are resampled to <see cref="ModelRate"/>
/// (on the tensor's device), optionally folded to mono, and transformed with an STFT.
/// </summary>
public sealed class SpectralFrontend(int inputRate, int modelRate, int nFft, int hop, bool mono) : IDisposable
{
    private readonly TorchResampler resampler = new();

    /// <summary>The rate of the waveforms the model is given (the stream's; inference sets it to the song's).</summary>
    public int InputRate { get; set; } = inputRate;

    public int ModelRate { get; } = modelRate;

    public int NFft { get; } = nFft;

    public int Hop { get; } = hop;

    public bool Mono { get; } = mono;

    /// <summary>[..., C, S] at the input rate to the complex STFT [..., F, T] of the mono fold (mono) or [..., C, F, T].</summary>
    public Tensor Spectrum(Tensor waveform)
    {
        var x = Mono ? waveform.mean([-2]) : waveform;
        return Spectral.Stft(resampler.Resample(x, InputRate, ModelRate), NFft, Hop);
    }

    /// <summary>Every channel's STFT at the model rate: [..., C, S] to [..., C, F, T].</summary>
    public Tensor ChannelSpectra(Tensor waveform) => Spectral.Stft(resampler.Resample(waveform, InputRate, ModelRate), NFft, Hop);

    /// <summary>Samples at the model rate of a signal of <paramref name="samples"/> at the input rate.</summary>
    public long ModelLength(long samples) => TorchResampler.OutputLength(samples, InputRate, ModelRate);

    /// <summary>[..., S'] at the model rate back to exactly <paramref name="samples"/> at the input rate (trimmed or zero-padded).</summary>
    public Tensor ToStreamRate(Tensor waveform, long samples)
    {
        var back = resampler.Resample(waveform, ModelRate, InputRate);
        var length = back.shape[^1];
        return length >= samples ? back.narrow(-1, 0, samples) : nn.functional.pad(back, [0, samples - length]);
    }

    public void Dispose() => resampler.Dispose();
}
