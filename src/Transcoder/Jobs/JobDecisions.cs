using Vod.Common.Catalog;

namespace Vod.Transcoder.Jobs;

/// <summary>What the worker does with a job's stream entry once <see cref="TitleTranscoder.RunAsync"/> returns.</summary>
internal enum JobOutcome
{
    /// <summary>Ready, failed for good, deleted or a duplicate: acknowledge it.</summary>
    Finished,

    /// <summary>Failed for a reason that may pass (ffmpeg crashed, disk full): enqueue it again, then acknowledge.</summary>
    Retry,

    /// <summary>The worker is stopping: leave the entry pending, another worker claims it after the idle timeout.</summary>
    HandBack,
}

/// <summary>How an attempt ended, as far as the decision is concerned.</summary>
internal enum AttemptEnd
{
    /// <summary>Published: the title is ready.</summary>
    Ready,

    /// <summary>The input is not a usable video (not media, corrupt, over the limits): no retry can help.</summary>
    Rejected,

    /// <summary>Something that may pass (ffmpeg crashed, disk full, an I/O error).</summary>
    Failed,

    /// <summary>
    /// The attempt ran past <see cref="WorkerOptions.EncodeTimeLimit"/> and ffmpeg was killed. Final, like
    /// <see cref="Rejected"/>: the same input under the same limit would take as long again, and each retry would hold
    /// a worker for the whole limit.
    /// </summary>
    TimedOut,

    /// <summary>The worker is stopping (SIGTERM); not the title's fault.</summary>
    Stopped,
}

/// <summary>What to write into the title (null: leave it) and what to do with the stream entry.</summary>
internal readonly record struct JobDecision(JobOutcome Outcome, TitleStatus? Status = null, string? Error = null, bool RefundAttempt = false);

/// <summary>
/// The transcoder's decisions about a job, apart from the work, so each can be read and tested alone: whether to start
/// at all, and what an attempt's end means for the title and for its entry in the job stream.
/// </summary>
internal static class JobDecisions
{
    /// <summary>
    /// Whether to start: null to start an attempt, else what to do instead. A ready or failed title is a duplicate job; a title another worker is transcoding is too, unless this job was claimed from a dead worker; a
    /// title that used up its attempts fails with the last reason (a poison input must not take workers down forever).
    /// </summary>
    public static JobDecision? BeforeStart(Title title, bool claimed, int maxAttempts)
    {
        if (title.Status is TitleStatus.Ready or TitleStatus.Failed)
        {
            return new JobDecision(JobOutcome.Finished);
        }

        if (title.Status == TitleStatus.Transcoding && !claimed)
        {
            return new JobDecision(JobOutcome.Finished); // its own entry stays pending if that worker dies
        }

        if (title.Attempts >= maxAttempts)
        {
            var reason = $"gave up after {title.Attempts} attempts" + (title.Error is { } last ? $"; last error: {last}" : "; the transcoder stopped each time");
            return new JobDecision(JobOutcome.Finished, TitleStatus.Failed, reason);
        }

        return null;
    }

    /// <param name="attempts">The title's attempts, this one included.</param>
    /// <param name="reason">Why it ended, for <see cref="AttemptEnd.Rejected"/>, <see cref="AttemptEnd.TimedOut"/> and <see cref="AttemptEnd.Failed"/>.</param>
    public static JobDecision AfterAttempt(AttemptEnd end, int attempts, int maxAttempts, string? reason = null) => end switch
    {
        AttemptEnd.Ready => new JobDecision(JobOutcome.Finished),
        AttemptEnd.Rejected or AttemptEnd.TimedOut => new JobDecision(JobOutcome.Finished, TitleStatus.Failed, reason),
        AttemptEnd.Failed when attempts >= maxAttempts =>
            new JobDecision(JobOutcome.Finished, TitleStatus.Failed, $"gave up after {attempts} attempts; last error: {reason}"),
        AttemptEnd.Failed => new JobDecision(JobOutcome.Retry, TitleStatus.Queued, reason),
        _ => new JobDecision(JobOutcome.HandBack, TitleStatus.Queued, RefundAttempt: true),
    };
}
