using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Hls;

namespace Vod.Edge.Caching;

/// <summary>
/// L2: Redis, shared by every edge, so one edge's fill is every edge's hit, plus the short fill leases that make a
/// cold object cost one origin fetch per fleet. While Redis is down every call answers "miss" or "no lease" at
/// once (no wait for a timeout) and the edge goes on with L1 and the origin. A Redis that is connected but does not
/// answer (stopped, overloaded) costs one timeout, after which L2 is skipped for
/// <see cref="CacheOptions.L2Backoff"/>, then tried again.
/// </summary>
internal sealed class RedisEdgeCacheStore(
    IConnectionMultiplexer redis,
    IOptions<CacheOptions> options,
    TimeProvider time,
    ILogger<RedisEdgeCacheStore> logger) : ISharedCacheStore
{
    /// <summary>
    /// Compare-and-delete in one round trip: the lease goes only if this edge still holds it. (StackExchange.Redis's
    /// <c>LockReleaseAsync</c> is a transaction with a condition, and the library waits for the condition's reply
    /// synchronously on the calling thread: that blocked a thread per release, and with inline socket completions the
    /// very thread that had to read the reply, which stalled the whole edge until the Redis timeout.)
    /// </summary>
    private static readonly LuaScript ReleaseScript = LuaScript.Prepare(
        "if redis.call('get', @key) == @owner then return redis.call('del', @key) else return 0 end");

    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private long _skipUntilTicks;

    public bool IsAvailable => redis.IsConnected && time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _skipUntilTicks);

    public async ValueTask<byte[]?> GetAsync(string key)
    {
        if (!IsAvailable)
        {
            return null;
        }

        try
        {
            return (byte[]?)await redis.GetDatabase().StringGetAsync(key);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e);
            return null;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, TimeSpan lifetime)
    {
        if (!IsAvailable)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringSetAsync(key, value, lifetime);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e);
        }
    }

    public async ValueTask<Lease> TryAcquireLeaseAsync(string key, TimeSpan lifetime)
    {
        if (!IsAvailable)
        {
            return Lease.Unavailable;
        }

        try
        {
            return await redis.GetDatabase().LockTakeAsync(EdgeCacheKeys.Lease(key), _owner, lifetime) ? Lease.Acquired : Lease.HeldByAnother;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e);
            return Lease.Unavailable;
        }
    }

    public async ValueTask<bool> IsLeaseHeldAsync(string key)
    {
        try
        {
            return IsAvailable && await redis.GetDatabase().KeyExistsAsync(EdgeCacheKeys.Lease(key));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e);
            return false;
        }
    }

    public async ValueTask ReleaseLeaseAsync(string key)
    {
        try
        {
            if (IsAvailable)
            {
                await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, new { key = (RedisKey)EdgeCacheKeys.Lease(key), owner = (RedisValue)_owner });
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e);
        }
    }

    private void Failed(Exception e)
    {
        var backoff = options.Value.L2Backoff;
        if (e is TimeoutException && backoff > TimeSpan.Zero)
        {
            var until = (time.GetUtcNow() + backoff).UtcTicks;
            if (Interlocked.Exchange(ref _skipUntilTicks, until) < time.GetUtcNow().UtcTicks)
            {
                Log.BackingOff(logger, backoff, e.Message);
                return;
            }
        }

        Log.Unavailable(logger, e.Message);
    }
}
