namespace Vod.Edge.OriginClient;

/// <summary>What the edge keeps about an object besides its bytes: enough to answer HEAD, 304 and ranges.</summary>
internal sealed record ObjectMeta(long Size, string ETag, DateTimeOffset? LastModified, string ContentType, string? CacheControl);
