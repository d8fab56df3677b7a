using Microsoft.Playwright;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>The real watch page (hls.js with the product's failover settings) opened in Chromium, for chaos tests.</summary>
public static class WatchPage
{
    /// <summary>
    /// Opens <c>/watch/{id}</c> on the origin and waits until the video plays past its second second. On a stack with
    /// <see cref="StackFixture.Tls"/> the page accepts the certificates of the test authority, which Chromium does not know.
    /// </summary>
    public static async Task<IPage> PlayAsync(Chromium browser, StackFixture stack, string titleId)
    {
        var page = stack.Tls is null ? await browser.NewPageAsync() : await browser.NewPageAsync(new BrowserNewPageOptions { IgnoreHTTPSErrors = true });
        await page.GotoAsync($"{stack.Origin.BaseUrl}/watch/{titleId}");
        await Chromium.WaitForAsync(page, "window.vodPlayer && vodPlayer.stats.state === 'playing' && document.getElementById('video').currentTime > 2",
            TimeSpan.FromSeconds(30), () => DiagnosticsAsync(page));
        return page;
    }

    /// <summary>The edge the page fetched its last fragment from.</summary>
    public static async Task<ServiceProcess> EdgeInUseAsync(IPage page, IEnumerable<ServiceProcess> edges)
    {
        var host = (await Chromium.StatsAsync(page)).LastFragmentHost;
        return edges.Single(e => Authority(e) == host);
    }

    public static async Task<string> DiagnosticsAsync(IPage page) =>
        await page.EvaluateAsync<string>("() => JSON.stringify({ ...(window.vodPlayer ? vodPlayer.stats : {}), t: document.getElementById('video').currentTime })");

    /// <summary>host:port of an edge, as the page's stats name fragment hosts.</summary>
    public static string Authority(ServiceProcess edge) => new Uri(edge.BaseUrl).Authority;
}
