namespace Vod.Common.Hls;

/// <summary>
/// Names in Redis for the edges' shared cache (L2), known to the edges that fill it and to the origin that purges it.
/// Every key of a title starts with <c>vod:edge:{titleId}:{generation}:</c>: the braces make a Redis Cluster hash tag,
/// so a title's keys live in one slot and a purge is one pattern scan; the generation changes with every purge, so a
/// fill still in flight when its title is purged writes where nobody reads. Keys are built only from a validated
/// <see cref="MediaPath"/>.
/// </summary>
public static class EdgeCacheKeys
{
    /// <summary>Pub/sub channel: a message is a title id whose cached objects every edge drops from memory.</summary>
    public const string PurgeChannel = RedisKeys.EdgePurgeChannel;

    /// <summary>Refuses anything but a valid title id: a client's text can never become a key or a purge pattern.</summary>
    public static string TitlePrefix(string titleId) => TitleId.IsValid(titleId)
        ? $"{RedisKeys.EdgeCachePrefix}{{{titleId}}}:"
        : throw new ArgumentException("not a valid title id", nameof(titleId));

    public static string TitlePattern(string titleId) => TitlePrefix(titleId) + "*";

    /// <param name="generation">The title's purge generation: a purge moves every key of the title to new names.</param>
    public static string Meta(MediaPath path, long generation) => $"{TitlePrefix(path.TitleId)}{generation}:m:{path.RelativePath}";

    /// <summary>Slice keys are this prefix followed by the slice index.</summary>
    public static string SlicePrefix(MediaPath path, long generation, string etag) => $"{TitlePrefix(path.TitleId)}{generation}:s:{path.RelativePath}:{etag}:";

    /// <summary>The short lease the edge that fetches a key from the origin holds, so the rest of the fleet waits for L2.</summary>
    public static string Lease(string key) => key + ":lease";
}
