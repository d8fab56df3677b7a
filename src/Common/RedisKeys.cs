namespace Vod.Common;

/// <summary>
/// Every name the services use in Redis, in one place. Redis holds coordination only (the media store is the source of
/// truth), so each of these may be lost in a failover or a wipe; the comment says who rebuilds it.
/// <para>
/// Redis Cluster: keys that one script or transaction touches together share a hash tag (the part in braces, which
/// alone decides the slot), so they live on one shard: <c>{purges}</c> for the purge outbox, <c>{edges}</c> and
/// <c>{origins}</c> for each registry. The edges' shared cache does the opposite: its tag is one cached object or
/// slice, so a hot title spreads over every shard (see <c>EdgeCacheKeys</c>). No service lists keys by pattern.
/// </para>
/// </summary>
public static class RedisKeys
{
    /// <summary>The transcode job stream (origins add, transcoders read as one consumer group); lost jobs are enqueued again from the catalog.</summary>
    public const string JobStream = "vod:jobs";

    /// <summary>The consumer group of every transcoder on <see cref="JobStream"/>.</summary>
    public const string JobGroup = "transcoders";

    /// <summary>Edge registry: id → announcement (hash) and id → last heartbeat (sorted set), one slot; rewritten every second.</summary>
    public const string EdgeAnnouncements = "vod:{edges}";

    public const string EdgeHeartbeats = "vod:{edges}:heartbeats";

    /// <summary>Origin registry, the same shape; rewritten every 2 s.</summary>
    public const string OriginAnnouncements = "vod:{origins}";

    public const string OriginHeartbeats = "vod:{origins}:heartbeats";

    /// <summary>
    /// Pub/sub channel of cache purges (a message is a title id): wakes the edges up to read <see cref="PurgeStream"/> at
    /// once. On a Redis Cluster it is a sharded channel (SPUBLISH/SSUBSCRIBE), served by the shard of the purge outbox
    /// alone instead of being broadcast to every node; see <c>PurgeLog.WakeChannel</c>.
    /// </summary>
    public const string EdgePurgeChannel = "vod:{purges}:wake";

    /// <summary>
    /// The purge outbox (a stream of {title, generation}, trimmed to about 10 000 entries; see <c>PurgeLog</c>), appended
    /// by the origins and replayed by the edges. When it is lost, the next entry shows every edge a gap: each drops its L1.
    /// It shares the tag <c>{purges}</c> with <see cref="TitleGenerations"/>: one script writes both, one transaction reads both.
    /// </summary>
    public const string PurgeStream = "vod:{purges}";

    /// <summary>Title id → purge generation (a hash, bumped with each entry of <see cref="PurgeStream"/>); edges put it in their cache keys.</summary>
    public const string TitleGenerations = "vod:{purges}:generations";

    /// <summary>Edge id → the last <see cref="PurgeStream"/> entry that edge applied (a hash); edges rewrite it as they read on.</summary>
    public const string PurgeAcks = "vod:{purges}:acks";

    /// <summary>
    /// The edges' shared cache (L2) and fill leases: every key starts with <c>vod:edge:</c>, followed by a hash tag of
    /// one cached object or one slice (<c>{titleId:generation:...}</c>), which its fill lease shares; see
    /// <c>EdgeCacheKeys</c>. Fetched again from the origins when lost; a purge leaves a title's old keys to expire.
    /// </summary>
    public const string EdgeCachePrefix = "vod:edge:";

    /// <summary>
    /// The webhook outbox (origins only; see <c>WebhookOutbox</c>): every key starts with this prefix, so the tag
    /// <c>{webhooks}</c> puts them on one slot, as its scripts need. Lost with Redis: recent title transitions are
    /// detected and enqueued again from the catalog (same event ids); queued deletes and the delivery records are lost.
    /// Registrations are in the media store, not here.
    /// </summary>
    public const string WebhookPrefix = "vod:{webhooks}:";

    /// <summary>Delivery id → when its next attempt is due (Unix ms), a sorted set.</summary>
    public const string WebhookDue = "vod:{webhooks}:due";

    /// <summary>
    /// A resumable (tus) upload in flight: a hash of its length, committed offset, metadata and expiry, and the list of its
    /// committed chunks (with the S3 store), both under the hash tag of the upload's id so the commit script reaches both
    /// on a Redis Cluster. Written by the origins; the bytes are in the media store. Lost with Redis, the upload starts
    /// over (its bytes are removed when its entry in <see cref="UploadExpiries"/> is swept, or at their own expiry).
    /// </summary>
    public static string Upload(string uploadId) => $"vod:upload:{{{uploadId}}}";

    public static string UploadChunks(string uploadId) => $"vod:upload:{{{uploadId}}}:chunks";

    /// <summary>Upload id → expiry (ms since the epoch; a sorted set): what the origins' sweep reads to find expired uploads without listing keys.</summary>
    public const string UploadExpiries = "vod:{uploads}:expiries";
}
