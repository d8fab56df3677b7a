using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// No single origin: two origins over one media store and Redis, and the origin that served a page is SIGKILLed while
/// the page works. The watch page keeps playing (steering and the master playlist come from the other origin) and the
/// admin page resumes an upload cut by the kill on the other origin, at the offset it had reached (tus). The tests share one stack; each one puts it in
/// the state it needs first (the title uploaded, the first origin up or down, both edges up), so any order works. They
/// run in name order: the admin test's upload is then the title the watch tests play (one transcode, not two).
/// </summary>
[Collection(SerialDefinition.Name)]
[TestCaseOrderer(AlphabeticalOrderer.Name, AlphabeticalOrderer.Assembly)]
public sealed class OriginFailoverTests(ResilientStackFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<ResilientStackFixture>
{
    private const string TitleName = "Origin failover";
    private const int ClipSeconds = 40;

    private StackFixture Stack => fixture.Stack;
    private ServiceProcess First => Stack.Origins[0];
    private ServiceProcess Second => Stack.Origins[1];

    [Fact]
    public async Task Watch_OriginThatServedThePageSigkilled_PlaysToTheEndThroughTheOtherOrigin()
    {
        var title = await TitleAsync();
        await FirstOriginUpAsync();
        await EdgesUpAsync();
        await using var browser = await Chromium.LaunchAsync();
        var page = await WatchPage.PlayAsync(browser, Stack, title.Id);
        Assert.Equal([First.BaseUrl, Second.BaseUrl], await EntriesAsync(page));

        First.Signal(Signals.Kill);
        // The next steering reload (TTL 5 s) finds the first origin dead and moves to the second.
        await Chromium.WaitForAsync(page, "vodPlayer.stats.entryFailovers >= 1", TimeSpan.FromSeconds(20), () => WatchPage.DiagnosticsAsync(page));
        Assert.True(await First.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the first origin did not die");

        // Steering now comes from the second origin alone, and it still steers: with the edge in use killed too, it
        // names the other edge first, and playback goes on there.
        await page.EvaluateAsync("() => { window.steeringLoads = 0; vodPlayer.hls.on(Hls.Events.STEERING_MANIFEST_LOADED, () => window.steeringLoads++); }");
        var victim = await WatchPage.EdgeInUseAsync(page, Stack.Edges);
        var survivor = Stack.Edges.Single(e => e != victim);
        var before = await Chromium.StatsAsync(page);
        victim.Signal(Signals.Kill);
        await Chromium.WaitForAsync(page, $"window.steeringLoads > 0 && (vodPlayer.hls.pathwayPriority || [])[0] === '{survivor.Name}'",
            TimeSpan.FromSeconds(20), () => WatchPage.DiagnosticsAsync(page));

        await Chromium.WaitForAsync(page, "vodPlayer.stats.state === 'ended' || vodPlayer.stats.fatal", TimeSpan.FromSeconds(90), () => WatchPage.DiagnosticsAsync(page));
        var stats = await Chromium.StatsAsync(page);
        var failovers = await page.EvaluateAsync<int>("() => vodPlayer.stats.entryFailovers");
        output.WriteLine($"longest stall {stats.LongestStallMs:0} ms, entry failovers {failovers}, fragments by edge {string.Join(", ", stats.FragmentHosts)}, "
            + $"{stats.Errors.Count} player errors, {stats.Recoveries.Count} rebuilds: {string.Join(" ", stats.Errors)}");

        Assert.Null(stats.Fatal);
        Assert.InRange(stats.CurrentTime, ClipSeconds - 0.5, ClipSeconds + 1);
        Assert.InRange(stats.LongestStallMs, 0, 2000);
        Assert.Empty(stats.Recoveries); // the player itself never gave up: no rebuild was needed
        Assert.True(stats.FragmentHosts.GetValueOrDefault(WatchPage.Authority(survivor)) > before.FragmentHosts.GetValueOrDefault(WatchPage.Authority(survivor)),
            "no fragment came from the surviving edge after the kills");
        Assert.Equal([First.BaseUrl, Second.BaseUrl], await EntriesAsync(page));
    }

    [Fact]
    public async Task Watch_FirstOriginDead_FreshPageOnTheSecondOriginPlays()
    {
        var title = await TitleAsync();
        await EdgesUpAsync();
        First.Signal(Signals.Kill);
        Assert.True(await First.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the first origin did not die");
        // The survivor stops listing it once its last heartbeat is 10 s old.
        await Eventually.TrueAsync(async () => (await OriginsAsync(Second)).SequenceEqual([Second.BaseUrl]), TimeSpan.FromSeconds(30),
            "the second origin still lists the dead one");

        await using var browser = await Chromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{Second.BaseUrl}/watch/{title.Id}");
        await Chromium.WaitForAsync(page, "window.vodPlayer && vodPlayer.stats.state === 'playing' && document.getElementById('video').currentTime > 2",
            TimeSpan.FromSeconds(30), () => WatchPage.DiagnosticsAsync(page));

        Assert.Equal([Second.BaseUrl], await EntriesAsync(page));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => vodPlayer.stats.entryFailovers"));
        Assert.Equal(TitleName, await page.TextContentAsync("#title"));
        Assert.Null((await Chromium.StatsAsync(page)).Fatal);
    }

    [Fact]
    public async Task Admin_OriginKilledMidUpload_ResumesAtItsOffsetOnTheOtherOriginAndFollowsItThere()
    {
        await FirstOriginUpAsync();
        var clip = await ClipAsync();
        await using var browser = await Chromium.LaunchAsync();
        var admin = await browser.NewPageAsync();
        await admin.GotoAsync($"{First.BaseUrl}/admin");
        await admin.FillAsync("#key", StackFixture.AdminKey);
        await admin.ClickAsync("#signin-button");
        await admin.WaitForSelectorAsync("#admin", new() { State = WaitForSelectorState.Visible });
        await Chromium.WaitForAsync(admin, "vodAdmin.origins.list.length === 2 && vodAdmin.eventsUrl() !== null", TimeSpan.FromSeconds(10));

        var before = (await ListAsync(Second)).Select(t => t.Id).ToHashSet();

        // Slow the upload down (Chromium's own network throttling) so that the kill lands in the middle of it.
        var size = new FileInfo(clip).Length;
        var cdp = await admin.Context.NewCDPSessionAsync(admin);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false,
            ["latency"] = 0,
            ["downloadThroughput"] = -1,
            ["uploadThroughput"] = size / 6, // bytes per second: about 6 s per attempt
        });
        await admin.SetInputFilesAsync("#file", clip);
        await admin.FillAsync("#name", TitleName);
        await admin.ClickAsync("#upload-button");
        await Chromium.WaitForAsync(admin, "document.getElementById('upload-progress').value >= 15", TimeSpan.FromSeconds(20));
        Assert.True(await admin.EvaluateAsync<double>("() => document.getElementById('upload-progress').value") < 90, "the upload was not slowed down");

        First.Signal(Signals.Kill);
        // tus: the page moves to the other origin and resumes the same upload at the offset the origins kept.
        var resuming = $"the connection to {First.BaseUrl} was lost; resuming on {Second.BaseUrl}";
        await Chromium.WaitForAsync(admin, $"document.getElementById('upload-status').textContent.includes('{resuming} · resuming at')",
            TimeSpan.FromSeconds(20), () => UploadStatusAsync(admin));
        var resumedAt = await admin.TextContentAsync("#upload-status");
        await Chromium.WaitForAsync(admin, "document.getElementById('upload-status').textContent.startsWith('Uploaded:')",
            TimeSpan.FromSeconds(60), () => UploadStatusAsync(admin));
        var status = await admin.TextContentAsync("#upload-status");
        output.WriteLine($"{resumedAt} / {status}");
        Assert.Contains($"({resuming})", status, StringComparison.Ordinal);

        // One new title (the cut upload left nothing behind), followed live through the second origin's event stream.
        var title = Assert.Single(await ListAsync(Second), t => !before.Contains(t.Id));
        Assert.Equal(TitleName, title.Name);
        await Chromium.WaitForAsync(admin, $"(vodAdmin.eventsUrl() || '').startsWith('{Second.BaseUrl}/')", TimeSpan.FromSeconds(15));
        await admin.Locator($"#titles tr[data-id='{title.Id}'] .status", new() { HasText = "ready" }).WaitForAsync(new() { Timeout = 180_000 });
    }

    /// <summary>The title the watch tests play: uploaded once per stack (maybe by the admin test, through its page).</summary>
    private async Task<TitleDto> TitleAsync()
    {
        var live = LiveOrigin();
        var existing = (await ListAsync(live)).FirstOrDefault(t => t.Name == TitleName && t.Status != TitleStatus.Failed);
        string id;
        if (existing is not null)
        {
            id = existing.Id;
        }
        else
        {
            using var form = new MultipartFormDataContent();
            form.Add(new StreamContent(File.OpenRead(await ClipAsync())), "file", "origin-failover.mp4");
            form.Add(new StringContent(TitleName), "name");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{live.BaseUrl}/api/titles") { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StackFixture.AdminKey);
            using var response = await Stack.Http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
            id = (await response.Content.ReadFromJsonAsync<TitleDto>(StackFixture.JsonOptions))!.Id;
        }

        var title = await Stack.WaitForFinalAsync(id, TimeSpan.FromMinutes(3));
        Assert.Equal(TitleStatus.Ready, title.Status);
        return title;
    }

    private async Task<string> ClipAsync()
    {
        var path = Path.Combine(Stack.Work, "origin-failover.mp4");
        return File.Exists(path) ? path : await Media.ClipAsync(path, 640, 360, ClipSeconds);
    }

    /// <summary>The first origin up (started again on its address if a test killed it), and both origins listing each other.</summary>
    private async Task FirstOriginUpAsync()
    {
        if (First.HasExited)
        {
            await Stack.RestartOriginAsync();
        }

        // Until the second origin has read the first from the registry, it would refuse the first's pages (CORS).
        await Eventually.TrueAsync(
            async () => (await OriginsAsync(First)).SequenceEqual([First.BaseUrl, Second.BaseUrl])
                && (await OriginsAsync(Second)).SequenceEqual([Second.BaseUrl, First.BaseUrl]),
            TimeSpan.FromSeconds(20), "the origins do not list each other");
    }

    /// <summary>Both edges up (one killed by a test is started again on its address) and routable.</summary>
    private async Task EdgesUpAsync()
    {
        for (var i = 0; i < Stack.Edges.Count; i++)
        {
            var edge = Stack.Edges[i];
            if (edge.HasExited)
            {
                await edge.DisposeAsync();
                Stack.Edges[i] = await Stack.StartEdgeAsync(edge.Name, edge.BaseUrl);
            }
        }

        await Eventually.TrueAsync(async () =>
        {
            var fleet = await Stack.Http.GetFromJsonAsync<EdgeDto[]>($"{LiveOrigin().BaseUrl}/api/edges", StackFixture.JsonOptions);
            return Stack.Edges.All(e => fleet!.Any(f => f.Id == e.Name && f.Routable));
        }, TimeSpan.FromSeconds(20), "the edges are not routable");
    }

    private ServiceProcess LiveOrigin() => Stack.Origins.First(o => !o.HasExited);

    private async Task<string[]> OriginsAsync(ServiceProcess origin)
    {
        try
        {
            var body = await Stack.Http.GetFromJsonAsync<OriginsBody>($"{origin.BaseUrl}/api/origins", StackFixture.JsonOptions);
            return body!.Origins;
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }

    private Task<TitleDto[]> ListAsync(ServiceProcess origin) => Stack.ListTitlesAsync(origin);

    private static async Task<string> UploadStatusAsync(IPage admin) => await admin.TextContentAsync("#upload-status") ?? "";

    private static Task<string[]> EntriesAsync(IPage page) => page.EvaluateAsync<string[]>("() => vodPlayer.stats.entries");

    private sealed record OriginsBody(string[] Origins);
}
