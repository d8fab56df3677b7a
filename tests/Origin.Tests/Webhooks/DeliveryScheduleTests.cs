using Vod.Origin.Webhooks;

namespace Vod.Origin.Tests.Webhooks;

public sealed class DeliveryScheduleTests
{
    private static readonly WebhookOptions Options = new(); // 10 s doubling, capped at 1 h, given up after a day
    private static readonly DateTimeOffset First = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(9, 2560)]
    [InlineData(10, 3600)] // 5120 s capped at an hour
    [InlineData(60, 3600)]
    public void Delay_OnTime_DoublesUpToTheCap(int failedAttempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DeliverySchedule.Delay(failedAttempts, Options.FirstRetryDelay, Options.MaxRetryDelay, jitter: 0.5));

    [Fact]
    public void Delay_Jitter_SpreadsTwentyPercentEitherWay()
    {
        Assert.Equal(TimeSpan.FromSeconds(8), DeliverySchedule.Delay(1, Options.FirstRetryDelay, Options.MaxRetryDelay, 0));
        Assert.Equal(TimeSpan.FromSeconds(12), DeliverySchedule.Delay(1, Options.FirstRetryDelay, Options.MaxRetryDelay, 1));
    }

    [Fact]
    public void AfterAttempt_2xx_IsDelivered()
    {
        var step = DeliverySchedule.AfterAttempt(new AttemptResult(204, null), 3, First, First.AddMinutes(1), Options, 0.5);
        Assert.Equal(new DeliveryStep(DeliveryState.Delivered, null), step);
    }

    [Theory]
    [InlineData(500, null)]
    [InlineData(302, "redirect not followed")]
    [InlineData(null, "timed out after 10 s")]
    [InlineData(null, "Connection refused")]
    public void AfterAttempt_FailureEarly_RetriesOnSchedule(int? status, string? error)
    {
        var now = First.AddSeconds(1);
        var step = DeliverySchedule.AfterAttempt(new AttemptResult(status, error), 1, First, now, Options, 0.5);
        Assert.Equal(new DeliveryStep(DeliveryState.Retrying, now.AddSeconds(10)), step);
    }

    [Fact]
    public void AfterAttempt_NextPastADay_GivesUp()
    {
        var now = First.AddHours(23.5);
        var step = DeliverySchedule.AfterAttempt(new AttemptResult(503, null), 30, First, now, Options, 0.5);
        Assert.Equal(DeliveryState.GaveUp, step.State);
        Assert.Null(step.NextAttempt);
    }

    [Fact]
    public void Schedule_WithDefaults_TriesForAboutADay()
    {
        var (now, attempts) = (First, 1);
        while (DeliverySchedule.AfterAttempt(new AttemptResult(500, null), attempts, First, now, Options, 0.5) is { State: DeliveryState.Retrying } step)
        {
            (now, attempts) = (step.NextAttempt!.Value, attempts + 1);
        }

        Assert.InRange(now - First, TimeSpan.FromHours(23), TimeSpan.FromDays(1));
        Assert.InRange(attempts, 25, 35);
    }
}
