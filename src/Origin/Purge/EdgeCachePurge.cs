using StackExchange.Redis;
using Vod.Common.Hls;
using Vod.Origin.Admin;

namespace Vod.Origin.Purge;

/// <summary>
/// Drops a title from the edges' caches: its keys in the shared L2 are deleted (one pattern scan, thanks to the title
/// hash tag in every key), then its id is published so every edge evicts it from memory. Takes well under a second.
/// </summary>
internal sealed partial class EdgeCachePurge(IConnectionMultiplexer redis, ILogger<EdgeCachePurge> logger)
{
    private const int Batch = 500;

    /// <returns>The number of L2 keys removed.</returns>
    /// <exception cref="RedisException">Redis is unreachable; nothing was purged.</exception>
    public async Task<long> PurgeAsync(string titleId)
    {
        var db = redis.GetDatabase();
        long removed = 0;
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            var keys = new List<RedisKey>(Batch);
            await foreach (var key in server.KeysAsync(pattern: EdgeCacheKeys.TitlePattern(titleId), pageSize: Batch))
            {
                keys.Add(key);
                if (keys.Count == Batch)
                {
                    removed += await db.KeyDeleteAsync([.. keys]);
                    keys.Clear();
                }
            }

            if (keys.Count > 0)
            {
                removed += await db.KeyDeleteAsync([.. keys]);
            }
        }

        var edges = await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(EdgeCacheKeys.PurgeChannel), titleId);
        Log.Purged(logger, titleId, removed, edges);
        return removed;
    }

    /// <summary>Purge as part of another operation (a delete): failures are logged, not thrown.</summary>
    public async Task TryPurgeAsync(string titleId)
    {
        try
        {
            await PurgeAsync(titleId);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.PurgeFailed(logger, titleId, e.Message);
        }
    }
}

internal static class PurgeEndpoints
{
    public static IServiceCollection AddEdgeCachePurge(this IServiceCollection services) => services.AddSingleton<EdgeCachePurge>();

    /// <summary><c>POST /api/titles/{id}/purge</c> (admin): 200 with the number of L2 keys removed, 503 without Redis.</summary>
    public static IEndpointRouteBuilder MapPurge(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/titles/{id}/purge", async (string id, EdgeCachePurge purge) =>
        {
            if (!TitleId.IsValid(id))
            {
                return Results.Problem($"'{id}' is not a title id", statusCode: StatusCodes.Status404NotFound);
            }

            try
            {
                return Results.Ok(new { titleId = id, l2KeysRemoved = await purge.PurgeAsync(id) });
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                return Results.Problem("the edge caches could not be purged: Redis is unavailable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).RequireAdminKey();
        return app;
    }
}
