using System.Net;
using StackExchange.Redis;
using Vod.Common.Fleet;
using Vod.Common.Hls;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Edge;

/// <summary>
/// Purges cannot be missed: an edge cut off from Redis while a title is purged (here through a relay the test cuts)
/// replays the purge log when it is back, drops the title, and acknowledges; the origin side is what the test does by
/// hand, exactly as the origin's purge does it (append to the log, wake the edges).
/// </summary>
public sealed class PurgeReplayTests
{
    [Fact]
    public async Task EdgeCutOffDuringThePurge_ReplaysItWhenBack_AndStopsServingTheTitle()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 0, settings: new Dictionary<string, string> { ["Cache__ReadAheadSlices"] = "0" });
        await using var relay = new TcpRelay(fleet.Redis.Port);
        var edge = await EdgeBehindAsync(fleet, relay);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fleet.Redis.Configuration);
        var db = redis.GetDatabase();
        var edgeId = await EdgeIdAsync(db);

        using (var cached = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 99))
        {
            Assert.Equal(HttpStatusCode.PartialContent, cached.StatusCode);
        }

        relay.Cut();
        File.Delete(Path.Combine(fleet.Root, EdgeFleet.MediaPath.TrimStart('/')));
        var purge = await PurgeLog.AppendAsync(db, EdgeFleet.TitleId);
        await redis.GetSubscriber().PublishAsync(PurgeLog.WakeChannel(redis)!.Value, EdgeFleet.TitleId);
        Assert.Equal([edgeId], await PurgeLog.PendingAsync(db, purge.StreamId, [edgeId]));
        using (var stillCached = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 99))
        {
            Assert.Equal(HttpStatusCode.PartialContent, stillCached.StatusCode); // cut off: it cannot know yet
        }

        relay.Restore();
        await Eventually.TrueAsync(async () =>
        {
            using var response = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 99);
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(20), "the edge never replayed the purge it missed");
        await Eventually.TrueAsync(async () => (await PurgeLog.PendingAsync(db, purge.StreamId, [edgeId])).Count == 0,
            TimeSpan.FromSeconds(10), "the edge never acknowledged the purge");
        Assert.Contains("Purged title " + EdgeFleet.TitleId, edge.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurgeLogNoLongerReachesBack_TheEdgeDropsEverythingItHolds()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 0, settings: new Dictionary<string, string> { ["Cache__ReadAheadSlices"] = "0" });
        await using var relay = new TcpRelay(fleet.Redis.Port);
        var edge = await EdgeBehindAsync(fleet, relay);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fleet.Redis.Configuration);
        var db = redis.GetDatabase();
        await PurgeLog.AppendAsync(db, "otherotherot"); // the edge's position is an entry that will be trimmed away
        await EdgeIdAsync(db);
        await Task.Delay(PurgeLogPoll * 2);

        using (var cached = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 99))
        {
            Assert.Equal(HttpStatusCode.PartialContent, cached.StatusCode);
        }

        relay.Cut();
        File.Delete(Path.Combine(fleet.Root, EdgeFleet.MediaPath.TrimStart('/')));
        // Redis lost its data (a failover to an empty replica): the log and the shared cache are gone, this edge's memory is not.
        await db.KeyDeleteAsync(Vod.Common.RedisKeys.PurgeStream);
        var server = redis.GetServer(redis.GetEndPoints().Single());
        await db.KeyDeleteAsync(await server.KeysAsync(pattern: EdgeCacheKeys.TitlePattern(EdgeFleet.TitleId)).ToArrayAsync());
        await PurgeLog.AppendAsync(db, "anotheranoth");
        relay.Restore();

        await Eventually.TrueAsync(async () =>
        {
            using var response = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 99);
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(20), "the edge kept serving from memory after purges may have been lost");
        Assert.Contains("dropped everything from memory", edge.Log, StringComparison.Ordinal);
    }

    private static readonly TimeSpan PurgeLogPoll = TimeSpan.FromSeconds(1);

    /// <summary>An edge that reaches Redis only through <paramref name="relay"/>, which the test can cut.</summary>
    private static Task<ServiceProcess> EdgeBehindAsync(EdgeFleet fleet, TcpRelay relay) =>
        fleet.AddEdgeAsync(new Dictionary<string, string> { ["Redis__Configuration"] = $"127.0.0.1:{relay.Port},abortConnect=false" });

    private static async Task<string> EdgeIdAsync(IDatabase db)
    {
        string? id = null;
        await Eventually.TrueAsync(async () => (id = (await EdgeRegistry.ReadAsync(db)).SingleOrDefault().Edge?.Id) is not null,
            TimeSpan.FromSeconds(10), "the edge never registered");
        return id!;
    }
}

/// <summary>The same through the origin's DELETE, with the real fleet: the answer names the edge that could not hear it.</summary>
[Collection(StackDefinition.Name)]
public sealed class DeleteWithAnEdgeCutOffTests(StackFixture stack)
{
    [Fact]
    public async Task Delete_WhileAnEdgeIsCutOffFromRedis_Is202NamingIt_AndThatEdgeStopsServingTheTitleWhenBack()
    {
        var title = await stack.UploadAndWaitAsync(await Media.ClipAsync(Path.Combine(stack.Work, "cut-off.mp4"), 320, 180, 2));
        var stored = (await stack.Store.ReadTitleAsync(title.Id))!;
        var playlist = $"/titles/{title.Id}/{stored.Version}/{stored.Renditions[0].Playlist}";
        await using var relay = new TcpRelay(stack.Redis.Port);
        var edge = await stack.StartEdgeAsync(CutEdge, drainSeconds: 0, redisConfiguration: $"127.0.0.1:{relay.Port},abortConnect=false");
        try
        {
            await DeleteWhileCutOffAsync(title.Id, edge, relay, playlist);
        }
        finally
        {
            await LeaveTheFleetAsync(edge); // the shared stack's other tests expect their two edges only
        }
    }

    private const string CutEdge = "edge-cut";

    private async Task DeleteWhileCutOffAsync(string titleId, ServiceProcess edge, TcpRelay relay, string playlist)
    {
        await stack.WaitForRoutableEdgesAsync(CutEdge);
        var media = edge.BaseUrl + playlist;
        using (var cached = await stack.Http.GetAsync(media))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        relay.Cut();
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"{stack.Origin.BaseUrl}/api/titles/{titleId}")
        {
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", StackFixture.AdminKey) },
        };
        using var deleted = await stack.Http.SendAsync(delete);
        var body = await deleted.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.Contains(CutEdge, body, StringComparison.Ordinal);
        foreach (var other in stack.Edges)
        {
            using var gone = await stack.Http.GetAsync(other.BaseUrl + playlist);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        relay.Restore();
        await Eventually.TrueAsync(async () =>
        {
            using var response = await stack.Http.GetAsync(media);
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(20), "the edge that was cut off kept serving the deleted title");
    }

    private async Task LeaveTheFleetAsync(ServiceProcess edge)
    {
        await edge.DisposeAsync();
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(stack.RedisConfiguration);
        await EdgeRegistry.DeregisterAsync(redis.GetDatabase(), CutEdge);
        await Eventually.TrueAsync(async () => (await stack.FleetAsync()).All(e => e.Id != CutEdge), TimeSpan.FromSeconds(10),
            "the origin still lists the edge that was cut off");
    }
}
