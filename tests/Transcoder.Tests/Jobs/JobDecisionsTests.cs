using Vod.Common.Catalog;
using Vod.Transcoder.Jobs;

namespace Vod.Transcoder.Tests.Jobs;

public sealed class JobDecisionsTests
{
    private static Title TitleIn(TitleStatus status, int attempts = 0, string? error = null) => new()
    {
        Id = "abcdefghij23",
        Name = "t",
        Status = status,
        Attempts = attempts,
        Error = error,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Source = "abcdefghij23.mp4",
    };

    [Theory]
    [InlineData(TitleStatus.Queued, false, 0, "start")]
    [InlineData(TitleStatus.Queued, true, 2, "start")]
    [InlineData(TitleStatus.Transcoding, true, 1, "start")] // claimed from a dead worker: take it over
    [InlineData(TitleStatus.Transcoding, false, 1, "Finished")] // another worker holds it: a duplicate entry
    [InlineData(TitleStatus.Ready, false, 1, "Finished")]
    [InlineData(TitleStatus.Failed, true, 3, "Finished")]
    [InlineData(TitleStatus.Queued, false, 3, "Finished")] // attempts used up
    public void BeforeStart_Table(TitleStatus status, bool claimed, int attempts, string expected)
    {
        var decision = JobDecisions.BeforeStart(TitleIn(status, attempts), claimed, maxAttempts: 3);

        Assert.Equal(expected, decision?.Outcome.ToString() ?? "start");
    }

    [Theory]
    [InlineData("ffmpeg crashed", "gave up after 3 attempts; last error: ffmpeg crashed")]
    [InlineData(null, "gave up after 3 attempts; the transcoder stopped each time")]
    public void BeforeStart_AttemptsUsedUp_FailsTheTitleWithTheLastReason(string? lastError, string expected)
    {
        var decision = JobDecisions.BeforeStart(TitleIn(TitleStatus.Queued, 3, lastError), claimed: true, maxAttempts: 3);

        Assert.Equal(new JobDecision(JobOutcome.Finished, TitleStatus.Failed, expected), decision);
    }

    [Theory]
    [InlineData("Ready", 1, "Finished", null, null, false)]
    [InlineData("Rejected", 1, "Finished", TitleStatus.Failed, "not a video", false)]
    [InlineData("TimedOut", 1, "Finished", TitleStatus.Failed, "too slow", false)] // final: a retry would take as long again
    [InlineData("Failed", 1, "Retry", TitleStatus.Queued, "disk full", false)]
    [InlineData("Failed", 2, "Retry", TitleStatus.Queued, "disk full", false)]
    [InlineData("Failed", 3, "Finished", TitleStatus.Failed, "gave up after 3 attempts; last error: disk full", false)]
    [InlineData("Stopped", 2, "HandBack", TitleStatus.Queued, null, true)] // not the title's fault: the attempt is refunded
    public void AfterAttempt_Table(string endName, int attempts, string outcome, TitleStatus? status, string? error, bool refund)
    {
        var end = Enum.Parse<AttemptEnd>(endName);
        var reason = end switch { AttemptEnd.Rejected => "not a video", AttemptEnd.TimedOut => "too slow", _ => "disk full" };

        var decision = JobDecisions.AfterAttempt(end, attempts, maxAttempts: 3, end is AttemptEnd.Ready or AttemptEnd.Stopped ? null : reason);

        Assert.Equal(new JobDecision(Enum.Parse<JobOutcome>(outcome), status, error, refund), decision);
    }
}
