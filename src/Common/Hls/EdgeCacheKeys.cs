namespace Vod.Common.Hls;

/// <summary>
/// Names in Redis for the edges' shared cache (L2), known to the edges that fill it and to the tests that inspect it.
/// Every key starts with <c>vod:edge:{titleId:generation:</c> and its hash tag (the part in braces, which alone picks
/// the Redis Cluster slot) ends with the cached object: an object's metadata is <c>vod:edge:{titleId:generation:m:path}</c>,
/// a slice <c>vod:edge:{titleId:generation:s:path:index}:etag</c>, so the slices of one title, and of one file, spread
/// over every shard instead of pinning a hot title to one. A fill lease is its key followed by <c>:lease</c>: same
/// tag, same slot as what it guards. The generation changes with every purge, so a fill still in flight when its
/// title is purged writes where nobody reads, and a purge needs no key listing: the old keys expire. Keys are built
/// only from a validated <see cref="MediaPath"/> (no braces in a title id or a path).
/// </summary>
public static class EdgeCacheKeys
{
    /// <summary>Pub/sub channel: a message is a title id whose cached objects every edge drops from memory.</summary>
    public const string PurgeChannel = RedisKeys.EdgePurgeChannel;

    /// <summary>
    /// Matches every key of a title on one Redis node, for an operator or a test looking at a node; no service lists keys.
    /// Refuses anything but a valid title id.
    /// </summary>
    public static string TitlePattern(string titleId) => TitleId.IsValid(titleId)
        ? $"{RedisKeys.EdgeCachePrefix}{{{titleId}:*"
        : throw new ArgumentException("not a valid title id", nameof(titleId));

    /// <param name="generation">The title's purge generation: a purge moves every key of the title to new names.</param>
    public static string Meta(MediaPath path, long generation) =>
        $"{RedisKeys.EdgeCachePrefix}{{{path.TitleId}:{generation}:m:{path.RelativePath}}}";

    /// <summary>The key of slice <paramref name="index"/> of the object with <paramref name="etag"/>; its own slot.</summary>
    public static string Slice(MediaPath path, long generation, string etag, long index) =>
        $"{RedisKeys.EdgeCachePrefix}{{{path.TitleId}:{generation}:s:{path.RelativePath}:{index}}}:{etag}";

    /// <summary>The short lease the edge that fetches a key from the origin holds, so the rest of the fleet waits for L2.</summary>
    public static string Lease(string key) => key + ":lease";
}
