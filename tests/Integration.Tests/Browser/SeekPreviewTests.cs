using Microsoft.Playwright;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Browser;

/// <summary>The watch page's trick-play preview in a real Chromium: hovering over the seek bar shows a storyboard tile.</summary>
[Collection(StackDefinition.Name)]
public sealed class SeekPreviewTests(StackFixture stack)
{
    [Fact]
    public async Task WatchPage_HoverOverTheSeekBar_ShowsTheTileFromTheStoryboard()
    {
        var sample = await stack.SampleTitleAsync();
        await using var browser = await Chromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{stack.Origin.BaseUrl}/watch/{sample.Id}");
        await Chromium.WaitForAsync(page, "window.vodPlayer && vodPlayer.storyboard.cues.length > 0 && Number(document.getElementById('seek').max) > 0",
            TimeSpan.FromSeconds(20), () => WatchPage.DiagnosticsAsync(page));
        Assert.True(await page.IsHiddenAsync("#preview"));

        // Three quarters along the bar: past the first interval, so the tile is not the first one.
        var bar = (await page.Locator("#seek").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(bar.X + (bar.Width * 0.75f), bar.Y + (bar.Height / 2));

        await page.Locator("#preview").WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 5_000 });
        await Chromium.WaitForAsync(page, "document.getElementById('preview').dataset.loaded === 'true'", TimeSpan.FromSeconds(10));
        var shown = await page.EvaluateAsync<string[]>(@"() => {
            const s = getComputedStyle(document.getElementById('preview-image'));
            const image = vodPlayer.storyboard.images[document.getElementById('preview').dataset.sheet];
            return [s.backgroundImage, s.backgroundPosition, s.width, String(image.naturalWidth)];
        }");
        var edge = Assert.Single(stack.Edges, e => shown[0].Contains(e.BaseUrl + "/titles/" + sample.Id + "/", StringComparison.Ordinal));
        Assert.Contains("/trickplay/sheet_000.jpg", shown[0], StringComparison.Ordinal);
        Assert.Equal("-160px 0px", shown[1]); // 8 s at 5 s a tile: 6 s is the second tile, right of the first
        Assert.Equal("160px", shown[2]);
        Assert.True(int.Parse(shown[3], System.Globalization.CultureInfo.InvariantCulture) >= 320, $"sheet not loaded from {edge.BaseUrl}: {shown[3]}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "watch-seek-preview.png") });

        await page.Mouse.MoveAsync(bar.X + (bar.Width / 2), bar.Y - 200);
        await page.Locator("#preview").WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 5_000 });
    }
}
