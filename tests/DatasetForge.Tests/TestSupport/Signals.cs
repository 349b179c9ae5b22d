namespace DatasetForge.Tests.TestSupport;

/// <summary>Deterministic test signals.</summary>
public static class Signals
{
    public static float[] Sine(double frequency, double amplitude, int sampleRate, int frames, double phase = 0)
    {
        var result = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            result[i] = (float)(amplitude * Math.Sin((2 * Math.PI * frequency * i / sampleRate) + phase));
        }

        return result;
    }

    public static float[] Noise(int frames, double amplitude, int seed)
    {
        var random = new Random(seed);
        var result = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            result[i] = (float)(amplitude * ((random.NextDouble() * 2) - 1));
        }

        return result;
    }
}
