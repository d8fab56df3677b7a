using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Vod.Common.Security;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Signed playback end to end: the origin's manifest hands out <c>/t/{token}/titles/...</c> URLs, players (ffmpeg,
/// Chromium on the watch page) play through the edges, and every edge and the origin refuse media without a valid
/// token for the title (403), while the token never splits the cache.
/// </summary>
[Collection(SignedStackDefinition.Name)]
public sealed partial class SignedPlaybackTests(SignedStackFixture fixture)
{
    private const string OtherKey = "some-other-signing-key-0123456789abcdef";
    private readonly StackFixture _stack = fixture.Stack;

    private static PlaybackTokens Tokens(string key = SignedStackFixture.SigningKey) =>
        new(Options.Create(new PlaybackOptions { SigningKey = key }), TimeProvider.System);

    private async Task<(string Id, string Version)> SampleAsync()
    {
        var title = await _stack.SampleTitleAsync();
        Assert.Equal(Vod.Common.Catalog.TitleStatus.Ready, title.Status);
        return (title.Id, (await _stack.Store.ReadTitleAsync(title.Id))!.Version!);
    }

    [Fact]
    public async Task Manifest_EveryVariant_IsASignedEdgeUrlForTheTitle()
    {
        var (id, version) = await SampleAsync();

        var manifest = await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}/play/{id}/master.m3u8");

