using DatasetForge.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DatasetForge.Torch.Models;

/// <summary>
/// A small waveform separation model (a Conv-TasNet without its temporal convolution stack): a learned
/// encoder (Conv1d, window L, hop L/2) to N basis signals, a 1x1/3-tap convolutional mask network giving one sigmoid
/// mask per target, and a shared transposed-convolution decoder. Output: estimates [batch, targets, channels, samples].
/// Small enough to train in a CPU test; the default of `forge train DATASET` and the test model of the trainer.
/// </summary>
public sealed class TinyMaskNet : nn.Module<Tensor, Tensor>, ISeparationModel
{
    private readonly Conv1d encoder;
    private readonly Sequential separator;
    private readonly ConvTranspose1d decoder;
    private readonly int targets;
    private readonly int basis;
    private readonly int window;

    public TinyMaskNet(int channels, int targets, int basis = 64, int hidden = 64, int window = 16)
        : base(nameof(TinyMaskNet))
    {
        if (window < 2 || window % 2 != 0)
        {
            throw new ArgumentException("window must be even and at least 2", nameof(window));
        }

        this.targets = targets;
        this.basis = basis;
        this.window = window;
        encoder = nn.Conv1d(channels, basis, window, stride: window / 2, bias: false);
        separator = nn.Sequential(
            nn.Conv1d(basis, hidden, 1),
            nn.ReLU(),
            nn.Conv1d(hidden, hidden, 3, padding: 1),
            nn.ReLU(),
            nn.Conv1d(hidden, targets * basis, 1),
            nn.Sigmoid());
        decoder = nn.ConvTranspose1d(basis, channels, window, stride: window / 2, bias: false);
        RegisterComponents();
    }

    public string Name => ModelSpec.TinyMaskNet;

    public nn.Module Module => this;

    public Tensor Forward(Tensor mixture) => forward(mixture);

    public override Tensor forward(Tensor mixture)
    {
        var (b, c, s) = (mixture.shape[0], mixture.shape[1], mixture.shape[2]);
        var hop = window / 2;
        var frames = Math.Max(1, (s - window + hop - 1) / hop) + 1;
        var padded = ((frames - 1) * hop) + window;
        var x = nn.functional.pad(mixture, [0, padded - s]).to(encoder.weight!.dtype);
        var w = encoder.forward(x).relu();                                   // [B, N, F]
        var masks = separator.forward(w).view(b, targets, basis, -1);        // [B, T, N, F]
        var masked = (masks * w.unsqueeze(1)).view(b * targets, basis, -1);  // [B*T, N, F]
        var y = decoder.forward(masked);                                     // [B*T, C, padded]
        return y.narrow(2, 0, s).view(b, targets, c, s).to(ScalarType.Float32);
    }
}
