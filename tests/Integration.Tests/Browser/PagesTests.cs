using Microsoft.Playwright;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// The admin, watch and catalog pages in a real Chromium: an admin signs in, uploads a generated clip through the
/// page, watches it reach ready live, and a viewer plays it. Screenshots of each page go to the test output folder.
/// </summary>
[Collection(StackDefinition.Name)]
public sealed class PagesTests(StackFixture stack)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Admin_WrongKey_ShowsAnError()
    {
        await using var browser = await Chromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{stack.Origin.BaseUrl}/admin");

        await page.FillAsync("#key", "not-the-admin-key-at-all");
        await page.ClickAsync("#signin-button");

        await page.WaitForSelectorAsync("#signin-error:not([hidden])");
        Assert.Contains("not valid", await page.TextContentAsync("#signin-error"), StringComparison.Ordinal);
        Assert.False(await page.IsVisibleAsync("#admin"));
        await ScreenshotAsync(page, "admin-wrong-key");
    }

    [Fact]
    public async Task Admin_UploadThroughThePage_ReachesReadyLive_ThenPlaysOnTheWatchPageAndShowsInTheCatalog()
    {
        var clip = await Media.ClipAsync(Path.Combine(stack.Work, "through-the-page.mp4"), 640, 360, 8);
        await using var browser = await Chromium.LaunchAsync();
        var admin = await browser.NewPageAsync();
        await admin.GotoAsync($"{stack.Origin.BaseUrl}/admin");
        await admin.FillAsync("#key", StackFixture.AdminKey);
        await admin.ClickAsync("#signin-button");
        await admin.WaitForSelectorAsync("#admin", new() { State = WaitForSelectorState.Visible });

        await admin.SetInputFilesAsync("#file", clip);
        await admin.FillAsync("#name", "Uploaded through the page");
        await admin.ClickAsync("#upload-button");

        await Chromium.WaitForAsync(admin, "document.getElementById('upload-progress').value === 100", TimeSpan.FromSeconds(30));
        var row = admin.Locator("#titles tr", new() { HasText = "Uploaded through the page" });
        await row.WaitForAsync(new() { Timeout = 10_000 });
        var id = await row.GetAttributeAsync("data-id");
        Assert.NotNull(id);
        await ScreenshotAsync(admin, "admin-uploading");

        // Live: no reload, the row turns ready from server-sent events.
        await admin.Locator($"#titles tr[data-id='{id}'] .status", new() { HasText = "ready" }).WaitForAsync(new() { Timeout = 60_000 });
        Assert.True(await admin.Locator($"#titles tr[data-id='{id}'] a.watch").IsVisibleAsync());
        await admin.Locator("#edges tr[data-edge='edge-1']").WaitForAsync(new() { Timeout = 10_000 });
        await ScreenshotAsync(admin, "admin-ready");

        var watch = await browser.NewPageAsync();
        await watch.GotoAsync($"{stack.Origin.BaseUrl}/watch/{id}");
        await Chromium.WaitForAsync(watch, "document.getElementById('video').currentTime > 2", TimeSpan.FromSeconds(30));
        var edge = await watch.TextContentAsync("#edge"); // "edge-1 · 127.0.0.1:port": pathway and host
        Assert.Contains(stack.Edges, e => edge == $"{e.Name} · {new Uri(e.BaseUrl).Authority}");
        Assert.Equal("Uploaded through the page", await watch.TextContentAsync("#title"));
        await ScreenshotAsync(watch, "watch");

        var catalog = await browser.NewPageAsync();
        await catalog.GotoAsync($"{stack.Origin.BaseUrl}/");
        var card = catalog.Locator($"#catalog a.title[href='/watch/{id}']");
        await card.WaitForAsync(new() { Timeout = 10_000 });
        await Chromium.WaitForAsync(catalog, $"(() => {{ const i = document.querySelector(\"#catalog a.title[href='/watch/{id}'] img\"); return i && i.complete && i.naturalWidth > 0; }})()", TimeSpan.FromSeconds(10));
        await ScreenshotAsync(catalog, "catalog");
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }
}
