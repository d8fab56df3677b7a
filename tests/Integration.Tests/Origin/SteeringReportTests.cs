using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Origin;

/// <summary>
/// Players report the pathway they use on each steering reload (<c>_HLS_pathway</c>); the origin counts, per edge, the
/// reloads in which a player used another pathway while that edge was the first choice (<c>AvoidedByPlayers</c>). A
/// client replaying the URL must not move that counter at will: made-up pathways count nothing, and a real one counts
/// once per client, title and pathway per steering TTL.
/// </summary>
[Collection(StackDefinition.Name)]
public sealed class SteeringReportTests(StackFixture stack)
{
    private static readonly TimeSpan CountWindow = TimeSpan.FromSeconds(4.5); // the origin's default Steering:Ttl (5 s) less a tenth

    [Fact]
    public async Task Steering_UnknownPathwaysReported1000TimesEach_MoveNoCounter()
    {
        var title = await stack.SampleTitleAsync();
        await stack.WaitForRoutableEdgesAsync("edge-1", "edge-2");
        var before = await AvoidedAsync();

        // Not an edge id, the origin's pathway, near misses in case and spacing, empty: one wait covers them all.
        foreach (var pathway in new[] { "made-up", "origin", "EDGE-1", "edge-1 ", "" })
        {
            await ReportAsync(stack.Http, title.Id, pathway, times: 1000);
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // two fleet refreshes: whatever was counted is in /api/edges now
        Assert.Equal(before, await AvoidedAsync());
    }

    [Fact]
    public async Task Steering_RealOtherPathwayReported1000Times_CountsOncePerClient()
    {
        var title = await stack.SampleTitleAsync();
        await stack.WaitForRoutableEdgesAsync("edge-1", "edge-2");
        var order = await OrderAsync(title.Id);
        var (first, other) = (order[0], order[1]);
        var before = await AvoidedAsync();
        using var secondClient = ClientFrom(IPAddress.Parse("127.0.0.2"));

        var clock = Stopwatch.StartNew();
        await ReportAsync(stack.Http, title.Id, other, times: 1000);
        await ReportAsync(secondClient, title.Id, other, times: 1000, dash: true); // a DASH player reports under its own names
        var elapsed = clock.Elapsed;

        // Once per client; a run slower than the TTL may honestly count again (a player reloading after the TTL).
        var allowed = 2 * (1 + (int)(elapsed / CountWindow));
        await Eventually.TrueAsync(async () => (await AvoidedAsync())[first] >= before[first] + 2, TimeSpan.FromSeconds(5), "the two clients' reports were not counted");
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var after = await AvoidedAsync();
        Assert.InRange(after[first] - before[first], 2, allowed);
        Assert.Equal(before[other], after[other]); // the pathway the players used is not the avoided one
    }

    /// <param name="dash">Report as dash.js does: <c>_DASH_pathway="a,b"</c> (the pathways used since the last request, the current one last) and a throughput per pathway.</param>
    private async Task ReportAsync(HttpClient client, string titleId, string pathway, int times, bool dash = false)
    {
        var url = dash
            ? $"{stack.Origin.BaseUrl}/steering/{titleId}?_DASH_pathway={Uri.EscapeDataString($"\"some-earlier-edge,{pathway}\"")}&_DASH_throughput=4000000,5000000"
            : $"{stack.Origin.BaseUrl}/steering/{titleId}?_HLS_pathway={Uri.EscapeDataString(pathway)}&_HLS_throughput=5000000";
        await Parallel.ForAsync(0, times, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            using var response = await client.GetAsync(url, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
    }

    private async Task<string[]> OrderAsync(string titleId)
    {
        using var steering = JsonDocument.Parse(await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/steering/{titleId}"));
        return [.. steering.RootElement.GetProperty("PATHWAY-PRIORITY").EnumerateArray().Select(p => p.GetString()!)];
    }

    /// <summary>Each edge's <c>avoidedByPlayers</c> as <c>GET /api/edges</c> shows it.</summary>
    private async Task<Dictionary<string, long>> AvoidedAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{stack.Origin.BaseUrl}/api/edges");
        request.Headers.Authorization = new("Bearer", StackFixture.AdminKey); // in case operational endpoints need it
        using var response = await stack.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var fleet = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return fleet.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("avoidedByPlayers").GetInt64());
    }

    /// <summary>An HTTP client whose connections come from <paramref name="local"/> (another loopback address: another client).</summary>
    private static HttpClient ClientFrom(IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = TimeSpan.FromSeconds(30) };
}
