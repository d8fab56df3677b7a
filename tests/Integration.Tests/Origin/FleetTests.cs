using System.Net;
using System.Text.Json;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Origin;

/// <summary>The edge registry, health monitoring and content steering, against real edge processes.</summary>
[Collection(StackDefinition.Name)]
public sealed class FleetTests(StackFixture stack)
{
    [Fact]
    public async Task Edges_Running_AreListedUpWithFreshHeartbeats()
    {
        var fleet = await stack.FleetAsync();

        foreach (var edge in stack.Edges)
        {
            var seen = Assert.Single(fleet, e => e.Id == edge.Name);
            Assert.True(seen.Routable);
            Assert.Equal("up", seen.State);
            Assert.Equal(edge.BaseUrl, seen.Url);
            Assert.InRange(DateTimeOffset.UtcNow - seen.LastHeartbeat, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        }
    }

    [Fact]
    public async Task Steering_ReadyTitle_OrdersEveryEdgeWithShortTtl()
    {
        var title = await stack.SampleTitleAsync();
        var master = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}{title.PlaybackUrl}");

        using var response = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/steering/{title.Id}?_HLS_pathway=edge-2&_HLS_throughput=5000000");
        var steering = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, steering.GetProperty("VERSION").GetInt32());
        Assert.InRange(steering.GetProperty("TTL").GetInt32(), 1, 10);
        Assert.Equal($"{stack.Origin.BaseUrl}/steering/{title.Id}", steering.GetProperty("RELOAD-URI").GetString()); // absolute: Shaka needs it
        var priority = steering.GetProperty("PATHWAY-PRIORITY").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal(["edge-1", "edge-2"], priority.Order(StringComparer.Ordinal));
        Assert.Contains($"#EXT-X-CONTENT-STEERING:SERVER-URI=\"{stack.Origin.BaseUrl}/steering/{title.Id}\",PATHWAY-ID=\"{priority[0]}\"", master, StringComparison.Ordinal);
        Assert.Equal("*", await CorsAsync($"/steering/{title.Id}")); // web players on other sites read it
    }

    [Fact]
    public async Task Edge_Killed_IsDownWithinFiveSecondsAndSteeredLast_ThenRejoinsAfterRestart()
    {
        var extra = await stack.StartEdgeAsync("edge-x");
        var address = extra.BaseUrl; // port 0 chosen by the edge; the restart below reuses it
        try
        {
            await stack.WaitForRoutableEdgesAsync("edge-x");
            extra.Signal(Signals.Kill);
            var killed = DateTime.UtcNow;

            EdgeDto? seen;
            do
            {
                await Task.Delay(100);
                seen = (await stack.FleetAsync()).Single(e => e.Id == "edge-x");
            }
            while (seen.Routable && DateTime.UtcNow - killed < TimeSpan.FromSeconds(6));

            Assert.False(seen.Routable, "a SIGKILLed edge was still routable after 6 s");
            Assert.InRange(DateTime.UtcNow - killed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
            Assert.Equal("down", seen.State);
            Assert.False(string.IsNullOrEmpty(seen.Reason));

            var title = await stack.SampleTitleAsync();
            var steering = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/steering/{title.Id}");
            Assert.EndsWith("\"edge-x\"]}", steering, StringComparison.Ordinal);
            // Still listed in new manifests (a session outlives an outage), but last: every variant of a routable edge comes first.
            var manifest = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}{title.PlaybackUrl}");
            var uris = manifest.Split('\n').Where(l => l.StartsWith("http", StringComparison.Ordinal)).ToList();
            var down = uris.FindIndex(u => u.StartsWith($"{address}/", StringComparison.Ordinal));
            Assert.InRange(down, 1, uris.Count - 1);
            Assert.All(stack.Edges, routable => Assert.InRange(uris.FindLastIndex(u => u.StartsWith(routable.BaseUrl + "/", StringComparison.Ordinal)), 0, down - 1));
            Assert.DoesNotContain($"#EXT-X-CONTENT-STEERING:SERVER-URI=\"{stack.Origin.BaseUrl}/steering/{title.Id}\",PATHWAY-ID=\"edge-x\"", manifest, StringComparison.Ordinal);

            await extra.DisposeAsync();
            extra = await stack.StartEdgeAsync("edge-x", address);
            var restarted = DateTime.UtcNow;
            await stack.WaitForRoutableEdgesAsync("edge-x");
            Assert.InRange(DateTime.UtcNow - restarted, TimeSpan.Zero, TimeSpan.FromSeconds(5));
            Assert.Contains(new Uri(address).Authority, await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}{title.PlaybackUrl}"), StringComparison.Ordinal);
        }
        finally
        {
            await extra.DisposeAsync();
        }
    }

    [Fact]
    public async Task Edge_Terminated_LeavesRegistryAtOnceButServesWhileDraining()
    {
        var title = await stack.SampleTitleAsync();
        var version = (await stack.Store.ReadTitleAsync(title.Id))!.Version;
        await using var leaving = await stack.StartEdgeAsync("edge-t", drainSeconds: 3);
        await stack.WaitForRoutableEdgesAsync("edge-t");

        leaving.Signal(Signals.Term);
        var deadline = DateTime.UtcNow.AddSeconds(2.5);
        while ((await stack.FleetAsync()).Any(e => e.Id == "edge-t"))
        {
            Assert.True(DateTime.UtcNow < deadline, "a terminated edge was still listed after 2.5 s");
            await Task.Delay(100);
        }

        using var during = await stack.Http.GetAsync($"{leaving.BaseUrl}/titles/{title.Id}/{version}/240p/index.m3u8");
        Assert.Equal(HttpStatusCode.OK, during.StatusCode); // still draining: in-flight players are not cut off
        Assert.True(await leaving.WaitForExitAsync(TimeSpan.FromSeconds(15)), "the edge did not exit after draining");
    }

    private async Task<string> CorsAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, stack.Origin.BaseUrl + path);
        request.Headers.Add("Origin", "https://player.example");
        using var response = await stack.Http.SendAsync(request);
        return response.Headers.GetValues("Access-Control-Allow-Origin").Single();
    }
}
