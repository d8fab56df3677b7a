namespace Vod.Edge.Caching;

/// <summary>
/// L2: the cache every edge shares, and the short fill leases that make a cold key cost one origin fetch per fleet
/// (<see cref="FleetFill"/>). Redis in production (<see cref="RedisEdgeCacheStore"/>). A store that cannot be
/// reached answers "miss" and <see cref="Lease.Unavailable"/> at once and never throws: the edge goes on without it.
/// </summary>
internal interface ISharedCacheStore
{
    ValueTask<byte[]?> GetAsync(string key);

    ValueTask SetAsync(string key, byte[] value, TimeSpan lifetime);

    /// <summary>Takes the fleet lease for filling <paramref name="key"/>.</summary>
    ValueTask<Lease> TryAcquireLeaseAsync(string key, TimeSpan lifetime);

    ValueTask<bool> IsLeaseHeldAsync(string key);

    /// <summary>Releases the lease only if this edge still holds it (it may have expired and been taken by another).</summary>
    ValueTask ReleaseLeaseAsync(string key);
}

internal enum Lease
{
    Acquired,
    HeldByAnother,

    /// <summary>The store cannot be asked: the caller fetches on its own.</summary>
    Unavailable,
}
