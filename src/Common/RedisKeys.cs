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

    /// <summary>Pub/sub channel of cache purges (a message is a title id): wakes the edges up to read <see cref="PurgeStream"/> at once.</summary>
    public const string EdgePurgeChannel = "vod:edge:purge";

    /// <summary>
    /// The purge outbox (a stream of {title, generation}, trimmed to about 10 000 entries; see <c>PurgeLog</c>), appended
    /// by the origins and replayed by the edges. When it is lost, the next entry shows every edge a gap: each drops its L1.
    /// </summary>
    public const string PurgeStream = "vod:purges";

    /// <summary>Title id → purge generation (a hash, bumped with each entry of <see cref="PurgeStream"/>); edges put it in their cache keys.</summary>
    public const string TitleGenerations = "vod:purges:generations";

    /// <summary>Edge id → the last <see cref="PurgeStream"/> entry that edge applied (a hash); edges rewrite it as they read on.</summary>
    public const string PurgeAcks = "vod:purges:acks";

    /// <summary>
    /// The edges' shared cache (L2) and fill leases: every key of a title starts with <c>vod:edge:{titleId}:</c> (a
    /// Redis Cluster hash tag); see <c>EdgeCacheKeys</c>. Fetched again from the origins when lost.
    /// </summary>
    public const string EdgeCachePrefix = "vod:edge:";
}
