using Microsoft.Playwright;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// Chaos with a real player: Chromium plays a 30 s title with hls.js through the watch page while the test stops,
/// restarts or takes away the edges it is using. The tests share one stack and title (<see cref="TitleStackFixture"/>):
/// each first starts again what an earlier one killed or terminated and purges the title from the edges, so each plays
/// from cold caches. (A SIGKILL of the edge in use is played through in <see cref="HttpsEdgeFailoverTests"/> and
/// <see cref="OriginFailoverTests"/>.)
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class EdgeFailoverTests(EdgeFailoverTests.ThirtySecondTitle fixture, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<EdgeFailoverTests.ThirtySecondTitle>, IAsyncLifetime
{
    private readonly StackFixture _stack = fixture.Stack;
    private readonly TitleDto _title = fixture.Title;

    public Task InitializeAsync() => fixture.RestoreAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Playback_EdgeInUseSigtermed_MovesAwayWithoutStalling()
    {
        await using var browser = await Chromium.LaunchAsync();
        var page = await PlayAsync(browser);
        var leaving = await EdgeInUseAsync(page);

        leaving.Signal(Signals.Term);
        var stats = await PlayToEndAsync(page);

        Assert.Null(stats.Fatal);
        Assert.Empty(stats.Recoveries); // failed over by steering alone, without rebuilding the player
        Assert.InRange(stats.CurrentTime, 29.5, 31);
        Assert.InRange(stats.LongestStallMs, 0, 500); // no stall beyond the sampling of currentTime
        Assert.Contains(stats.FragmentHosts.Keys, host => host != Authority(leaving));
        Assert.True(await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the terminated edge did not exit");
    }

    [Fact]
    public async Task Playback_BothEdgesRestartedInTurn_ViewerSeeking_KeepsPlayingToTheEnd()
    {
        // A rolling restart: the edge in use is killed and comes back, then the other one is killed. The viewer seeks
        // right after each kill, so the player asks the dead edge before steering has moved it away. hls.js keeps a
        // pathway that failed out of use for five minutes: at the second kill every pathway it knows is in its
        // penalty box, and the page has to rebuild its player from a fresh master playlist instead of giving up.
        await using var browser = await Chromium.LaunchAsync();
        var page = await PlayAsync(browser);
        var first = await EdgeInUseAsync(page);
        var second = _stack.Edges.Single(e => e != first);

        first.Signal(Signals.Kill);
        await SeekAsync(page, 14);
        await Chromium.WaitForAsync(page, $"vodPlayer.stats.lastFragmentHost === '{Authority(second)}'", TimeSpan.FromSeconds(20), () => DiagnosticsAsync(page));
        await first.DisposeAsync();
        var restarted = await _stack.StartEdgeAsync(first.Name, first.BaseUrl);
        _stack.Edges[_stack.Edges.IndexOf(first)] = restarted;
        await _stack.WaitForRoutableEdgesAsync(first.Name);

        var before = await Chromium.StatsAsync(page);
        second.Signal(Signals.Kill);
        await SeekAsync(page, 24);
        var stats = await PlayToEndAsync(page);

        Assert.Null(stats.Fatal);
        Assert.InRange(stats.CurrentTime, 29.5, 31);
        Assert.Single(stats.Recoveries); // the page rebuilt its player once, at the second kill
        Assert.InRange(stats.LongestStallMs, 0, 2000);
        Assert.True(stats.FragmentHosts.GetValueOrDefault(Authority(restarted)) > before.FragmentHosts.GetValueOrDefault(Authority(restarted)),
            "no fragment came from the restarted edge after the other one was killed");
    }

    [Fact]
    public async Task Playback_EverythingDown_RebuildsThreeTimesThenShowsTheError()
    {
        // The rebuilds are a budget, not a loop: with no edge and no origin left the page tries three times, then
        // tells the viewer, rather than hammering the origin forever.
        await using var browser = await Chromium.LaunchAsync();
        var page = await PlayAsync(browser);
        foreach (var service in _stack.Edges.Append(_stack.Origin))
        {
            service.Signal(Signals.Kill);
        }

        await SeekAsync(page, 24);
        await Chromium.WaitForAsync(page, "vodPlayer.stats.fatal !== null", TimeSpan.FromSeconds(60), () => DiagnosticsAsync(page));
        var stats = await Chromium.StatsAsync(page);

        Assert.Equal(3, stats.Recoveries.Count);
        Assert.True(await page.IsVisibleAsync("#error"), "the error is not shown to the viewer");
        Assert.StartsWith("Playback failed", await page.TextContentAsync("#error"), StringComparison.Ordinal);
    }

    private static async Task SeekAsync(IPage page, double seconds) =>
        await page.EvaluateAsync($"() => {{ document.getElementById('video').currentTime = {seconds}; }}");

    private Task<IPage> PlayAsync(Chromium browser) => WatchPage.PlayAsync(browser, _stack, _title.Id);

    private Task<ServiceProcess> EdgeInUseAsync(IPage page) => WatchPage.EdgeInUseAsync(page, _stack.Edges);

    private async Task<PlayerStats> PlayToEndAsync(IPage page)
    {
        await Chromium.WaitForAsync(page, "vodPlayer.stats.state === 'ended' || vodPlayer.stats.fatal", TimeSpan.FromSeconds(75), () => DiagnosticsAsync(page));
        var stats = await Chromium.StatsAsync(page);
        output.WriteLine($"longest stall {stats.LongestStallMs:0} ms, fragments by edge {string.Join(", ", stats.FragmentHosts)}, {stats.Errors.Count} player errors, {stats.Recoveries.Count} player rebuilds: {string.Join(" ", stats.Errors)}");
        return stats;
    }

    private static Task<string> DiagnosticsAsync(IPage page) => WatchPage.DiagnosticsAsync(page);

    private static string Authority(ServiceProcess edge) => WatchPage.Authority(edge);

    /// <summary>The stack and its 30 s title.</summary>
    public sealed class ThirtySecondTitle() : TitleStackFixture(new StackFixture(), 30);
}
