namespace DatasetForge.Analysis.Activity;

/// <summary>
/// The clip filter of MixIT (Wisdom et al., "Unsupervised Sound Separation Using Mixture Invariant Training",
/// NeurIPS 2020): 10 s clips with 5 s overlap (only whole clips); each clip is measured in 1 s intervals and dropped
/// (not salient) when more than 5 s of it are silent. The paper does not say how silence was measured; an interval
/// is silent here when its RMS over all channels is below `silence_dbfs` (-60 dBFS by default).
/// <see cref="ActivitySegment.ActiveFraction"/> is the fraction of non-silent intervals.
/// </summary>
public static class MixitClipFilter
{
    public static ActivityResult Detect(IReadOnlyList<float[]> channels, int sampleRate, MixitOptions options)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(options);
        var frames = channels.Count == 0 ? 0 : channels[0].Length;
        var clip = (int)Math.Round(options.ClipSeconds * sampleRate);
        var hop = Math.Max(1, (int)Math.Round(options.HopSeconds * sampleRate));
        var interval = Math.Max(1, (int)Math.Round(options.IntervalSeconds * sampleRate));
        var threshold = Math.Pow(10, options.SilenceDbfs / 10); // mean square
        if (frames < clip || clip <= 0)
        {
            return new ActivityResult([], options.SilenceDbfs);
        }

        var intervalsPerClip = clip / interval;
        var count = 1 + ((frames - clip) / hop);
        var segments = new ActivitySegment[count];
        for (var k = 0; k < count; k++)
        {
            var start = k * hop;
            var silent = 0;
            for (var i = 0; i < intervalsPerClip; i++)
            {
                var a = start + (i * interval);
                double sum = 0;
                foreach (var channel in channels)
                {
                    sum += Dsp.Levels.SumOfSquares(channel.AsSpan(a, interval));
                }

                if (sum / ((double)interval * channels.Count) < threshold)
                {
                    silent++;
                }
            }

            var silentSeconds = silent * (double)interval / sampleRate;
            segments[k] = new ActivitySegment((double)start / sampleRate, (double)(start + clip) / sampleRate,
                silentSeconds <= options.MaxSilentSeconds, intervalsPerClip == 0 ? 0 : 1 - ((double)silent / intervalsPerClip));
        }

        return new ActivityResult(segments, options.SilenceDbfs);
    }
}
