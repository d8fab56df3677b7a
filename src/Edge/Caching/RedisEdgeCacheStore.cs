using StackExchange.Redis;

namespace Vod.Edge.Caching;

/// <summary>
/// L2: Redis, shared by every edge, so one edge's fill is every edge's hit. While Redis is down the store answers
/// misses at once (no wait for a timeout) and the edge goes on with L1 and the origin.
/// </summary>
internal sealed partial class RedisEdgeCacheStore(IConnectionMultiplexer redis, ILogger<RedisEdgeCacheStore> logger) : IEdgeCacheStore
{
    public const string KeyPrefix = "vod:edge:";

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            return (byte[]?)await redis.GetDatabase().StringGetAsync(KeyPrefix + key);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.Unavailable(logger, e.Message);
            return null;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringSetAsync(KeyPrefix + key, value, validFor);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.Unavailable(logger, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "L2 cache (Redis) unavailable, serving without it: {Reason}")]
        public static partial void Unavailable(ILogger logger, string reason);
    }
}
