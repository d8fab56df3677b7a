namespace Vod.Load.Viewer;

/// <summary>
/// Bandwidth estimate from segment downloads, like hls.js's: two exponentially weighted moving averages (fast and
/// slow, weighted by download time) and the lower of the two, so one lucky fast download does not send a viewer up
/// the ladder. Until enough has been measured it answers the default estimate (hls.js: 500 kb/s).
/// </summary>
internal sealed class ThroughputEstimator(double defaultBitsPerSecond = 500_000, double fastHalfLifeSeconds = 3, double slowHalfLifeSeconds = 9)
{
    private readonly Ewma _fast = new(fastHalfLifeSeconds);
    private readonly Ewma _slow = new(slowHalfLifeSeconds);
    private double _measuredSeconds;

    /// <summary>Seconds of download time needed before the measurement replaces the default (hls.js: minWeight 0.001).</summary>
    public const double MinimumMeasuredSeconds = 0.001;

    /// <summary>A download counts as taking at least this long (hls.js: minDelayMs 50), so an instant one cannot claim infinite bandwidth.</summary>
    public const double MinimumSampleSeconds = 0.05;

    public void Sample(long bytes, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, MinimumSampleSeconds);
        var bitsPerSecond = bytes * 8 / seconds;
        _fast.Sample(seconds, bitsPerSecond);
        _slow.Sample(seconds, bitsPerSecond);
        _measuredSeconds += seconds;
    }

    public double EstimateBitsPerSecond =>
        _measuredSeconds >= MinimumMeasuredSeconds ? Math.Min(_fast.Estimate, _slow.Estimate) : defaultBitsPerSecond;

    private sealed class Ewma(double halfLifeSeconds)
    {
        private readonly double _alpha = Math.Exp(Math.Log(0.5) / halfLifeSeconds);
        private double _estimate;
        private double _totalWeight;

        public void Sample(double weight, double value)
        {
            var adjusted = Math.Pow(_alpha, weight);
            _estimate = value * (1 - adjusted) + adjusted * _estimate;
            _totalWeight += weight;
        }

        /// <summary>Zero-factor corrected, so the first samples are not dragged towards 0.</summary>
        public double Estimate => _totalWeight == 0 ? 0 : _estimate / (1 - Math.Pow(_alpha, _totalWeight));
    }
}

/// <summary>
/// The rung choice (pure): stay while the current rung fits in <see cref="DownFactor"/> of the estimate, go down to
/// the highest rung that does when it does not, and go up only to a rung within <see cref="UpFactor"/> of the
/// estimate (hls.js's abrBandWidthFactor 0.95 / abrBandWidthUpFactor 0.7). With less than
/// <see cref="MinBufferToSwitchUpSeconds"/> buffered the viewer never switches up: a stall costs more than a rung.
/// </summary>
internal static class Abr
{
    public const double DownFactor = 0.95;
    public const double UpFactor = 0.7;
    public const double MinBufferToSwitchUpSeconds = 4;

    /// <param name="rungs">Bandwidths, lowest first.</param>
    /// <param name="current">Index of the current rung, -1 at start (then the buffer rule does not apply).</param>
    public static int Choose(IReadOnlyList<long> rungs, int current, double estimateBitsPerSecond, double bufferedSeconds)
    {
        if (rungs.Count == 0)
        {
            throw new ArgumentException("no rungs", nameof(rungs));
        }

        var fitsUp = HighestWithin(rungs, estimateBitsPerSecond * UpFactor);
        if (current < 0)
        {
            return fitsUp;
        }

        current = Math.Min(current, rungs.Count - 1);
        if (rungs[current] > estimateBitsPerSecond * DownFactor)
        {
            return Math.Min(current, HighestWithin(rungs, estimateBitsPerSecond * DownFactor));
        }

        return fitsUp > current && bufferedSeconds >= MinBufferToSwitchUpSeconds ? fitsUp : current;
    }

    /// <summary>The highest rung whose bandwidth is at most <paramref name="limit"/>, else the lowest.</summary>
    private static int HighestWithin(IReadOnlyList<long> rungs, double limit)
    {
        var chosen = 0;
        for (var i = 0; i < rungs.Count; i++)
        {
            if (rungs[i] <= limit)
            {
                chosen = i;
            }
        }

        return chosen;
    }
}
