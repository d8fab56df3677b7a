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

    /// <summary>How long versioned media stays fresh (immutable: a new transcode is a new path).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MediaTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long playlists stay fresh.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan PlaylistTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long past freshness a copy is kept to be served when the origin fails (stale-if-error).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan StaleIfError { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Slices after the one a client reads that are fetched in the background (0 turns read-ahead off).</summary>
    [Range(0, 64)]
    public int ReadAheadSlices { get; set; } = 3;

    /// <summary>
    /// Only a request for at least this many bytes starts read-ahead: that is a player reading media. A tiny range (a
    /// probe, an init segment, an attacker's 1-byte range) fetches its own slice and nothing more.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int ReadAheadMinBytes { get; set; } = 64 * 1024;

    /// <summary>At most this many read-ahead fetches run at once; more are skipped, never queued.</summary>
    [Range(1, 256)]
    public int ReadAheadConcurrency { get; set; } = 4;

    /// <summary>Lifetime of the fleet lease an edge holds while it fetches a key from the origin.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan LeaseLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an edge waits for another edge's fill to land in L2 before fetching from the origin itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan LeaseWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// At most this many client requests wait for a fill (origin or Redis) at once; the next one is answered 503 at
    /// once instead of joining a queue that a slow origin or Redis would never drain. Cache hits do not count.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxWaitingRequests { get; set; } = 512;

    /// <summary>
    /// At most this many fills (origin fetches for distinct keys) run at once on this edge; a request that would start
    /// one more is answered 503 at once, before any origin work. Each fill may hold a slice in memory, so this also
    /// bounds the memory a flood of distinct misses can take. Requests joining a fill in flight do not count.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentFills { get; set; } = 128;

    /// <summary>How long an origin's 404 is remembered in memory, so a repeated request for a missing object costs no origin request.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan NotFoundTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A client request waits at most this long for a fill, then gets 504 (the fill goes on for the next request).
    /// Shorter than a player's own timeouts, so a player hears a 5xx and fails over rather than waiting out its timer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>After a Redis call times out, L2 is skipped for this long (a hung Redis must not cost every miss a timeout).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan L2Backoff { get; set; } = TimeSpan.FromSeconds(5);
}
