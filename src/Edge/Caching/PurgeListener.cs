using StackExchange.Redis;
using Vod.Common.Fleet;
using Vod.Common.Hls;
using Vod.Edge.Metrics;
using Vod.Edge.Registry;

namespace Vod.Edge.Caching;

/// <summary>
/// Follows the purge log (<see cref="PurgeLog"/>, a Redis stream the origin appends to) so that no purge is missed:
/// each entry moves its title to a new generation (<see cref="TitleGenerations"/>) and drops it from memory, and the
/// edge acknowledges how far it has read, which is what lets the origin's DELETE say when every live edge has purged.
/// A pub/sub message on <see cref="EdgeCacheKeys.PurgeChannel"/> (<see cref="PurgeLog.WakeChannel"/>) wakes the follower at once; it also reads every
/// <see cref="PollInterval"/>, so a wake-up lost while this edge was cut off from Redis costs at most that long once
/// Redis is back: the edge then replays what it missed from where it stopped. When the log no longer reaches back that
/// far (trimmed, or Redis lost its data), the edge cannot know what it missed and drops everything it holds in memory.
/// </summary>
internal sealed class PurgeListener(
    IConnectionMultiplexer redis,
    MemoryEdgeCacheStore memory,
    TitleGenerations generations,
    EdgeHeartbeat heartbeat,
    EdgeMetrics metrics,
    ILogger<PurgeListener> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private const int Batch = 1000;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private string? _position;
    private string? _acknowledged;
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscribed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Sharded on a Redis Cluster, plain on one server: known once a node is connected (until then, polling).
                if (!subscribed && PurgeLog.WakeChannel(redis) is { } channel)
                {
                    await redis.GetSubscriber().SubscribeAsync(channel, (_, _) => Wake());
                    subscribed = true;
                }

                await FollowAsync(redis.GetDatabase());
                if (_failing)
                {
                    _failing = false;
                    Log.PurgeLogReachable(logger);
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                if (!_failing)
                {
                    _failing = true;
                    Log.PurgeLogUnreachable(logger, e.Message);
                }
            }

            try
            {
                await _wake.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads the log from where this edge stopped, applies each purge, and acknowledges the position.</summary>
    private async Task FollowAsync(IDatabase db)
    {
        _position ??= await SnapshotAsync(db);

        for (var gaps = 0; ;)
        {
            var (entries, gap) = await PurgeLog.ReadAfterAsync(db, _position, Batch);
            if (gap && ++gaps == 1)
            {
                // Purges after our position were trimmed away (or Redis lost the log): nothing in memory can be trusted.
                memory.PurgeAll();
                metrics.Purged();
                Log.PurgedAll(logger, _position);
                _position = await SnapshotAsync(db);
                continue;
            }

            foreach (var purge in entries)
            {
                generations.Advance(purge.TitleId, purge.Generation);
                memory.PurgeTitle(purge.TitleId);
                metrics.Purged();
                Log.Purged(logger, purge.TitleId, purge.Generation);
                _position = purge.StreamId;
            }

            if (entries.Count < Batch)
            {
                break;
            }
        }

        if (_position != _acknowledged && heartbeat.Announcement?.Id is { } edgeId)
        {
            await PurgeLog.AckAsync(db, edgeId, _position);
            _acknowledged = _position;
        }
    }

    /// <summary>Takes the fleet's generations as they are now; returns the log position they stand for.</summary>
    private async Task<string> SnapshotAsync(IDatabase db)
    {
        var (snapshot, lastId) = await PurgeLog.SnapshotAsync(db);
        generations.Reset(snapshot);
        return lastId;
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already woken
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
