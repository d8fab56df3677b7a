using System.Text.Json;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// Another player than hls.js through a dead edge: Chromium plays a 30 s title in Shaka Player (npm shaka-player, the
/// page <c>/players/shaka/{id}</c> with the settings README's "Players" recommends) while the test SIGKILLs the edge it
/// is using. Shaka bans a failed URL's host name for every pathway on it, so the two edges have host names of their own
/// (edge-2 is announced as <c>localhost</c>); it also needs absolute steering URLs. Its own stack, since it kills part of it.
/// </summary>
public sealed class ShakaFailoverTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly StackFixture _stack = new() { EdgesOnLocalhost = new HashSet<string> { "edge-2" } };
    private TitleDto _title = null!;

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(async () =>
    {
        await _stack.InitializeAsync();
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "thirty.mp4"), 640, 360, 30);
        _title = await _stack.UploadAndWaitAsync(clip, TimeSpan.FromMinutes(2));
        Assert.Equal(TitleStatus.Ready, _title.Status);
    });

    public Task DisposeAsync() => _stack.DisposeAsync();

    [Fact]
    public async Task ShakaPlayer_EdgeInUseSigkilled_PlaysToTheEndFromTheOtherEdge()
    {
        await using var browser = await Chromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        var pageErrors = new System.Collections.Concurrent.ConcurrentQueue<string>(); // uncaught exceptions and console errors
        page.PageError += (_, error) => pageErrors.Enqueue(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                pageErrors.Enqueue(message.Text);
            }
        };
        await page.GotoAsync($"{_stack.Origin.BaseUrl}/players/shaka/{_title.Id}");
        Task<string> Diagnostics() => page.EvaluateAsync<string>("() => JSON.stringify(window.playerStats || null)");
        await Chromium.WaitForAsync(page, "window.playerStats && playerStats.state === 'playing' && playerStats.lastHost",
            TimeSpan.FromSeconds(30), Diagnostics);

        var atKill = await StatsAsync(page);
        var inUse = atKill.LastHost;
        var authorities = _stack.Edges.ToDictionary(e => new Uri(_stack.PublicUrl(e)).Authority);
        var victim = authorities[inUse!];
        var survivor = _stack.Edges.Single(e => e != victim);
        victim.Signal(Signals.Kill);
        await Chromium.WaitForAsync(page, "playerStats.state === 'ended' || playerStats.fatal !== null", TimeSpan.FromSeconds(60), Diagnostics);

        var stats = await StatsAsync(page);
        output.WriteLine($"killed {victim.Name} ({inUse}) at {atKill.CurrentTime:0.0} s; longest stall {stats.LongestStallMs:0} ms, segments by edge "
            + $"{string.Join(", ", stats.Hosts)}, segments: {string.Join(", ", stats.Log)}; {stats.Errors.Count} player errors: {string.Join(" ", stats.Errors)}; page errors: {string.Join(" | ", pageErrors)}");
        Assert.Null(stats.Fatal);
        // Steering kept working: a relative RELOAD-URI made Shaka throw "Failed to construct 'URL': Invalid URL" at its reload.
        Assert.DoesNotContain(pageErrors, e => e.Contains("Invalid URL", StringComparison.Ordinal));
        Assert.InRange(stats.CurrentTime, 29.5, 30.5);
        Assert.InRange(stats.LongestStallMs, 0, 2000);
        Assert.True(stats.Hosts.GetValueOrDefault(new Uri(_stack.PublicUrl(survivor)).Authority) > 0, "no segment came from the surviving edge");
    }

    private static async Task<ShakaStats> StatsAsync(Microsoft.Playwright.IPage page) =>
        JsonSerializer.Deserialize<ShakaStats>(await page.EvaluateAsync<string>("() => JSON.stringify(playerStats)"), Json)!;

    private sealed record ShakaStats(
        string State, double CurrentTime, double LongestStallMs, string? Fatal, Dictionary<string, int> Hosts, string? LastHost, List<string> Log, List<JsonElement> Errors);
}