        var uris = manifest.Split('\n').Where(l => l.StartsWith("http", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(uris);
        foreach (var uri in uris)
        {
            var match = SignedUrl().Match(uri);
            Assert.True(match.Success, uri);
            Assert.Contains(_stack.Edges, e => e.BaseUrl == match.Groups["base"].Value);
            Assert.Equal(id, match.Groups["id"].Value);
            Assert.StartsWith(version + "/", match.Groups["rest"].Value, StringComparison.Ordinal);
            Assert.Equal(TokenCheck.Valid, Tokens().Verify(match.Groups["token"].Value, id));
        }
    }

    [Fact]
    public async Task Ffmpeg_PlaysTheSignedManifest_ThroughTheEdges()
    {
        var (id, _) = await SampleAsync();

        var play = await Media.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", $"{_stack.Origin.BaseUrl}/play/{id}/master.m3u8", "-map", "0:v:0", "-f", "null", "-progress", "pipe:1", "-"]);

        Assert.True(play.ExitCode == 0, play.StandardError);
        var decoded = Regex.Matches(play.StandardOutput, @"out_time_us=(\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max();
        Assert.InRange(decoded / 1e6, 7.5, 8.5);
    }

    [Fact]
    public async Task Ffmpeg_PlaysTheSignedDashManifest_EveryBaseUrlSigned()
    {
        var (id, version) = await SampleAsync();
        var mpd = await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}/play/{id}/manifest.mpd");
        var baseUrls = Regex.Matches(mpd, "<BaseURL serviceLocation=\"[^\"]+\">([^<]+)</BaseURL>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(_stack.Edges.Count, baseUrls.Count);
        foreach (var baseUrl in baseUrls)
        {
            var match = SignedUrl().Match(baseUrl);
            Assert.True(match.Success, baseUrl);
            Assert.Equal($"{version}/", match.Groups["rest"].Value);
            Assert.Equal(TokenCheck.Valid, Tokens().Verify(match.Groups["token"].Value, id));
        }

        var play = await Media.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", $"{_stack.Origin.BaseUrl}/play/{id}/manifest.mpd", "-map", "0:v:0", "-map", "0:a:0", "-f", "null", "-progress", "pipe:1", "-"]);

        Assert.True(play.ExitCode == 0 && play.StandardError.Length == 0, play.StandardError);
        var decoded = Regex.Matches(play.StandardOutput, @"out_time_us=(\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max();
        Assert.InRange(decoded / 1e6, 7.5, 8.5);
    }

    [Theory]
    [InlineData("edge", "240p/index.m3u8")]
    [InlineData("edge", "240p/media.mp4")]
    [InlineData("origin", "240p/index.m3u8")]
    [InlineData("origin", "240p/media.mp4")]
    public async Task Get_UnsignedMedia_Is403(string server, string file)
    {
        var (id, version) = await SampleAsync();
        var baseUrl = server == "origin" ? _stack.Origin.BaseUrl : _stack.Edges[0].BaseUrl;

        using var response = await _stack.Http.GetAsync($"{baseUrl}/titles/{id}/{version}/{file}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("/t/{token}/titles/", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_PosterOnOrigin_StaysPublicForTheCatalog()
    {
        var (id, version) = await SampleAsync();
        var poster = (await _stack.Store.ReadTitleAsync(id))!.Poster;
        Assert.NotNull(poster);

        using var response = await _stack.Http.GetAsync($"{_stack.Origin.BaseUrl}/titles/{id}/{version}/{poster}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string, string> BadTokens()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var server in new[] { "origin", "edge" })
        {
            data.Add(server, "expired", "expired");
            data.Add(server, "forged", "signature is not valid");
            data.Add(server, "other-title", "another title");
            data.Add(server, "other-key", "key this server does not accept");
            data.Add(server, "malformed", "malformed");
            data.Add(server, "tampered-expiry", "signature is not valid");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Get_WithBadToken_Is403WithReasonAndServesNothing(string server, string kind, string reason)
    {
        var (id, version) = await SampleAsync();
        var good = Tokens().Create(id);
        var parts = good.Split('.');
        var token = kind switch
        {
            "expired" => Tokens().Create(id, DateTimeOffset.UtcNow.AddSeconds(-1)),
            "forged" => string.Join('.', parts[..3]) + "." + (parts[3][0] == 'A' ? "B" : "A") + parts[3][1..],
            "other-title" => Tokens().Create(Vod.Common.Hls.TitleId.New()),
            "other-key" => Tokens(OtherKey).Create(id),
            "tampered-expiry" => $"{parts[0]}.{long.Parse(parts[1], CultureInfo.InvariantCulture) + 86400}.{parts[2]}.{parts[3]}",
            _ => "not-a-token",
        };
        var baseUrl = server == "origin" ? _stack.Origin.BaseUrl : _stack.Edges[1].BaseUrl;

        using var response = await _stack.Http.GetAsync($"{baseUrl}/t/{token}/titles/{id}/{version}/240p/index.m3u8");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(reason, body, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXTM3U", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_SameObjectWithTwoTokens_IsOneCacheEntry()
    {
        var (id, version) = await SampleAsync();
        var edge = _stack.Edges[1].BaseUrl;
        var path = $"/titles/{id}/{version}/360p/index.m3u8";
        var first = Tokens().Create(id, DateTimeOffset.UtcNow.AddHours(1));
        var second = Tokens().Create(id, DateTimeOffset.UtcNow.AddHours(2));
        Assert.NotEqual(first, second);

        using var a = await _stack.Http.GetAsync($"{edge}/t/{first}{path}");
        using var b = await _stack.Http.GetAsync($"{edge}/t/{second}{path}");

        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        Assert.Equal("l1_hit", b.Headers.GetValues("X-Cache").Single());
        Assert.Equal(await a.Content.ReadAsByteArrayAsync(), await b.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task WatchPage_PlaysWithSigningOn()
    {
        var (id, _) = await SampleAsync();
        await using var browser = await Chromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        var forbidden = 0;
        var signedFetches = 0;
        page.Response += (_, r) =>
        {
            if (r.Status == 403)
            {
                Interlocked.Increment(ref forbidden);
            }

            if (r.Url.Contains("/t/", StringComparison.Ordinal) && r.Status is 200 or 206)
            {
                Interlocked.Increment(ref signedFetches);
            }
        };

        await page.GotoAsync($"{_stack.Origin.BaseUrl}/watch/{id}");
        await Chromium.WaitForAsync(page, "document.getElementById('video').currentTime > 2", TimeSpan.FromSeconds(30));

        Assert.Equal(0, Volatile.Read(ref forbidden));
        Assert.True(Volatile.Read(ref signedFetches) > 0);
    }

    [GeneratedRegex(@"^(?<base>http://[^/]+)/t/(?<token>[A-Za-z0-9._-]+)/titles/(?<id>[a-z2-7]{12})/(?<rest>.+)$")]
    private static partial Regex SignedUrl();
}
