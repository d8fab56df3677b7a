using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// Every major player through a dead edge and through a hung one, in one browser at once: Chromium plays a 30 s title
/// (longer than the 10 s the players buffer) over HLS in hls.js (the watch page), Shaka Player
/// (<c>/players/shaka/{id}</c>) and video.js (<c>/players/videojs/{id}</c>), and over DASH in Shaka Player
/// (<c>?format=dash</c>) and dash.js (<c>/players/dashjs/{id}</c>), each with the settings README's "Players"
/// recommends; then the edge they use is killed (SIGKILL: connections refused) or stopped (SIGSTOP: it accepts
/// connections and never answers, SIGCONT at the end). Steering is rendezvous by title and the MPD lists its BaseURLs
/// in the same order, so all five start on the same edge and one signal hits them all. Each must play to the end
/// without a fatal error and without a stall over 2 s, the rest from the other edge. Shaka bans a failed URL's host
/// name for every pathway on it, so the two edges have host names of their own (edge-2 is announced as
/// <c>localhost</c>). The two tests share one stack and title (<see cref="TitleStackFixture"/>): each first starts again
/// or continues the edge the other signalled and purges the title from the edges, so both play from cold caches.
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class PlayerMatrixTests(PlayerMatrixTests.ThirtySecondTitle fixture, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<PlayerMatrixTests.ThirtySecondTitle>
{
    private const double TitleSeconds = 30;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Each page's stats in one shape: the player pages' <c>window.playerStats</c>, and the watch page's <c>vodPlayer.stats</c> mapped onto it.</summary>
    private static readonly (string Name, string Path, string Stats)[] Players =
    [
        ("hls.js", "watch/{0}", "window.vodPlayer && { state: vodPlayer.stats.state, currentTime: document.getElementById('video').currentTime, "
            + "longestStallMs: vodPlayer.stats.longestStallMs, fatal: vodPlayer.stats.fatal, hosts: vodPlayer.stats.fragmentHosts, "
            + "lastHost: vodPlayer.stats.lastFragmentHost, log: vodPlayer.stats.recoveries.map(r => JSON.stringify(r)), errors: vodPlayer.stats.errors }"),
        ("Shaka Player HLS", "players/shaka/{0}", "window.playerStats"),
        ("video.js HLS", "players/videojs/{0}", "window.playerStats"),
        ("Shaka Player DASH", "players/shaka/{0}?format=dash", "window.playerStats"),
        ("dash.js DASH", "players/dashjs/{0}", "window.playerStats"),
    ];

    private readonly StackFixture _stack = fixture.Stack;
    private readonly TitleDto _title = fixture.Title;

    [Fact]
    public Task AllPlayers_EdgeInUseSigkilled_PlayToTheEndFromTheOtherEdge() => PlayThroughAsync(Signals.Kill);

    /// <summary>
    /// The gray failure: the edge hangs. Besides the players' own checks, the origin's probes must take it out of the
    /// steering answer within seconds (hls.js with default settings stalls for over a minute here), hls.js must move by
    /// steering alone (no rebuild of the player), and after SIGCONT the edge must be routable and first again.
    /// </summary>
    [Fact]
    public Task AllPlayers_EdgeInUseSigstopped_PlayToTheEndFromTheOtherEdge_AndTheEdgeReturnsAfterSigcont() => PlayThroughAsync(Signals.Stop);

    private async Task PlayThroughAsync(int signal)
    {
        await fixture.RestoreAsync();
        var clock = Stopwatch.StartNew();
        await using var browser = await Chromium.LaunchAsync();
        var pages = new List<(string Name, IPage Page, string Stats, ConcurrentQueue<string> Errors)>();
        foreach (var (name, path, stats) in Players)
        {
            var page = await browser.NewPageAsync();
            var errors = new ConcurrentQueue<string>(); // uncaught exceptions and console errors
            page.PageError += (_, error) => errors.Enqueue(error);
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    errors.Enqueue(message.Text);
                }
            };
            pages.Add((name, page, stats, errors));
        }

        await Task.WhenAll(pages.Select(p => p.Page.GotoAsync($"{_stack.Origin.BaseUrl}/{string.Format(CultureInfo.InvariantCulture, Players.Single(x => x.Name == p.Name).Path, _title.Id)}")));
        await Task.WhenAll(pages.Select(p => Chromium.WaitForAsync(p.Page, $"(s => s && s.state === 'playing' && s.currentTime > 1 && s.lastHost)({p.Stats})",
            TimeSpan.FromSeconds(30), () => DiagnosticsAsync(p.Page, p.Stats))));

        // The edge in use: the one each player fetched its last segment from; all should agree (rendezvous steering by title).
        var authorities = _stack.Edges.ToDictionary(e => new Uri(_stack.PublicUrl(e)).Authority);
        var atSignal = new Dictionary<string, MatrixStats>();
        foreach (var p in pages)
        {
            atSignal[p.Name] = await StatsAsync(p.Page, p.Stats);
        }

        var inUse = atSignal.GroupBy(s => s.Value.LastHost!).OrderByDescending(g => g.Count()).First();
        var agreement = inUse.Count() == pages.Count
            ? $"all players on {inUse.Key}"
            : $"players disagreed on the edge in use ({string.Join(", ", atSignal.Select(s => $"{s.Key}: {s.Value.LastHost}"))}); signalled {inUse.Key}";
        var victim = authorities[inUse.Key];
        var survivor = new Uri(_stack.PublicUrl(_stack.Edges.Single(e => e != victim))).Authority;
        Assert.Equal(victim.Name, (await SteeringAsync())[0]); // the players are on the title's first choice
        var signalledAt = clock.Elapsed;
        victim.Signal(signal);
        var final = new Dictionary<string, MatrixStats>();
        TimeSpan? detected = null;
        try
        {
            var done = Task.WhenAll(pages.Select(p => Chromium.WaitForAsync(p.Page, $"(s => s.state === 'ended' || s.fatal)({p.Stats})",
                TimeSpan.FromSeconds(75), () => DiagnosticsAsync(p.Page, p.Stats))));
            while (!done.IsCompleted && detected is null && signal == Signals.Stop)
            {
                if ((await _stack.FleetAsync()).Single(e => e.Id == victim.Name) is { Routable: false })
                {
                    detected = clock.Elapsed - signalledAt;
                    Assert.NotEqual(victim.Name, (await SteeringAsync())[0]); // steering drops it at once
                }

                await Task.WhenAny(done, Task.Delay(250));
            }

            await done;
        }
        finally
        {
            if (signal == Signals.Stop)
            {
                victim.Signal(Signals.Cont);
            }

            foreach (var p in pages)
            {
                final[p.Name] = await StatsAsync(p.Page, p.Stats);
            }
        }

        output.WriteLine($"signal {signal} to {victim.Name} ({inUse.Key}) at {signalledAt.TotalSeconds:0.0} s; {agreement}; "
            + $"{(detected is { } d ? $"hung edge out of steering after {d.TotalSeconds:0.0} s; " : "")}all done at {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var p in pages)
        {
            var s = final[p.Name];
            output.WriteLine($"{p.Name}: at the signal {atSignal[p.Name].CurrentTime:0.0} s; {s.State} at {s.CurrentTime:0.00} s, fatal {s.Fatal ?? "none"}, "
                + $"longest stall {s.LongestStallMs:0} ms, segments by edge {string.Join(", ", s.Hosts)}; {s.Errors.Count} player errors: {string.Join(" ", s.Errors)}; "
                + $"log: {string.Join(", ", s.Log)}; page errors: {string.Join(" | ", p.Errors)}");
        }

        var failures = new List<string>();
        foreach (var p in pages)
        {
            var s = final[p.Name];
            if (s.Fatal is not null)
            {
                failures.Add($"{p.Name}: fatal error {s.Fatal}");
            }

            if (Math.Abs(s.CurrentTime - TitleSeconds) > 0.5)
            {
                failures.Add($"{p.Name}: stopped at {s.CurrentTime:0.00} s of {TitleSeconds} s");
            }

            if (s.LongestStallMs > 2000)
            {
                failures.Add($"{p.Name}: stalled {s.LongestStallMs:0} ms");
            }

            if (s.Hosts.GetValueOrDefault(survivor) == 0)
            {
                failures.Add($"{p.Name}: no segment came from the surviving edge {survivor}");
            }

            // Steering kept working: a relative RELOAD-URI made Shaka throw "Failed to construct 'URL': Invalid URL" at its reload.
            if (p.Errors.Any(e => e.Contains("Invalid URL", StringComparison.Ordinal)))
            {
                failures.Add($"{p.Name}: 'Invalid URL' on the page");
            }
        }

        if (signal == Signals.Stop)
        {
            if (detected is null || detected > TimeSpan.FromSeconds(3.5))
            {
                failures.Add($"the origin took the hung edge out of steering after {detected?.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) ?? "never"} (at most 3.5 s)");
            }

            if (final["hls.js"].Log.Count > 0)
            {
                failures.Add("hls.js rebuilt the player instead of moving by steering alone");
            }
        }

        Assert.True(failures.Count == 0, $"{agreement}: {string.Join("; ", failures)}");
        if (signal == Signals.Stop)
        {
            // Resumed, the edge is healthy again: routable, and back first in the title's steering answer.
            await _stack.WaitForRoutableEdgesAsync(victim.Name);
            await Eventually.TrueAsync(async () => (await SteeringAsync())[0] == victim.Name, TimeSpan.FromSeconds(5), "the resumed edge is not first again");
        }
    }

    private async Task<string[]> SteeringAsync()
    {
        using var steering = JsonDocument.Parse(await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}/steering/{_title.Id}"));
        return [.. steering.RootElement.GetProperty("PATHWAY-PRIORITY").EnumerateArray().Select(p => p.GetString()!)];
    }

    private static async Task<MatrixStats> StatsAsync(IPage page, string stats) =>
        JsonSerializer.Deserialize<MatrixStats>(await page.EvaluateAsync<string>($"() => JSON.stringify({stats})"), Json)!;

    private static Task<string> DiagnosticsAsync(IPage page, string stats) => page.EvaluateAsync<string>($"() => JSON.stringify(({stats}) || null)");

    /// <summary>The stack (edge-2 announced as <c>localhost</c>) and its 30 s title.</summary>
    public sealed class ThirtySecondTitle() : TitleStackFixture(new StackFixture { EdgesOnLocalhost = new HashSet<string> { "edge-2" } }, (int)TitleSeconds);

    private sealed record MatrixStats(
        string State, double CurrentTime, double LongestStallMs, string? Fatal, Dictionary<string, int> Hosts, string? LastHost, List<string> Log, List<JsonElement> Errors);
}
