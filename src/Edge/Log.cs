namespace Vod.Edge;

/// <summary>
/// Every log message of this service in one place, each with an event id unique in the assembly and an event name
/// (as aspnetcore's OutputCaching keeps its messages in one LoggerExtensions.cs): a log line can be found from its id.
/// </summary>
internal static partial class Log
{
    // Caching/PurgeListener.cs
    [LoggerMessage(1, LogLevel.Information, "Purged title {TitleId} from memory (generation {Generation})", EventName = "Purged")]
    public static partial void Purged(ILogger logger, string titleId, long generation);

    [LoggerMessage(2, LogLevel.Warning, "Cannot read the purge log, retrying every second; purges are replayed once it is back: {Reason}", EventName = "PurgeLogUnreachable")]
    public static partial void PurgeLogUnreachable(ILogger logger, string reason);

    [LoggerMessage(13, LogLevel.Information, "Reading the purge log again", EventName = "PurgeLogReachable")]
    public static partial void PurgeLogReachable(ILogger logger);

    [LoggerMessage(14, LogLevel.Warning, "The purge log no longer reaches back to {Position}: purges may have been missed, dropped everything from memory", EventName = "PurgedAll")]
    public static partial void PurgedAll(ILogger logger, string? position);

    // Caching/RedisEdgeCacheStore.cs
    [LoggerMessage(3, LogLevel.Warning, "L2 cache (Redis) unavailable, serving without it: {Reason}", EventName = "Unavailable")]
    public static partial void Unavailable(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Warning, "L2 cache (Redis) did not answer in time, skipping it for {Backoff}: {Reason}", EventName = "BackingOff")]
    public static partial void BackingOff(ILogger logger, TimeSpan backoff, string reason);

    // Caching/SliceCache.cs
    [LoggerMessage(5, LogLevel.Warning, "Origin failed for {Path}, serving an expired copy: {Reason}", EventName = "ServingStale")]
    public static partial void ServingStale(ILogger logger, string path, string reason);

    // Caching/ReadAhead.cs
    [LoggerMessage(6, LogLevel.Debug, "Read-ahead of {Path} slice {Index} failed: {Reason}", EventName = "ReadAheadFailed")]
    public static partial void ReadAheadFailed(ILogger logger, string path, long index, string reason);

    // Delivery/MediaEndpoint.cs
    [LoggerMessage(7, LogLevel.Warning, "Origin failed for {Path}: {Reason}", EventName = "OriginFailed")]
    public static partial void OriginFailed(ILogger logger, string path, string reason);

    // OriginClient/OriginPool.cs
    [LoggerMessage(8, LogLevel.Warning, "Origin {Origin} is down, fills go to the other origins: {Reason}", EventName = "OriginDown")]
    public static partial void OriginDown(ILogger logger, string origin, string reason);

    [LoggerMessage(9, LogLevel.Information, "Origin {Origin} is up again", EventName = "OriginUp")]
    public static partial void OriginUp(ILogger logger, string origin);

    // Registry/EdgeHeartbeat.cs
    [LoggerMessage(10, LogLevel.Information, "Announcing edge {EdgeId} at {Url}", EventName = "Announcing")]
    public static partial void Announcing(ILogger logger, string edgeId, string url);

    [LoggerMessage(11, LogLevel.Information, "Edge {EdgeId} left the registry; draining for {Drain}", EventName = "Deregistered")]
    public static partial void Deregistered(ILogger logger, string edgeId, TimeSpan drain);

    [LoggerMessage(12, LogLevel.Warning, "Heartbeat failed: {Reason}", EventName = "HeartbeatFailed")]
    public static partial void HeartbeatFailed(ILogger logger, string reason);
}
