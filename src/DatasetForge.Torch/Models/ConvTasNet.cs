using DatasetForge.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Models;

/// <summary>
/// A Conv-TasNet-style waveform separator with M outputs (the MixIT model, Wisdom et al. 2020, uses a TDCN++ of this
/// family): a learned encoder (Conv1d, window L, hop L/2) to <c>basis</c> signals, a temporal convolutional network
/// (a 1x1 bottleneck, then <c>repeats</c> x <c>blocks</c> residual blocks of 1x1 conv, PReLU, global layer norm,
/// depthwise conv with dilation 2^i, PReLU, global layer norm, 1x1 conv), one sigmoid mask per output, and a shared
/// transposed-convolution decoder. With mixture consistency the outputs are projected to sum to the mixture
/// (each gets an equal share of the residual). Output: [batch, M, channels, samples].
/// </summary>
public sealed class ConvTasNet : nn.Module<Tensor, Tensor>, ISeparationModel
{
    private readonly Conv1d encoder;
    private readonly Sequential bottleneck;
    private readonly ModuleList<TcnBlock> tcn = nn.ModuleList<TcnBlock>();
    private readonly Sequential mask;
    private readonly ConvTranspose1d decoder;
    private readonly int outputs;
    private readonly int basis;
    private readonly int window;

    public ConvTasNet(int channels, int outputs = 8, int basis = 256, int window = 32, int hidden = 256, int blocks = 4, int repeats = 2,
        bool mixtureConsistency = true, IReadOnlyList<string>? names = null)
        : base(nameof(ConvTasNet))
    {
        if (window < 2 || window % 2 != 0)
        {
            throw new ArgumentException("window must be even and at least 2", nameof(window));
        }

        this.outputs = outputs;
        this.basis = basis;
        this.window = window;
        MixtureConsistency = mixtureConsistency;
        OutputTargets = Enumerable.Range(0, outputs).Select(m => names is not null && m < names.Count ? names[m] : $"source{m + 1}").ToList();
        encoder = nn.Conv1d(channels, basis, window, stride: window / 2, bias: false);
        bottleneck = nn.Sequential(new GlobalLayerNorm(basis), nn.Conv1d(basis, hidden, 1));
        for (var r = 0; r < repeats; r++)
        {
            for (var b = 0; b < blocks; b++)
            {
                tcn.Add(new TcnBlock(hidden, 1 << b));
            }
        }

        mask = nn.Sequential(nn.PReLU(1), nn.Conv1d(hidden, outputs * basis, 1), nn.Sigmoid());
        decoder = nn.ConvTranspose1d(basis, channels, window, stride: window / 2, bias: false);
        RegisterComponents();
    }

    public string Name => ModelSpec.ConvTasNet;

    public nn.Module Module => this;

    public bool MixtureConsistency { get; }

    /// <summary>Output names: the stream's targets for the first outputs when named (supervised), else source1..M.</summary>
    public IReadOnlyList<string>? OutputTargets { get; }

    public Tensor Forward(Tensor mixture) => forward(mixture);

    public override Tensor forward(Tensor mixture)
    {
        var (b, c, s) = (mixture.shape[0], mixture.shape[1], mixture.shape[2]);
        var hop = window / 2;
        var frames = Math.Max(1, (s - window + hop - 1) / hop) + 1;
        var padded = ((frames - 1) * hop) + window;
        var dtype = encoder.weight!.dtype;
        var x = nn.functional.pad(mixture, [0, padded - s]).to(dtype);
        var w = encoder.forward(x).relu();                                   // [B, N, F]
        var y = bottleneck.forward(w);
        foreach (var block in tcn)
        {
            y = block.forward(y);
        }

        var masks = mask.forward(y).view(b, outputs, basis, -1);             // [B, M, N, F]
        var masked = (masks * w.unsqueeze(1)).view(b * outputs, basis, -1);
        var estimates = decoder.forward(masked).narrow(2, 0, s).view(b, outputs, c, s).to(ScalarType.Float32);
        if (MixtureConsistency)
        {
            var residual = mixture - estimates.sum(1);
            estimates = estimates + (residual.unsqueeze(1) / outputs);
        }

        return estimates;
    }

    /// <summary>One Conv-TasNet block: 1x1 conv, PReLU, norm, dilated depthwise conv, PReLU, norm, 1x1 conv, residual.</summary>
    private sealed class TcnBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential body;

        public TcnBlock(int channels, int dilation)
            : base(nameof(TcnBlock))
        {
            var inner = 2 * channels;
            body = nn.Sequential(
                nn.Conv1d(channels, inner, 1),
                nn.PReLU(1),
                new GlobalLayerNorm(inner),
                nn.Conv1d(inner, inner, 3, padding: dilation, dilation: dilation, groups: inner),
                nn.PReLU(1),
                new GlobalLayerNorm(inner),
                nn.Conv1d(inner, channels, 1));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => x + body.forward(x);
    }

    /// <summary>
    /// Global layer norm of Conv-TasNet (statistics over channels and time of each item, a gain and bias per channel);
    /// written out because TorchSharp 0.107's GroupNorm(1, C) returned NaN on CPU here.
    /// </summary>
    private sealed class GlobalLayerNorm : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter gain;
        private readonly Parameter bias;

        public GlobalLayerNorm(int channels)
            : base(nameof(GlobalLayerNorm))
        {
            gain = new Parameter(ones(channels, 1));
            bias = new Parameter(zeros(channels, 1));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var mean = x.mean([1, 2], keepdim: true);
            var variance = (x - mean).square().mean([1, 2], keepdim: true);
            return ((x - mean) / (variance + 1e-8).sqrt() * gain) + bias;
        }
    }
}
