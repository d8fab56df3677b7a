using StackExchange.Redis;
using Vod.Common.Hls;
using Vod.Edge.Metrics;

namespace Vod.Edge.Caching;

/// <summary>
/// Drops a title from this edge's memory when the origin publishes its id on <see cref="EdgeCacheKeys.PurgeChannel"/>
/// (the origin removes the title's L2 keys itself). The subscription is re-established by the multiplexer after a
/// Redis outage; a purge published while this edge was cut off is missed, which is why purges also delete from L2.
/// </summary>
internal sealed class PurgeListener(IConnectionMultiplexer redis, MemoryEdgeCacheStore memory, EdgeMetrics metrics, ILogger<PurgeListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(EdgeCacheKeys.PurgeChannel), (_, message) =>
                {
                    var titleId = (string?)message;
                    if (TitleId.IsValid(titleId))
                    {
                        memory.PurgeTitle(titleId!);
                        metrics.Purged();
                        Log.Purged(logger, titleId!);
                    }
                });
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Log.SubscribeFailed(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
