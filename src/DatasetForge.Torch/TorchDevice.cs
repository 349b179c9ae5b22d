using TorchSharp;
using static TorchSharp.torch;

namespace DatasetForge.Torch;

/// <summary>Parses "cpu", "cuda", "cuda:N" and makes sure the device can be used (see ../shared/gpu/README.md for CUDA).</summary>
public static class TorchDevice
{
    public static Device Resolve(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var text = name.Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return CPU;
        }

        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            // libtorch's CUDA libraries must be loaded before torch.cuda is asked (on the GPU machine they come from
            // the local PyTorch via LD_LIBRARY_PATH; see ../shared/gpu/README.md).
            if (!TryInitializeDeviceType(DeviceType.CUDA) || !cuda.is_available())
            {
                throw new InvalidOperationException($"device '{name}': CUDA is not available here (no GPU, or libtorch's CUDA libraries are not on LD_LIBRARY_PATH); use --device cpu");
            }

            var index = text.Length > 5 && int.TryParse(text.AsSpan(5), out var i) ? i : 0;
            if (index >= cuda.device_count())
            {
                throw new InvalidOperationException($"device '{name}': only {cuda.device_count()} CUDA device(s)");
            }

            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"device '{name}': expected cpu, cuda or cuda:N");
    }
}
