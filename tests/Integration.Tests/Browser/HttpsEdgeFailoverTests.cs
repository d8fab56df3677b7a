using System.Collections.Concurrent;
using Microsoft.Playwright;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// The edge failover of <see cref="EdgeFailoverTests"/> with the stack on HTTPS: Chromium plays a 20 s title on the watch
/// page from an origin and two edges that serve TLS with HTTP/2, the edges filling from the origin over HTTPS, while the
/// test kills the edge the player is using, then brings it back. Its own stack, since it kills part of it. (Over plain
/// HTTP the same SIGKILL is played through by <see cref="OriginFailoverTests"/>, with the origin killed first.)
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class HttpsEdgeFailoverTests : IAsyncLifetime
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly StackFixture _stack;
    private TitleDto _title = null!;

    public HttpsEdgeFailoverTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
        _stack = new StackFixture { Tls = _certificates };
    }

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(async () =>
    {
        await _stack.InitializeAsync();
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "twenty.mp4"), 640, 360, 20);
        _title = await _stack.UploadAndWaitAsync(clip, TimeSpan.FromMinutes(2));
        Assert.Equal(TitleStatus.Ready, _title.Status);
    });

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Playback_OverHttp2_EdgeInUseSigkilled_KeepsPlayingOnTheOtherEdgeOverHttp2_AndTheEdgeRejoins()
    {
        await using var browser = await Chromium.LaunchAsync();
        var page = await WatchPage.PlayAsync(browser, _stack, _title.Id);
        Assert.StartsWith("https://", page.Url, StringComparison.Ordinal);
        var victim = await WatchPage.EdgeInUseAsync(page, _stack.Edges);
        var survivor = _stack.Edges.Single(e => e != victim);
        var protocols = await RecordProtocolsAsync(page, survivor.BaseUrl + "/");

        // hls.js buffers 10 s ahead in 4 s segments: at the kill it holds up to 16 s, and the rest must come from the survivor.
        var buffered = await page.EvaluateAsync<double>("() => { const b = document.getElementById('video').buffered; return b.length ? b.end(b.length - 1) : 0; }");
        victim.Signal(Signals.Kill);
        await Chromium.WaitForAsync(page, "vodPlayer.stats.state === 'ended' || vodPlayer.stats.fatal", TimeSpan.FromSeconds(60),
            () => WatchPage.DiagnosticsAsync(page));
        var stats = await Chromium.StatsAsync(page);
        _output.WriteLine($"buffered to {buffered:0.0} s at the kill, longest stall {stats.LongestStallMs:0} ms, fragments by edge {string.Join(", ", stats.FragmentHosts)}, "
            + $"protocols from {survivor.Name}: {string.Join(" ", protocols)}, {stats.Errors.Count} player errors: {string.Join(" ", stats.Errors)}");

        Assert.Null(stats.Fatal);
        Assert.Empty(stats.Recoveries); // failed over by steering alone, without rebuilding the player
        Assert.InRange(stats.CurrentTime, 19.5, 21);
        Assert.InRange(stats.LongestStallMs, 0, 2000);
        Assert.True(stats.FragmentHosts.GetValueOrDefault(WatchPage.Authority(survivor)) > 0, "no fragment came from the surviving edge");
        Assert.NotEmpty(protocols);
        Assert.All(protocols, p => Assert.Equal("h2", p));

        // The killed edge comes back on its address: it rejoins within seconds and new viewers of the title use it
        // again (rendezvous steering prefers it for this title, as before).
        await victim.DisposeAsync();
        var restarted = await _stack.StartEdgeAsync(victim.Name, victim.BaseUrl);
        _stack.Edges[_stack.Edges.IndexOf(victim)] = restarted;
        var rejoin = DateTime.UtcNow;
        await _stack.WaitForRoutableEdgesAsync(victim.Name);
        Assert.InRange(DateTime.UtcNow - rejoin, TimeSpan.Zero, TimeSpan.FromSeconds(5));

        var again = await WatchPage.PlayAsync(browser, _stack, _title.Id);
        await Chromium.WaitForAsync(again, $"vodPlayer.stats.fragmentHosts['{WatchPage.Authority(restarted)}'] > 0", TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// The protocol of every response the page receives from now on from URLs under <paramref name="prefix"/>, as Chromium
    /// negotiated it (DevTools' <c>Network.responseReceived</c>: the page's own resource timing hides it for another origin).
    /// </summary>
    private static async Task<ConcurrentQueue<string>> RecordProtocolsAsync(IPage page, string prefix)
    {
        var protocols = new ConcurrentQueue<string>();
        var devTools = await page.Context.NewCDPSessionAsync(page);
        devTools.Event("Network.responseReceived").OnEvent += (_, e) =>
        {
            if (e is { } received && received.GetProperty("response") is var response
                && response.GetProperty("url").GetString() is { } url && url.StartsWith(prefix, StringComparison.Ordinal))
            {
                protocols.Enqueue(response.TryGetProperty("protocol", out var protocol) ? protocol.GetString() ?? "" : "");
            }
        };
        await devTools.SendAsync("Network.enable");
        return protocols;
    }
}
