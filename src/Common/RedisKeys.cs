namespace Vod.Common;

/// <summary>
/// Every name the services use in Redis, in one place. Redis holds coordination only (the media store is the source of
/// truth), so each of these may be lost in a failover or a wipe; the comment says who rebuilds it.
/// </summary>
public static class RedisKeys
{
    /// <summary>The transcode job stream (origins add, transcoders read as one consumer group); lost jobs are enqueued again from the catalog.</summary>
    public const string JobStream = "vod:jobs";

    /// <summary>The consumer group of every transcoder on <see cref="JobStream"/>.</summary>
    public const string JobGroup = "transcoders";

    /// <summary>Edge registry: id → announcement (hash) and id → last heartbeat (sorted set); rewritten every second.</summary>
    public const string EdgeAnnouncements = "vod:edges";

    public const string EdgeHeartbeats = "vod:edges:heartbeats";

    /// <summary>Origin registry, the same shape; rewritten every 2 s.</summary>
    public const string OriginAnnouncements = "vod:origins";

    public const string OriginHeartbeats = "vod:origins:heartbeats";

    /// <summary>Pub/sub channel of cache purges (a message is a title id).</summary>
    public const string EdgePurgeChannel = "vod:edge:purge";

    /// <summary>
    /// The edges' shared cache (L2) and fill leases: every key of a title starts with <c>vod:edge:{titleId}:</c> (a
    /// Redis Cluster hash tag); see <c>EdgeCacheKeys</c>. Fetched again from the origins when lost.
    /// </summary>
    public const string EdgeCachePrefix = "vod:edge:";
}
