using System.Diagnostics;
using System.Text.Json;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// Gray failure with a real player: the edge a viewer is using is stopped with SIGSTOP (it keeps its sockets and
/// accepts connections, but never answers). hls.js with default settings stalls for over a minute here; the watch
/// page's failover settings plus the origin's probe-driven steering must make it a non-event.
/// </summary>
public sealed class HungEdgeTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(40);
    private readonly StackFixture _stack = new() { Settings = new Dictionary<string, string> { ["Probe__MaxDuration"] = "00:03:20" } };
    private TitleDto _title = null!;

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(async () =>
    {
        await _stack.InitializeAsync();
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "long.mp4"), 640, 360, 80, frameRate: 25, compact: true);
        _title = await _stack.UploadAndWaitAsync(clip, TimeSpan.FromMinutes(4));
        Assert.Equal(TitleStatus.Ready, _title.Status);
    });

    public Task DisposeAsync() => _stack.DisposeAsync();

    [Fact]
    public async Task Playback_EdgeInUseStopped_PlaysOnFor40sWithoutAStallOver2s_AndTheEdgeReturnsAfterSigcont()
    {
        await using var browser = await Chromium.LaunchAsync();
        var page = await WatchPage.PlayAsync(browser, _stack, _title.Id);
        var victim = await WatchPage.EdgeInUseAsync(page, _stack.Edges);
        Assert.Equal(victim.Name, (await SteeringAsync())[0]); // the player is on the title's first choice

        victim.Signal(Signals.Stop);
        var samples = new List<(TimeSpan At, double Position)>();
        TimeSpan? detected = null;
        var stopped = Stopwatch.StartNew();
        try
        {
            while (stopped.Elapsed < Watch)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                samples.Add((stopped.Elapsed, (await Chromium.StatsAsync(page)).CurrentTime));
                if (detected is null && (await _stack.FleetAsync()).Single(e => e.Id == victim.Name) is { Routable: false })
                {
                    detected = stopped.Elapsed;
                    Assert.NotEqual(victim.Name, (await SteeringAsync())[0]); // steering drops it at once
                }
            }
        }
        finally
        {
            victim.Signal(Signals.Cont);
        }

        var stats = await Chromium.StatsAsync(page);
        output.WriteLine($"hung edge detected after {detected?.TotalSeconds:0.0} s; longest stall {stats.LongestStallMs:0} ms; " +
            $"played {samples[^1].Position - samples[0].Position:0.0} s in {samples[^1].At.TotalSeconds - samples[0].At.TotalSeconds:0.0} s; " +
            $"fragments by edge {string.Join(", ", stats.FragmentHosts)}; {stats.Errors.Count} player errors");

        Assert.Null(stats.Fatal);
        Assert.Empty(stats.Recoveries); // failed over by steering alone, without rebuilding the player
        Assert.NotNull(detected);
        Assert.InRange(detected.Value, TimeSpan.Zero, TimeSpan.FromSeconds(3.5));
        Assert.InRange(stats.LongestStallMs, 0, 2000);
        // currentTime advanced the whole time: over every 3 s of wall time it moved at least 1 s, and overall it
        // kept pace with the clock (less at most the 2 s a failover may cost).
        for (var i = 3; i < samples.Count; i++)
        {
            Assert.True(samples[i].Position - samples[i - 3].Position >= 1,
                $"playback did not advance between {samples[i - 3].At.TotalSeconds:0} s and {samples[i].At.TotalSeconds:0} s after the stop");
        }

        Assert.InRange(samples[^1].Position - samples[0].Position, samples[^1].At.TotalSeconds - samples[0].At.TotalSeconds - 2.5, double.MaxValue);
        Assert.Contains(stats.FragmentHosts.Keys, host => host != WatchPage.Authority(victim));

        // Resumed, the edge is healthy again: routable, and back first in the title's steering answer.
        await _stack.WaitForRoutableEdgesAsync(victim.Name);
        await Eventually.TrueAsync(async () => (await SteeringAsync())[0] == victim.Name, TimeSpan.FromSeconds(5), "the resumed edge is not first again");
    }

    private async Task<string[]> SteeringAsync()
    {
        using var steering = JsonDocument.Parse(await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}/steering/{_title.Id}"));
        return steering.RootElement.GetProperty("PATHWAY-PRIORITY").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }
}
