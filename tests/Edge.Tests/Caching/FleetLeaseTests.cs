using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Edge.Caching;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Edge.Tests.Caching;

/// <summary>The fleet fill lease in a real redis-server: one holder at a time, released only by its holder, never blocking a thread.</summary>
public sealed class FleetLeaseTests
{
    private const string Key = "vod:edge:{leaseleasele}:s:v1/r/media.mp4:\"e1\":3";

    private static RedisEdgeCacheStore Store(IConnectionMultiplexer redis) =>
        new(redis, Options.Create(new CacheOptions()), TimeProvider.System, NullLogger<RedisEdgeCacheStore>.Instance);

    [Fact]
    public async Task Lease_OneHolderAtATime_OnlyTheHolderReleasesIt()
    {
        await using var server = await RedisServer.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var edgeA = Store(redis);
        var edgeB = Store(redis);

        Assert.Equal(Lease.Acquired, await edgeA.TryAcquireLeaseAsync(Key, TimeSpan.FromSeconds(30)));
        Assert.Equal(Lease.HeldByAnother, await edgeB.TryAcquireLeaseAsync(Key, TimeSpan.FromSeconds(30)));

        await edgeB.ReleaseLeaseAsync(Key); // not B's lease: it stays
        Assert.True(await edgeB.IsLeaseHeldAsync(Key));

        await edgeA.ReleaseLeaseAsync(Key);
        Assert.False(await edgeB.IsLeaseHeldAsync(Key));
        Assert.Equal(Lease.Acquired, await edgeB.TryAcquireLeaseAsync(Key, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task ReleaseLease_RedisNotAnswering_ReturnsToTheCallerAtOnce()
    {
        await using var server = await RedisServer.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { server.Configuration },
            AsyncTimeout = 2000,
            SyncTimeout = 2000,
        });
        var edge = Store(redis);
        Assert.Equal(Lease.Acquired, await edge.TryAcquireLeaseAsync(Key, TimeSpan.FromSeconds(30)));

        server.Signal(Signals.Stop);
        try
        {
            // A release that waited for Redis's reply on the calling thread (as a conditional transaction does)
            // would hold this thread for the whole 2 s timeout before handing back a task.
            var timer = Stopwatch.StartNew();
            var release = edge.ReleaseLeaseAsync(Key).AsTask();
            Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
            Assert.False(release.IsCompleted);
            await release; // completes after the timeout, as a failed L2 call: no exception reaches the caller
        }
        finally
        {
            server.Signal(Signals.Cont);
        }
    }
}
