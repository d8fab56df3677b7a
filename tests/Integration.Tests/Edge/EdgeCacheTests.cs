using System.Net;
using Vod.Common.Hls;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Edge;

/// <summary>The edge as a CDN cache: fleet coalescing, ranges from slices, memory bound, failures of origin and Redis, purge.</summary>
[Collection(SerialDefinition.Name)]
public sealed class EdgeCacheTests
{
    private const int Slice = EdgeFleet.SliceBytes;

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // on a Redis Cluster of three primaries
    public async Task ColdRange_FiftyConcurrentRequestsOverTwoEdges_FetchesEachSliceFromOriginOnce(bool cluster)
    {
        await using var fleet = await EdgeFleet.StartAsync(settings: new Dictionary<string, string> { ["Cache__ReadAheadSlices"] = "0" }, cluster: cluster);
        const long from = 300_000, to = 900_000; // slices 1, 2 and 3

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => fleet.GetAsync(i % 2, EdgeFleet.MediaPath, from, to)));

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(fleet.Media[(int)from..(int)(to + 1)], await response.Content.ReadAsByteArrayAsync());
            response.Dispose();
        }

        var fetched = fleet.Origin.RangeGets(EdgeFleet.MediaPath);
        Assert.Equal([SliceRange(1), SliceRange(2), SliceRange(3)], fetched.Order(StringComparer.Ordinal));
        Assert.Single(fleet.Origin.Requests, r => r.Method == "HEAD");
        if (fleet.Cluster is { } redis)
        {
            // The title's metadata and three slices in L2, not all on one shard: each object or slice has its own slot.
            var perNode = await redis.KeyCountsAsync(EdgeCacheKeys.TitlePattern(EdgeFleet.TitleId));
            Assert.Equal(4, perNode.Sum());
            Assert.True(perNode.Count(n => n > 0) >= 2, $"keys per node: {string.Join(", ", perNode)}");
        }
    }

    [Fact]
    public async Task RandomRanges_TwoHundredOverTwoEdges_EqualTheSourceBytes()
    {
        await using var fleet = await EdgeFleet.StartAsync();
        var size = fleet.Media.Length;
        var random = new Random(7);
        var ranges = new List<(long? From, long? To)>
        {
            (0, 0), (size - 1, size - 1), (0, size - 1), (Slice - 1, Slice), (Slice, (2 * Slice) - 1), ((3 * Slice) - 10, (5 * Slice) + 10),
            (null, 1), (null, 5000), (null, size + 100), (size - 300, null), (Slice * 20, null), (12345, size * 2L),
        };
        while (ranges.Count < 200)
        {
            var kind = random.Next(4);
            var a = random.NextInt64(size);
            ranges.Add(kind switch
            {
                0 => (a, Math.Min(size - 1, a + random.Next(1, 3 * Slice))),
                1 => (null, random.Next(1, 2 * Slice)),
                2 => (a, null),
                _ => CrossingBorder(random.Next(1, 20), random),
            });
        }

        for (var i = 0; i < ranges.Count; i++)
        {
            var (from, to) = ranges[i];
            using var response = await fleet.GetAsync(i % 2, EdgeFleet.MediaPath, from, to);
            long start = from ?? Math.Max(0, size - to!.Value);
            long end = from is null ? size - 1 : Math.Min(size - 1, to ?? size - 1);
            Assert.True(HttpStatusCode.PartialContent == response.StatusCode, $"range {from}-{to}: {response.StatusCode}");
            Assert.Equal($"bytes {start}-{end}/{size}", response.Content.Headers.ContentRange!.ToString());
            Assert.Equal(fleet.Media[(int)start..(int)(end + 1)], await response.Content.ReadAsByteArrayAsync());
        }

        var fetched = fleet.Origin.RangeGets(EdgeFleet.MediaPath);
        Assert.Equal(fetched.Count, fetched.Distinct().Count()); // no slice was fetched twice by the fleet
    }

    [Fact]
    public async Task MemoryLimit_ReadingFiveTimesTheLimit_NeverExceedsIt()
    {
        const int limit = 1 << 20;
        await using var fleet = await EdgeFleet.StartAsync(edges: 1, settings: new Dictionary<string, string> { ["Cache__MemoryLimitBytes"] = $"{limit}" });

        for (long from = 0; from < fleet.Media.Length; from += Slice)
        {
            using var response = await fleet.GetAsync(0, EdgeFleet.MediaPath, from, from + Slice - 1);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.InRange(await fleet.MetricAsync(0, "vod_edge_l1_bytes"), 0, limit);
        }

        Assert.Equal(limit, await fleet.MetricAsync(0, "vod_edge_l1_limit_bytes"));
        Assert.True(await fleet.MetricAsync(0, "vod_edge_l1_bytes") > 0);
    }

    [Fact]
    public async Task OriginStopped_CachedIsServedExpiredOrNot_UncachedIs502Not404()
    {
        await using var fleet = await EdgeFleet.StartAsync(settings: new Dictionary<string, string> { ["Cache__PlaylistTtl"] = "00:00:01" });
        var playlist = await (await fleet.GetAsync(0, EdgeFleet.PlaylistPath)).Content.ReadAsStringAsync();
        using (var warm = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999))
        {
            Assert.Equal(HttpStatusCode.PartialContent, warm.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the playlist is now expired
        await fleet.StopOriginAsync();

        foreach (var edge in new[] { 0, 1 }) // edge 1 never saw the playlist: it finds the expired copy in L2
        {
            using var stale = await fleet.GetAsync(edge, EdgeFleet.PlaylistPath);
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal("stale", stale.Headers.GetValues("X-Cache").Single());
            Assert.Equal(playlist, await stale.Content.ReadAsStringAsync());
        }

        using (var cached = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999))
        {
            Assert.Equal(HttpStatusCode.PartialContent, cached.StatusCode);
            Assert.Equal(fleet.Media[..1000], await cached.Content.ReadAsByteArrayAsync());
        }

        using (var uncachedSlice = await fleet.GetAsync(0, EdgeFleet.MediaPath, 10 * Slice, (10 * Slice) + 99))
        {
            Assert.Equal(HttpStatusCode.BadGateway, uncachedSlice.StatusCode);
        }

        using var unknown = await fleet.GetAsync(0, $"/titles/{EdgeFleet.TitleId}/v1/r/never-seen.mp4");
        Assert.Equal(HttpStatusCode.BadGateway, unknown.StatusCode);
        Assert.Contains("origin", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OriginHung_CachedAnswersAtOnce_UncachedIs504WithinTheTimeout_NoClientHangs()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1, settings: new Dictionary<string, string>
        {
            ["Cache__PlaylistTtl"] = "00:00:01",
            ["Origin__RequestTimeout"] = "00:00:01.500",
        });
        (await fleet.GetAsync(0, EdgeFleet.PlaylistPath)).Dispose();
        (await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999)).Dispose();
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the playlist is now expired

        fleet.Origin.Hung = true;

        var timer = System.Diagnostics.Stopwatch.StartNew();
        using (var cached = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999))
        {
            Assert.Equal(HttpStatusCode.PartialContent, cached.StatusCode);
            Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        }

        timer.Restart();
        using (var stale = await fleet.GetAsync(0, EdgeFleet.PlaylistPath))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal("stale", stale.Headers.GetValues("X-Cache").Single());
            Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        }

        timer.Restart();
        using (var uncached = await fleet.GetAsync(0, EdgeFleet.MediaPath, 12 * Slice, (12 * Slice) + 99))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, uncached.StatusCode);
            Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        }
    }

    [Fact]
    public async Task OriginHung_MoreRequestsWaitingThanAllowed_TheNextIs503AtOnce_HitsStillServed()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1, settings: new Dictionary<string, string>
        {
            ["Cache__ReadAheadSlices"] = "0",
            ["Cache__MaxWaitingRequests"] = "2",
            ["Cache__MaxWait"] = "00:00:04",
            ["Origin__RequestTimeout"] = "00:00:20",
        });
        (await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999)).Dispose(); // metadata and slice 0 cached
        fleet.Origin.Hung = true;
        fleet.Origin.Clear();

        var waiting = new[] { 5, 6 }.Select(slice => fleet.GetAsync(0, EdgeFleet.MediaPath, slice * Slice, (slice * Slice) + 99)).ToArray();
        await Eventually.TrueAsync(() => fleet.Origin.Requests.Count == 2, TimeSpan.FromSeconds(5), "two fills reach the hung origin");

        var timer = System.Diagnostics.Stopwatch.StartNew();
        using (var refused = await fleet.GetAsync(0, EdgeFleet.MediaPath, 7 * Slice, (7 * Slice) + 99))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            Assert.Contains("busy", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        }

        using (var hit = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999))
        {
            Assert.Equal(HttpStatusCode.PartialContent, hit.StatusCode);
        }

        // The two waiting requests are not held past the wait limit, although the origin's own timeout is longer.
        foreach (var response in await Task.WhenAll(waiting))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            response.Dispose();
        }

        Assert.InRange(timer.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
        Assert.Equal(1, await fleet.MetricAsync(0, "vod_edge_rejected_total"));
    }

    [Fact]
    public async Task RedisHung_OneMissPaysTheRedisTimeout_LaterMissesSkipL2_NoClientWaitsLong()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1, settings: new Dictionary<string, string>
        {
            ["Cache__ReadAheadSlices"] = "0",
            ["Cache__L2Backoff"] = "00:00:30",
            // The client's wait limit (3 s by default) must not cut the first miss short: the Redis client notices a
            // time-out on its once-a-second heartbeat, so paying one can take 3 s and more on a loaded box (a 504 then).
            ["Cache__MaxWait"] = "00:00:08",
        });
        (await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999)).Dispose();
        fleet.Redis.Signal(Signals.Stop); // connected, never answers
        try
        {
            // The mechanism: the first miss pays one Redis time-out (2 s) and then goes to the origin; the misses after it
            // skip L2 and pay none. "Paid a time-out" is told apart by the 2 s it costs, with room for a loaded machine
            // (a clean-clone run once took 3.3 s for the first); the viewer-facing bound is the 6 s one.
            var redisTimeout = TimeSpan.FromSeconds(2);
            var timer = System.Diagnostics.Stopwatch.StartNew();
            using (var first = await fleet.GetAsync(0, EdgeFleet.MediaPath, 3 * Slice, (3 * Slice) + 99))
            {
                Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
                Assert.InRange(timer.Elapsed, redisTimeout * 0.9, TimeSpan.FromSeconds(6));
            }

            for (var slice = 4; slice < 9; slice++)
            {
                timer.Restart();
                using var next = await fleet.GetAsync(0, EdgeFleet.MediaPath, slice * Slice, (slice * Slice) + 99);
                Assert.Equal(HttpStatusCode.PartialContent, next.StatusCode);
                Assert.Equal(fleet.Media[(slice * Slice)..((slice * Slice) + 100)], await next.Content.ReadAsByteArrayAsync());
                Assert.InRange(timer.Elapsed, TimeSpan.Zero, redisTimeout * 0.75); // L2 skipped: no time-out paid
            }
        }
        finally
        {
            fleet.Redis.Signal(Signals.Cont);
        }
    }

    [Fact]
    public async Task RedisKilled_EdgeServesFromMemoryAndOrigin_AndUsesL2AgainOnceRedisIsBack()
    {
        await using var fleet = await EdgeFleet.StartAsync(settings: new Dictionary<string, string> { ["Cache__ReadAheadSlices"] = "0" });
        (await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999)).Dispose();

        await fleet.Redis.KillAsync();

        using (var fromMemory = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 999))
        {
            Assert.Equal("l1_hit", fromMemory.Headers.GetValues("X-Cache").Single());
        }

        using (var fromOrigin = await fleet.GetAsync(0, EdgeFleet.MediaPath, 4 * Slice, (4 * Slice) + 99))
        {
            Assert.Equal(HttpStatusCode.PartialContent, fromOrigin.StatusCode);
            Assert.Equal(fleet.Media[(4 * Slice)..((4 * Slice) + 100)], await fromOrigin.Content.ReadAsByteArrayAsync());
        }

        var degraded = await fleet.Http.GetAsync(fleet.Edges[0].BaseUrl + "/readyz");
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        Assert.Contains("Degraded", await degraded.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await fleet.Redis.RestartAsync();
        foreach (var edge in fleet.Edges)
        {
            await Eventually.TrueAsync(async () => (await (await fleet.Http.GetAsync(edge.BaseUrl + "/readyz")).Content.ReadAsStringAsync()).StartsWith("{\"status\":\"Healthy\"", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        }

        using (var fill = await fleet.GetAsync(0, EdgeFleet.MediaPath, 8 * Slice, (8 * Slice) + 99))
        {
            Assert.Equal(HttpStatusCode.PartialContent, fill.StatusCode);
        }

        using (var shared = await fleet.GetAsync(1, EdgeFleet.MediaPath, 8 * Slice, (8 * Slice) + 99))
        {
            Assert.Equal(fleet.Media[(8 * Slice)..((8 * Slice) + 100)], await shared.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal([SliceRange(8)], fleet.Origin.RangeGets(EdgeFleet.MediaPath).Where(r => r == SliceRange(8)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // on a Redis Cluster: the wake-up is a sharded channel, the outbox one slot
    public async Task Purge_CachedOnBothEdges_BothDropItWithinASecondAndTheFleetRefetches(bool cluster)
    {
        await using var fleet = await EdgeFleet.StartAsync(settings: new Dictionary<string, string> { ["Cache__ReadAheadSlices"] = "0" }, cluster: cluster);
        var media = Directory.CreateTempSubdirectory("vod-purge-origin-").FullName;
        await using var origin = await ServiceProcess.StartAsync("origin", "Origin", new Dictionary<string, string>
        {
            ["Redis__Configuration"] = fleet.RedisConfiguration,
            ["Media__Root"] = media,
            ["Admin__Key"] = StackFixture.AdminKey,
        });
        try
        {
            foreach (var edge in new[] { 0, 1, 0, 1 })
            {
                (await fleet.GetAsync(edge, EdgeFleet.MediaPath, 0, 99)).Dispose();
            }

            if (fleet.Cluster is { } redis)
            {
                // Both edges listen on the sharded channel (SSUBSCRIBE on the shard of its slot), none on a broadcast one.
                await Eventually.TrueAsync(async () => await redis.SubscribersAsync(EdgeCacheKeys.PurgeChannel) == (2, 0),
                    TimeSpan.FromSeconds(10), "the edges did not subscribe to the sharded purge channel");
            }

            fleet.Origin.Clear();
            using var purge = new HttpRequestMessage(HttpMethod.Post, $"{origin.BaseUrl}/api/titles/{EdgeFleet.TitleId}/purge");
            purge.Headers.Authorization = new("Bearer", StackFixture.AdminKey);
            using var purged = await fleet.Http.SendAsync(purge);
            Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
            Assert.Contains("\"generation\":1,", await purged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var deadline = DateTime.UtcNow.AddSeconds(1);

            using var first = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 99);
            using var second = await fleet.GetAsync(1, EdgeFleet.MediaPath, 0, 99);

            Assert.True(DateTime.UtcNow < deadline, "purge took longer than a second to reach the edges");
            Assert.Equal("miss", first.Headers.GetValues("X-Cache").Single());
            Assert.Equal("l2_hit", second.Headers.GetValues("X-Cache").Single());
            Assert.Equal([SliceRange(0)], fleet.Origin.RangeGets(EdgeFleet.MediaPath));
            Assert.Equal(fleet.Media[..100], await second.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            Directory.Delete(media, recursive: true);
        }
    }

    /// <summary>A range that starts just before slice border <paramref name="border"/> and ends just after it.</summary>
    private static (long? From, long? To) CrossingBorder(int border, Random random) =>
        ((border * (long)Slice) - random.Next(1, 100), (border * (long)Slice) + random.Next(0, 100));

    private static string SliceRange(long index) => $"{index * Slice}-{((index + 1) * Slice) - 1}";
}
