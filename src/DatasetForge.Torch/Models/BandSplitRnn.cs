using DatasetForge.Torch.Dsp;
using DatasetForge.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Models;

/// <summary>
/// Band-split RNN (Luo and Yu 2023, Sec. II): the complex STFT of every channel (Hann, <c>nFft</c> / <c>hop</c>) is
/// split into the bands of a <see cref="BandScheme"/>; per band, the real and imaginary parts of all its bins and
/// channels go through a LayerNorm and a fully connected layer to N features (band-split module). Band and sequence
/// modules follow, each a residual BLSTM (hidden 2N per direction, LayerNorm before it, a linear projection back to
/// N) across time and then one across bands. Per band a mask MLP (LayerNorm, hidden 4N, tanh, GLU output) gives a
/// complex mask for the band's bins and channels; the estimate is mask * X. One model separates one target.
/// <see cref="Forward(Tensor)"/> returns the estimated spectrum as real pairs [batch, channels, bins, frames, 2].
/// </summary>
public sealed class BandSplitRnn : nn.Module<Tensor, Tensor>, ISeparationModel
{
    private readonly IReadOnlyList<(int Start, int End)> bands;
    private readonly ModuleList<Sequential> split = nn.ModuleList<Sequential>();
    private readonly ModuleList<ResidualRnn> timeRnns = nn.ModuleList<ResidualRnn>();
    private readonly ModuleList<ResidualRnn> bandRnns = nn.ModuleList<ResidualRnn>();
    private readonly ModuleList<Sequential> masks = nn.ModuleList<Sequential>();
    private readonly int channels;
    private readonly int features;

    public BandSplitRnn(int sampleRate, int channels, BandScheme scheme, int nFft = 2048, int hop = 512, int features = 128, int modules = 12, string target = "vocal")
        : base(nameof(BandSplitRnn))
    {
        SampleRate = sampleRate;
        this.channels = channels;
        this.features = features;
        NFft = nFft;
        Hop = hop;
        Target = target;
        Scheme = scheme;
        bands = scheme.Bins(nFft, sampleRate);
        foreach (var (start, end) in bands)
        {
            var width = 2 * channels * (end - start);
            split.Add(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, features)));
            masks.Add(nn.Sequential(nn.LayerNorm(features), nn.Linear(features, 4 * features), nn.Tanh(), nn.Linear(4 * features, 2 * width), nn.GLU(-1)));
        }

        for (var m = 0; m < modules; m++)
        {
            timeRnns.Add(new ResidualRnn(features));
            bandRnns.Add(new ResidualRnn(features));
        }

        RegisterComponents();
    }

    public string Name => ModelSpec.Bsrnn;

    public nn.Module Module => this;

    public int SampleRate { get; }

    public int NFft { get; }

    public int Hop { get; }

    public string Target { get; }

    public BandScheme Scheme { get; }

    public int BandCount => bands.Count;

    public IReadOnlyList<string>? OutputTargets => [Target];

    public Tensor Forward(Tensor mixture) => forward(mixture);

    public override Tensor forward(Tensor mixture)
    {
        var spectrum = Spectral.Stft(mixture, NFft, Hop);                          // [B, C, F, T] complex
        return view_as_real(Estimate(spectrum));
    }

    /// <summary>The estimated complex spectrum [B, C, F, T] of a mixture spectrum.</summary>
    public Tensor Estimate(Tensor spectrum)
    {
        var (b, frames) = (spectrum.shape[0], spectrum.shape[^1]);
        var real = view_as_real(spectrum).permute(0, 3, 1, 2, 4);                    // [B, T, C, F, 2]
        var dtype = timeRnns[0].Projection.weight!.dtype;
        var perBand = new Tensor[bands.Count];
        for (var k = 0; k < bands.Count; k++)
        {
            var (start, end) = bands[k];
            var x = real.narrow(3, start, end - start).reshape(b, frames, -1).to(dtype); // [B, T, 2*C*w]
            perBand[k] = split[k].forward(x);                                         // [B, T, N]
        }

        var z = stack(perBand, 1);                                                    // [B, K, T, N]
        var k0 = bands.Count;
        for (var m = 0; m < timeRnns.Count; m++)
        {
            z = timeRnns[m].forward(z.reshape(b * k0, frames, features)).view(b, k0, frames, features);
            var across = z.transpose(1, 2).reshape(b * frames, k0, features);
            z = bandRnns[m].forward(across).view(b, frames, k0, features).transpose(1, 2);
        }

        var maskBands = new Tensor[bands.Count];
        for (var k = 0; k < bands.Count; k++)
        {
            var (start, end) = bands[k];
            var mask = masks[k].forward(z.select(1, k)).to(ScalarType.Float32);           // [B, T, 2*C*w]
            maskBands[k] = mask.view(b, frames, channels, end - start, 2);
        }

        var maskReal = cat(maskBands, 3).permute(0, 2, 3, 1, 4).contiguous();           // [B, C, F, T, 2]
        return view_as_complex(maskReal) * spectrum;
    }

    /// <summary>Waveforms [batch, 1, channels, samples] of the target.</summary>
    public Tensor Separate(Tensor mixture)
    {
        var estimate = view_as_complex(forward(mixture).contiguous());
        return Spectral.Istft(estimate, NFft, Hop, mixture.shape[^1]).unsqueeze(1);
    }
}

/// <summary>x + Linear(BLSTM(LayerNorm(x))) over the middle dimension of [batch, length, N] (hidden 2N per direction).</summary>
public sealed class ResidualRnn : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly LSTM rnn;
    private readonly Linear projection;

    public ResidualRnn(int features)
        : base(nameof(ResidualRnn))
    {
        norm = nn.LayerNorm(features);
        rnn = nn.LSTM(features, 2 * features, 1, batchFirst: true, bidirectional: true);
        projection = nn.Linear(4 * features, features);
        RegisterComponents();
    }

    public Linear Projection => projection;

    public override Tensor forward(Tensor x)
    {
        var (h, _, _) = rnn.forward(norm.forward(x));
        return x + projection.forward(h);
    }
}
