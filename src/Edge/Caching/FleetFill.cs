using Microsoft.Extensions.Options;

namespace Vod.Edge.Caching;

/// <summary>
/// The fleet fill protocol: a key missing from L2 is fetched by one edge at a time. The edge that takes the lease
/// fetches and stores into L2, then releases the lease; the others poll L2 until the value lands or the lease is
/// gone, for at most <see cref="CacheOptions.LeaseWait"/>, then fetch on their own. Without a shared store every
/// edge fetches on its own.
/// </summary>
internal sealed class FleetFill(ISharedCacheStore shared, IOptions<CacheOptions> options, TimeProvider time)
{
    private static readonly TimeSpan LeasePoll = TimeSpan.FromMilliseconds(10);
    private readonly CacheOptions _options = options.Value;

    /// <param name="key">The L2 key.</param>
    /// <param name="usable">Whether a value found in L2 can be served (a metadata entry may no longer be fresh).</param>
    /// <param name="fetch">Asks the origin; null when it does not have the object (nothing is stored then).</param>
    /// <param name="lifetime">How long a fetched value stays in L2.</param>
    /// <returns>The value and where it came from: <see cref="CacheResult.L2Hit"/>, <see cref="CacheResult.Coalesced"/> (another edge fetched it) or <see cref="CacheResult.Miss"/>.</returns>
    public async Task<(byte[]? Value, CacheResult Result)> GetOrFetchAsync(
        string key, Func<byte[], bool> usable, Func<Task<byte[]?>> fetch, TimeSpan lifetime)
    {
        if (await shared.GetAsync(key) is { } cached && usable(cached))
        {
            return (cached, CacheResult.L2Hit);
        }

        var lease = await shared.TryAcquireLeaseAsync(key, _options.LeaseLifetime);
        if (lease == Lease.Acquired && await shared.GetAsync(key) is { } filled && usable(filled))
        {
            // Another edge filled the key and released its lease between our first look and our lease.
            await shared.ReleaseLeaseAsync(key);
            return (filled, CacheResult.Coalesced);
        }

        if (lease == Lease.HeldByAnother && await WaitForHolderAsync(key, usable) is { } landed)
        {
            return (landed, CacheResult.Coalesced);
        }

        try
        {
            var value = await fetch();
            if (value is not null)
            {
                await shared.SetAsync(key, value, lifetime); // stored before the lease goes: see WaitForHolderAsync
            }

            return (value, CacheResult.Miss);
        }
        finally
        {
            if (lease == Lease.Acquired)
            {
                await shared.ReleaseLeaseAsync(key);
            }
        }
    }

    /// <returns>The value the lease holder stored; null when it finished without storing (a 404), died, or took too long.</returns>
    private async Task<byte[]?> WaitForHolderAsync(string key, Func<byte[], bool> usable)
    {
        var deadline = time.GetUtcNow() + _options.LeaseWait;
        while (time.GetUtcNow() < deadline)
        {
            await Task.Delay(LeasePoll, time);
            // The lease first, then L2: the holder stores the value before it releases the lease, so a lease seen
            // gone means the value, if there is one, is already readable. (Looking at L2 first left a gap: the
            // holder could store and release between the two looks, and this edge fetched the slice again.)
            var held = await shared.IsLeaseHeldAsync(key);
            if (await shared.GetAsync(key) is { } landed && usable(landed))
            {
                return landed;
            }

            if (!held)
            {
                break;
            }
        }

        return null;
    }
}
