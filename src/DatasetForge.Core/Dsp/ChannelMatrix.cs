using System.Numerics.Tensors;

namespace DatasetForge.Dsp;

/// <summary>
/// A linear map from one channel count to another (output o = sum over c of Weight(o, c) * input c), applied by
/// adding into planar output buffers. <see cref="For"/> gives the render stage's placement:
/// <list type="bullet">
/// <item>same count: channel to channel;</item>
/// <item>mono to N: the same signal in every output channel at full level (a centred source, no pan law: the
/// per-channel amplitude the engineer recorded is kept, so a mono close mic and a stereo pair summed into one stem
/// keep their recorded balance);</item>
/// <item>N to mono: the mean of the inputs;</item>
/// <item>other counts: input c goes to output c mod N, each output scaled by 1 / (inputs it receives).</item>
/// </list>
/// Immutable; thread-safe.
/// </summary>
public sealed class ChannelMatrix
{
    private readonly float[,] weights;

    public ChannelMatrix(float[,] weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        this.weights = (float[,])weights.Clone();
        Outputs = weights.GetLength(0);
        Inputs = weights.GetLength(1);
        ArgumentOutOfRangeException.ThrowIfZero(Outputs);
        ArgumentOutOfRangeException.ThrowIfZero(Inputs);
    }

    public int Inputs { get; }

    public int Outputs { get; }

    public float Weight(int output, int input) => weights[output, input];

    /// <summary>Short description for metadata: "identity", "mono to 2 (centre, full level)", "mean of 2", ...</summary>
    public string Description { get; private init; } = "custom";

    /// <summary>A mono source into one channel of a stereo pair (the left or right half of a pair of mono files).</summary>
    public static ChannelMatrix MonoToSide(int channel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channel, 1);
        var w = new float[2, 1];
        w[channel, 0] = 1;
        return new ChannelMatrix(w) { Description = channel == 0 ? "mono to left of 2 (half of an L/R pair)" : "mono to right of 2 (half of an L/R pair)" };
    }

    public static ChannelMatrix For(int inputs, int outputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        var w = new float[outputs, inputs];
        string description;
        if (inputs == outputs)
        {
            for (var c = 0; c < inputs; c++)
            {
                w[c, c] = 1;
            }

            description = "identity";
        }
        else if (inputs == 1)
        {
            for (var o = 0; o < outputs; o++)
            {
                w[o, 0] = 1;
            }

            description = $"mono to {outputs} (centre, full level in each)";
        }
        else if (outputs == 1)
        {
            for (var c = 0; c < inputs; c++)
            {
                w[0, c] = 1f / inputs;
            }

            description = $"mean of {inputs}";
        }
        else
        {
            for (var o = 0; o < outputs; o++)
            {
                var sources = Enumerable.Range(0, inputs).Where(c => c % outputs == o).ToList();
                foreach (var c in sources)
                {
                    w[o, c] = 1f / sources.Count;
                }
            }

            description = $"{inputs} to {outputs} (channel c to c mod {outputs}, averaged)";
        }

        return new ChannelMatrix(w) { Description = description };
    }

    /// <summary>Adds frames [inputOffset, +count) of the planar input, mapped and scaled by <paramref name="gain"/>, into the output at outputOffset.</summary>
    public void AddTo(float[][] input, int inputOffset, float[][] output, int outputOffset, int count, float gain = 1f)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        for (var o = 0; o < Outputs; o++)
        {
            var dst = output[o].AsSpan(outputOffset, count);
            for (var c = 0; c < Inputs; c++)
            {
                var w = weights[o, c] * gain;
                if (w == 0)
                {
                    continue;
                }

                var src = input[c].AsSpan(inputOffset, count);
                if (w == 1f)
                {
                    TensorPrimitives.Add(dst, src, dst);
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(src, w, dst, dst);
                }
            }
        }
    }
}
