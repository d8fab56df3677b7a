using Vod.Load.Viewer;

namespace Vod.Load.Tests.Viewer;

public sealed class AbrTests
{
    private static readonly long[] Rungs = [400_000, 700_000, 1_200_000, 3_000_000, 5_000_000];

    [Fact]
    public void Choose_AtStartWithDefaultEstimate_PicksHighestRungWithinUpFactor()
    {
        Assert.Equal(0, Abr.Choose(Rungs, -1, 500_000, 0)); // 0.7 × 500 kb/s = 350 kb/s: nothing fits, the lowest
        Assert.Equal(1, Abr.Choose(Rungs, -1, 1_100_000, 0)); // 770 kb/s fits 700 kb/s
    }

    [Fact]
    public void Choose_EstimateRisesWithBuffer_SwitchesUp()
    {
        Assert.Equal(4, Abr.Choose(Rungs, 0, 10_000_000, bufferedSeconds: 8));
    }

    [Fact]
    public void Choose_EstimateRisesWithLowBuffer_Stays()
    {
        Assert.Equal(0, Abr.Choose(Rungs, 0, 10_000_000, bufferedSeconds: 2));
    }

    [Fact]
    public void Choose_EstimateBelowCurrentRung_SwitchesDownToWhatFits()
    {
        // 1.3 Mb/s × 0.95 = 1.235 Mb/s: 3 Mb/s no longer fits, 1.2 Mb/s does.
        Assert.Equal(2, Abr.Choose(Rungs, 3, 1_300_000, bufferedSeconds: 10));
    }

    [Fact]
    public void Choose_EstimateBetweenUpAndDownFactors_Stays()
    {
        // Current 3 Mb/s fits 0.95 × 3.3 Mb/s; 5 Mb/s does not fit 0.7 × 3.3 Mb/s: no oscillation.
        Assert.Equal(3, Abr.Choose(Rungs, 3, 3_300_000, bufferedSeconds: 10));
    }

    [Fact]
    public void Choose_EstimateBelowLowestRung_KeepsLowest()
    {
        Assert.Equal(0, Abr.Choose(Rungs, 2, 100_000, bufferedSeconds: 0));
    }

    [Fact]
    public void Estimator_NoSample_AnswersDefault()
    {
        Assert.Equal(500_000, new ThroughputEstimator().EstimateBitsPerSecond);
    }

    [Fact]
    public void Estimator_SteadySamples_ConvergesOnMeasuredRate()
    {
        var estimator = new ThroughputEstimator();
        for (var i = 0; i < 10; i++)
        {
            estimator.Sample(1_000_000, TimeSpan.FromSeconds(1)); // 8 Mb/s
        }

        Assert.Equal(8_000_000, estimator.EstimateBitsPerSecond, 1);
    }

    [Fact]
    public void Estimator_SuddenDrop_FollowsTheFastAverageDown()
    {
        var estimator = new ThroughputEstimator();
        for (var i = 0; i < 10; i++)
        {
            estimator.Sample(1_000_000, TimeSpan.FromSeconds(1)); // 8 Mb/s
        }

        estimator.Sample(250_000, TimeSpan.FromSeconds(2)); // 1 Mb/s for 2 s

        // The fast average (3 s half-life) after 2 s at 1 Mb/s: 0.37 × 1 + 0.63 × 8 ≈ 5.2 Mb/s (the slow one, 9 s, is
        // still ≈ 6.9 Mb/s); the estimate is the lower of the two.
        Assert.InRange(estimator.EstimateBitsPerSecond, 5_000_000, 5_500_000);
    }

    [Fact]
    public void Estimator_InstantDownload_CountsAtLeastFiftyMilliseconds()
    {
        var estimator = new ThroughputEstimator();

        estimator.Sample(500_000, TimeSpan.FromTicks(10)); // loopback: microseconds

        Assert.Equal(500_000 * 8 / 0.05, estimator.EstimateBitsPerSecond, 1);
    }
}
