using Microsoft.Playwright;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Xunit.Abstractions;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// <c>Ladder:Codecs=h264,av1</c>: the transcoder adds an SVT-AV1 copy of every rung, the master lists both families on
/// every edge's pathway, and the watch page in Chromium (which decodes AV1 with dav1d) plays the AV1 rungs through an
/// edge, hls.js never fetching an H.264 segment. A browser that cannot decode AV1 (MediaSource.isTypeSupported says
/// no) plays the H.264 rungs of the same master. dash.js and Shaka Player play the MPD, whose AV1 rungs are a video
/// adaptation set of their own.
/// </summary>
[Collection(SerialDefinition.Name)] // it waits on a transcode twice as heavy as others' and on playback within bounds
public sealed class Av1PlaybackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly StackFixture _stack = new()
    {
        TranscoderSettings = new Dictionary<string, string>
        {
            ["Ladder__Codecs__0"] = "h264",
            ["Ladder__Codecs__1"] = "av1",
            ["Ladder__Rungs__0__Name"] = "360p",
            ["Ladder__Rungs__0__Height"] = "360",
            ["Ladder__Rungs__0__VideoKbps"] = "600",
            ["Ladder__Rungs__1__Name"] = "180p",
            ["Ladder__Rungs__1__Height"] = "180",
            ["Ladder__Rungs__1__VideoKbps"] = "250",
        },
    };

    public Task InitializeAsync() => _stack.InitializeAsync();

    public Task DisposeAsync() => _stack.DisposeAsync();

    /// <summary>The media files the page fetched (single-file renditions), as "host directory".</summary>
    private const string FetchedMedia = @"() => performance.getEntriesByType('resource').map(e => new URL(e.name))
        .filter(u => u.pathname.endsWith('/media.mp4')).map(u => u.host + ' ' + u.pathname.split('/').slice(-2)[0])";

    [Fact]
    public async Task Av1On_TheWatchPagePlaysTheAv1RungsThroughAnEdge_ABrowserWithoutAv1PlaysH264_DashPlayersPlayToo()
    {
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "av1.mp4"), 640, 360, 10, frameRate: 25);
        var title = await _stack.UploadAndWaitAsync(clip, TimeSpan.FromMinutes(3));
        Assert.Equal(TitleStatus.Ready, title.Status);
        Assert.Equal(["360p", "180p", "360p-av1", "180p-av1"], title.Renditions.Select(r => r.Name));
        Assert.All(title.Renditions.Take(2), r => Assert.StartsWith("avc1.", r.Codecs, StringComparison.Ordinal));
        Assert.Equal(["av01.0.01M.08", "av01.0.00M.08"], title.Renditions.Skip(2).Select(r => r.Codecs));

        var master = await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}/play/{title.Id}/master.m3u8");
        foreach (var edge in _stack.Edges)
        {
            Assert.Contains($"CODECS=\"av01.0.01M.08,mp4a.40.2\",FRAME-RATE=25.000,AUDIO=\"audio-{edge.Name}\",PATHWAY-ID=\"{edge.Name}\"", master, StringComparison.Ordinal);
        }

        var edges = _stack.Edges.Select(WatchPage.Authority).ToHashSet();
        await using var browser = await Chromium.LaunchAsync();

        // Chromium decodes AV1: hls.js starts on an AV1 rung and stays in the family.
        var page = await WatchPage.PlayAsync(browser, _stack, title.Id);
        Assert.True(await page.EvaluateAsync<bool>("() => MediaSource.isTypeSupported('video/mp4;codecs=\"av01.0.01M.08\"')"));
        await Chromium.WaitForAsync(page, "document.getElementById('video').currentTime > 5", TimeSpan.FromSeconds(20), () => WatchPage.DiagnosticsAsync(page));
        Assert.StartsWith("av01.", await page.EvaluateAsync<string>("() => vodPlayer.hls.levels[vodPlayer.hls.currentLevel].videoCodec"), StringComparison.Ordinal);
        var fetched = await page.EvaluateAsync<string[]>(FetchedMedia);
        var video = fetched.Where(f => !f.EndsWith(" audio", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(video);
        Assert.All(video, f => Assert.Matches(@" (360p|180p)-av1$", f)); // no H.264 segment, ever
        Assert.All(fetched, f => Assert.Contains(f.Split(' ')[0], edges));
        Assert.True(await page.EvaluateAsync<int>("() => document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames") > 100);
        Assert.Null((await Chromium.StatsAsync(page)).Fatal);
        Assert.EndsWith(" AV1", await page.TextContentAsync("#rung"), StringComparison.Ordinal);
        // The quality menu offers the AV1 rungs, one per height: a pick never changes codecs.
        Assert.Equal(
            ["Auto", "180p av01", "360p av01"],
            await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#quality option')].map(o => o.value === '-1' ? o.textContent : o.textContent + ' ' + vodPlayer.hls.levels[Number(o.value)].videoCodec.slice(0, 4))"));

        // A browser that cannot decode AV1 (MediaSource says so): hls.js leaves the AV1 variants out and plays H.264.
        var noAv1 = await browser.NewPageAsync();
        await noAv1.AddInitScriptAsync(@"(() => {
            const isTypeSupported = MediaSource.isTypeSupported.bind(MediaSource);
            MediaSource.isTypeSupported = (type) => !/av01/.test(type) && isTypeSupported(type);
        })()");
        await noAv1.GotoAsync($"{_stack.Origin.BaseUrl}/watch/{title.Id}");
        await Chromium.WaitForAsync(noAv1, "window.vodPlayer && vodPlayer.stats.state === 'playing' && document.getElementById('video').currentTime > 2",
            TimeSpan.FromSeconds(30), () => WatchPage.DiagnosticsAsync(noAv1));
        Assert.True(await noAv1.EvaluateAsync<bool>("() => vodPlayer.hls.levels.every(l => l.videoCodec.startsWith('avc1'))"));
        var h264 = (await noAv1.EvaluateAsync<string[]>(FetchedMedia)).Where(f => !f.EndsWith(" audio", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(h264);
        Assert.All(h264, f => Assert.Matches(@" (360p|180p)$", f));

        // The MPD's two video adaptation sets: each DASH player picks one it decodes (dash.js 5.2.1 the most efficient,
        // fewest bits a pixel; Shaka Player 5.2.12 the codec of the lowest bandwidth) and plays on.
        var mpd = await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}/play/{title.Id}/manifest.mpd");
        Assert.Contains("codecs=\"av01.0.01M.08\"", mpd, StringComparison.Ordinal);
        (string Page, string Codec)[] dashPlayers =
        [
            ($"players/dashjs/{title.Id}", "dashPlayer.getCurrentTrackFor('video').codec"),
            ($"players/shaka/{title.Id}?format=dash", "shakaPlayer.getVariantTracks().find(t => t.active).videoCodec"),
        ];
        foreach (var (path, codec) in dashPlayers)
        {
            var dash = await browser.NewPageAsync();
            await dash.GotoAsync($"{_stack.Origin.BaseUrl}/{path}");
            await Chromium.WaitForAsync(dash, "window.playerStats && playerStats.currentTime > 2", TimeSpan.FromSeconds(30),
                () => dash.EvaluateAsync<string>("() => JSON.stringify(window.playerStats)"));
            Assert.Null(await dash.EvaluateAsync<string?>("() => playerStats.fatal"));
            var playing = await dash.EvaluateAsync<string>($"() => String({codec})");
            output.WriteLine($"{path}: {playing}");
            Assert.Contains("av01.", playing, StringComparison.Ordinal); // both prefer the AV1 set where it decodes
            await dash.CloseAsync();
        }
    }
}
