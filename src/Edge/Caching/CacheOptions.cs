using System.ComponentModel.DataAnnotations;

namespace Vod.Edge.Caching;

internal sealed class CacheOptions
{
    public const string Section = "Cache";

    /// <summary>Objects are cached in slices of this many bytes (default 1 MiB); a range is served from its slices.</summary>
    [Range(16 * 1024, 64 * 1024 * 1024)]
    public int SliceBytes { get; set; } = 1 << 20;

    /// <summary>L1 bound: the sum of cached slice and metadata sizes kept in process memory (default 512 MiB).</summary>
    [Range(1 << 20, long.MaxValue)]
    public long MemoryLimitBytes { get; set; } = 512L << 20;

    /// <summary>Lifetime of versioned media (immutable: a new transcode is a new path).</summary>
    [Range(1, int.MaxValue)]
    public int MediaTtlSeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>Lifetime of playlists.</summary>
    [Range(1, int.MaxValue)]
    public int PlaylistTtlSeconds { get; set; } = 30;
}
