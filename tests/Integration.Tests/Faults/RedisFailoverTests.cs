using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Vod.Integration.Tests.Infrastructure;
using Vod.ServiceDefaults;

namespace Vod.Integration.Tests.Faults;

/// <summary>
/// The services' Redis connection against a real primary, replica and three Sentinels: when the primary is killed or
/// hangs, the Sentinels promote the replica and the connection follows, writes and pub/sub included.
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class RedisFailoverTests
{
    [Theory]
    [InlineData(Signals.Kill)]
    [InlineData(Signals.Stop)]
    public async Task Connection_PrimaryKilledOrStopped_FollowsThePromotedReplica(int signal)
    {
        await using var set = await RedisSentinelSet.StartAsync();
        var config = new RedisOptions { Configuration = set.Configuration }.ToConfigurationOptions();
        Assert.True(SentinelConnection.IsSentinel(config));
        await using var connection = SentinelConnection.Connect(config, NullLogger.Instance);
        var redis = connection.Multiplexer;
        var restored = 0;
        redis.ConnectionRestored += (_, _) => Interlocked.Increment(ref restored);
        var received = new List<string>();
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal("vod:test"), (_, message) =>
        {
            lock (received)
            {
                received.Add(message!);
            }
        });
        await redis.GetDatabase().StringSetAsync("before", "1");
        // Replication is asynchronous: let the replica acknowledge the write before the primary goes.
        Assert.Equal(1, (int)await redis.GetDatabase().ExecuteAsync("WAIT", 1, 5000));
        var old = await set.PrimaryAsync();
        Assert.Equal(old.Port, ((System.Net.IPEndPoint)connection.Primary).Port);

        old.Signal(signal);
        var stopwatch = Stopwatch.StartNew();
        await set.WaitForFailoverAsync(old.Port);
        var promoted = await set.PrimaryAsync();
        var decided = stopwatch.Elapsed;

        // Writes succeed again within seconds of the Sentinels' decision, on the promoted node.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await redis.GetDatabase().StringSetAsync("after", "2");
                return true;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10), "no write succeeded after the failover");
        var followed = stopwatch.Elapsed - decided;
        Assert.True(followed < TimeSpan.FromSeconds(8), $"writes resumed {followed.TotalSeconds:0.0} s after the Sentinels' decision");
        Assert.Equal(promoted.Port, ((System.Net.IPEndPoint)connection.Primary).Port);
        await using (var direct = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{promoted.Port}"))
        {
            Assert.Equal("2", (string?)await direct.GetDatabase().StringGetAsync("after"));
            Assert.Equal("1", (string?)await direct.GetDatabase().StringGetAsync("before")); // replicated before the failover
        }

        // Subscriptions moved with the connection, and the job queue's cue fired.
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal("vod:test"), "hello");
        await Eventually.TrueAsync(() =>
        {
            lock (received)
            {
                return Task.FromResult(received.Contains("hello"));
            }
        }, TimeSpan.FromSeconds(5), "the subscription did not follow the primary");
        Assert.True(Volatile.Read(ref restored) >= 1);

        if (signal == Signals.Stop)
        {
            // The old primary, continued, rejoins as a replica of the new one.
            old.Signal(Signals.Cont);
            await Eventually.TrueAsync(async () => await RedisSentinelSet.RoleAsync(old) == "slave", TimeSpan.FromSeconds(20),
                "the old primary did not rejoin as a replica");
        }
    }
}
