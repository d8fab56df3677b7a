namespace Vod.Edge.OriginClient;

/// <summary>What the edge keeps about an object besides its bytes: enough to answer HEAD, 304 and ranges.</summary>
internal sealed record ObjectMeta(long Size, string ETag, DateTimeOffset? LastModified, string ContentType, string? CacheControl);

/// <summary>The origin failed (5xx, refused, timed out): the edge answers 502/504, never 404.</summary>
internal class OriginUnavailableException(string message, bool timedOut, Exception? inner = null) : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>
/// The edge has too many requests waiting on fills already: answered 503 at once so that the player fails over to
/// another edge, instead of queueing behind a slow origin or Redis (a gray failure).
/// </summary>
internal sealed class EdgeBusyException(string message) : OriginUnavailableException(message, timedOut: false);
