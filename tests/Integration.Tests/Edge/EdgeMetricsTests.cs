using System.Net;
using StackExchange.Redis;
using Vod.Common.Fleet;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Edge;

/// <summary>
/// Every media request is counted once, whatever its exit: served, 404, refused, or an origin failure before the
/// first byte. The same totals reach the registry as the edge's load, which the origin reports on /api/edges.
/// </summary>
public sealed class EdgeMetricsTests
{
    [Fact]
    public async Task EveryExitIsCounted_InMetricsAndInTheHeartbeatLoad()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1, settings: new Dictionary<string, string> { ["Cache__ReadAheadSlices"] = "0" });

        using (var served = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 99))
        {
            Assert.Equal(HttpStatusCode.PartialContent, served.StatusCode);
        }

        using (var missing = await fleet.GetAsync(0, $"/titles/{EdgeFleet.TitleId}/v1/r/nothere.mp4"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var post = await fleet.Http.PostAsync(fleet.Edges[0].BaseUrl + EdgeFleet.MediaPath, null))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        }

        await fleet.StopOriginAsync();
        var uncached = 4L * EdgeFleet.SliceBytes; // the object's metadata is cached, this slice is not
        using (var failed = await fleet.GetAsync(0, EdgeFleet.MediaPath, uncached, uncached + 99))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
            Assert.False(failed.Headers.Contains("ETag"), "an error carries none of the object's validators");
            Assert.Null(failed.Content.Headers.ContentRange);
        }

        Assert.Equal(1, await fleet.MetricAsync(0, "vod_edge_responses_total", "code=\"206\""));
        Assert.Equal(1, await fleet.MetricAsync(0, "vod_edge_responses_total", "code=\"404\""));
        Assert.Equal(1, await fleet.MetricAsync(0, "vod_edge_responses_total", "code=\"405\""));
        Assert.Equal(1, await fleet.MetricAsync(0, "vod_edge_responses_total", "code=\"502\""));
        Assert.Equal(4, await fleet.MetricAsync(0, "vod_edge_requests_total"));
        Assert.Equal(1, await fleet.MetricAsync(0, "vod_edge_requests_total", "result=\"none\""));
        Assert.Equal(100, await fleet.MetricAsync(0, "vod_edge_response_bytes_total"));

        await using var redis = await ConnectionMultiplexer.ConnectAsync(fleet.Redis.Configuration);
        EdgeLoad? load = null;
        for (var i = 0; i < 100 && load?.Requests != 4; i++)
        {
            await Task.Delay(100); // the next heartbeat (every second) carries the totals
            load = (await EdgeRegistry.ReadAsync(redis.GetDatabase())).Single().Edge.Load;
        }

        Assert.Equal(new EdgeLoad(Requests: 4, Hits: 0, BytesServed: 100), load);
    }
}
