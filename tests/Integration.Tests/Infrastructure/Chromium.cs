using System.Text.Json;
using Microsoft.Playwright;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (nothing downloaded), headless, with the flags this sandbox needs. Each
/// launch gets a fresh profile; pages must come from a real loopback server (the origin) so that their requests to
/// 127.0.0.1 are allowed.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<Chromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
            ],
        });
        return new Chromium(playwright, browser);
    }

    public Task<IPage> NewPageAsync() => _browser.NewPageAsync();

    /// <summary>A page in its own context with <paramref name="options"/> (e.g. accepting a private authority's certificates).</summary>
    public Task<IPage> NewPageAsync(BrowserNewPageOptions options) => _browser.NewPageAsync(options);

    /// <summary>Polls a JavaScript condition in the page until it is true.</summary>
    public static async Task WaitForAsync(IPage page, string condition, TimeSpan timeout, Func<Task<string>>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await page.EvaluateAsync<bool>($"() => !!({condition})"))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{condition}' still false after {timeout.TotalSeconds} s. " + (diagnostics is null ? "" : await diagnostics()));
            }

            await Task.Delay(100);
        }
    }

    public static async Task<PlayerStats> StatsAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("() => JSON.stringify({ ...vodPlayer.stats, currentTime: document.getElementById('video').currentTime })");
        return JsonSerializer.Deserialize<PlayerStats>(json, Json)!;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}

/// <summary>What the watch page records about its playback (window.vodPlayer.stats).</summary>
public sealed record PlayerStats(
    string State,
    string? Fatal,
    string? LastFragmentHost,
    Dictionary<string, int> FragmentHosts,
    double LongestStallMs,
    double CurrentTime,
    List<JsonElement> Errors,
    List<JsonElement> Recoveries);
