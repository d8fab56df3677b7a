namespace Vod.Origin.Webhooks;

/// <summary>What became of a delivery after an attempt.</summary>
internal enum DeliveryState
{
    /// <summary>The endpoint answered 2xx: done.</summary>
    Delivered,

    /// <summary>The attempt failed; the next one is due at <see cref="DeliveryStep.NextAttempt"/>.</summary>
    Retrying,

    /// <summary>The attempt failed and the next would come past <see cref="WebhookOptions.GiveUpAfter"/>: no more attempts.</summary>
    GaveUp,
}

/// <summary>One attempt's result: the endpoint's status code, or why there was none (refused, timed out).</summary>
internal sealed record AttemptResult(int? StatusCode, string? Error)
{
    public bool Succeeded => StatusCode is >= 200 and <= 299;

    /// <summary>How the endpoint's deliveries show it: the status code, or the error.</summary>
    public string Describe => StatusCode is { } code ? $"status {code}" : Error ?? "failed";
}

internal sealed record DeliveryStep(DeliveryState State, DateTimeOffset? NextAttempt);

/// <summary>
/// The retry schedule as pure functions: after failed attempt n the next waits <see cref="WebhookOptions.FirstRetryDelay"/>
/// × 2^(n-1), capped at <see cref="WebhookOptions.MaxRetryDelay"/>, then spread by ±20 % jitter (so endpoints that come back
/// after an outage are not hit by every delivery in the same second); none is scheduled past
/// <see cref="WebhookOptions.GiveUpAfter"/> from the first attempt. With the defaults (10 s doubling, 1 h cap, a day):
/// 10 s, 20 s, 40 s, ... 1 h, about 30 attempts.
/// </summary>
internal static class DeliverySchedule
{
    /// <param name="failedAttempts">Attempts made so far, all failed (1 after the first).</param>
    /// <param name="jitter">A number in [0, 1): 0 is 20 % early, 0.5 on time, just under 1 is 20 % late.</param>
    public static TimeSpan Delay(int failedAttempts, TimeSpan first, TimeSpan cap, double jitter)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 40);
        var ticks = Math.Min(cap.Ticks, first.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(ticks * (0.8 + (0.4 * Math.Clamp(jitter, 0, 1)))));
    }

    /// <summary>The state after an attempt: delivered, retrying at a time, or given up.</summary>
    public static DeliveryStep AfterAttempt(AttemptResult result, int attempts, DateTimeOffset firstAttempt, DateTimeOffset now, WebhookOptions options, double jitter)
    {
        if (result.Succeeded)
        {
            return new DeliveryStep(DeliveryState.Delivered, null);
        }

        var next = now + Delay(attempts, options.FirstRetryDelay, options.MaxRetryDelay, jitter);
        return next - firstAttempt > options.GiveUpAfter ? new DeliveryStep(DeliveryState.GaveUp, null) : new DeliveryStep(DeliveryState.Retrying, next);
    }
}
