using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Security;
using Vod.Integration.Tests.Infrastructure;
using Vod.Storage;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// An origin with signed playback, a ready title with files, a queued one and a failed one whose error names a server
/// path, all written straight into its media store.
/// </summary>
public sealed class CatalogExposureFixture : IAsyncLifetime
{
    public const string ServerPath = "/srv/vod-secret/uploads/source.mp4";
    public LoneServices Services { get; private set; } = null!;
    public ServiceProcess Origin { get; private set; } = null!;
    public LocalMediaStore Store { get; private set; } = null!;
    public string Ready { get; } = TitleId.New();
    public string Queued { get; } = TitleId.New();
    public string Failed { get; } = TitleId.New();

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(async () =>
    {
        Services = await LoneServices.StartAsync();
        (Origin, var root) = await Services.StartOriginAsync("origin-catalog", new Dictionary<string, string>
        {
            ["Playback__SigningKey"] = LoneServices.SigningKey,
            ["Proxy__KnownProxies"] = "127.0.0.1",
        });
        Store = new LocalMediaStore(root);
        await WriteTitlesAsync();
        var rendition = Path.Combine(Store.TitleDirectory(Ready), "v1", "360p");
        Directory.CreateDirectory(rendition);
        await File.WriteAllTextAsync(Path.Combine(rendition, "index.m3u8"), "#EXTM3U\n#EXT-X-ENDLIST\n");
        await File.WriteAllBytesAsync(Path.Combine(rendition, "seg1.m4s"), new byte[4096]);
    });

    /// <summary>Writes the three titles (again: with a new UpdatedAt, so the event feed sends them anew).</summary>
    public async Task WriteTitlesAsync()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (id, status) in new[] { (Ready, TitleStatus.Ready), (Queued, TitleStatus.Queued), (Failed, TitleStatus.Failed) })
        {
            await Store.WriteTitleAsync(new Title
            {
                Id = id,
                Name = $"a {status} title",
                Status = status,
                Error = status == TitleStatus.Failed ? $"ffmpeg could not read {ServerPath}" : null,
                CreatedAt = now,
                UpdatedAt = now,
                Source = $"{id}.mp4",
                Version = status == TitleStatus.Ready ? "v1" : null,
            });
        }
    }

    public async Task DisposeAsync()
    {
        if (Services is not null)
        {
            await Services.DisposeAsync();
        }
    }
}

/// <summary>
/// What anonymous readers of the catalog, its event feed and signed media may learn and keep: ready titles only, no
/// error texts, a capped number of event streams, and signed answers no shared cache keeps past the token.
/// </summary>
public sealed class CatalogExposureTests(CatalogExposureFixture fixture) : IClassFixture<CatalogExposureFixture>
{
    private readonly LoneServices _services = fixture.Services;

    [Theory]
    [InlineData(null, false)]
    [InlineData(LoneServices.AdminKey, true)]
    public async Task ListTitles_ByReader_AnonymousSeesReadyTitlesOnlyWithoutErrors(string? key, bool admin)
    {
        using var response = await _services.Http.SendAsync(LoneServices.Get(fixture.Origin.BaseUrl + "/api/titles", key: key));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = JsonDocument.Parse(body).RootElement.EnumerateArray().Select(t => t.GetProperty("id").GetString()!).Order(StringComparer.Ordinal);
        string[] expected = admin ? [fixture.Ready, fixture.Queued, fixture.Failed] : [fixture.Ready];
        Assert.Equal(expected.Order(StringComparer.Ordinal), ids);
        Assert.Equal(admin, body.Contains(CatalogExposureFixture.ServerPath, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ready", null, HttpStatusCode.OK)]
    [InlineData("queued", null, HttpStatusCode.NotFound)]
    [InlineData("failed", null, HttpStatusCode.NotFound)]
    [InlineData("failed", "not-the-admin-key-0123456789", HttpStatusCode.Forbidden)]
    [InlineData("queued", LoneServices.AdminKey, HttpStatusCode.OK)]
    [InlineData("failed", LoneServices.AdminKey, HttpStatusCode.OK)]
    public async Task GetTitle_ByStatusAndReader_AnonymousSeesReadyTitlesOnly(string which, string? key, HttpStatusCode expected)
    {
        var id = which switch { "ready" => fixture.Ready, "queued" => fixture.Queued, _ => fixture.Failed };

        using var response = await _services.Http.SendAsync(LoneServices.Get($"{fixture.Origin.BaseUrl}/api/titles/{id}", key: key));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(which == "failed" && expected == HttpStatusCode.OK, body.Contains(CatalogExposureFixture.ServerPath, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_Anonymous_HearOfReadyTitlesOnly_AdminOfAll()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var anonymous = new List<string>();
        var admin = new List<string>();
        var readers = new[] { ReadEventsAsync(null, anonymous, stop.Token), ReadEventsAsync(LoneServices.AdminKey, admin, stop.Token) };
        await Eventually.TrueAsync(() => Count(anonymous) > 0 && Count(admin) > 0, TimeSpan.FromSeconds(10), "the streams did not open");

        await fixture.WriteTitlesAsync();
        await Eventually.TrueAsync(() => Snapshot(admin).Count(e => e.StartsWith("title ", StringComparison.Ordinal)) >= 3, TimeSpan.FromSeconds(10),
            "the admin stream did not get the three titles");
        await Task.Delay(700); // a tick more for the anonymous stream, which the same tick fed
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        var heard = Snapshot(anonymous).Where(e => e.StartsWith("title ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(heard);
        Assert.All(heard, e => Assert.Contains(fixture.Ready, e, StringComparison.Ordinal));
        Assert.DoesNotContain(Snapshot(anonymous), e => e.Contains(fixture.Queued, StringComparison.Ordinal) || e.Contains(fixture.Failed, StringComparison.Ordinal));
        Assert.Contains(Snapshot(admin), e => e.Contains(CatalogExposureFixture.ServerPath, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_PastTheCaps_Are429PerClientAnd503Overall_WithRetryAfter()
    {
        var (origin, _) = await _services.StartOriginAsync("origin-events-caps", new Dictionary<string, string>
        {
            ["Proxy__KnownProxies"] = "127.0.0.1",
            ["Events__MaxPerClient"] = "2",
            ["Events__MaxConnections"] = "3",
        });
        var open = new List<HttpResponseMessage>();
        async Task<HttpResponseMessage> OpenAsync(string client)
        {
            var response = await _services.Http.SendAsync(LoneServices.Get($"{origin.BaseUrl}/api/titles/events", client), HttpCompletionOption.ResponseHeadersRead);
            if (response.IsSuccessStatusCode)
            {
                open.Add(response);
            }

            return response;
        }

        try
        {
            var first = await OpenAsync("198.51.100.1");
            await OpenAsync("198.51.100.1");
            using var thirdOfOne = await OpenAsync("198.51.100.1");
            await OpenAsync("198.51.100.2");
            using var oneTooMany = await OpenAsync("198.51.100.3");

            Assert.Equal(3, open.Count);
            Assert.Equal(HttpStatusCode.TooManyRequests, thirdOfOne.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, oneTooMany.StatusCode);
            Assert.All(new[] { thirdOfOne, oneTooMany }, r => Assert.NotNull(r.Headers.RetryAfter));

            // A stream that ends frees its place.
            first.Dispose();
            await Eventually.TrueAsync(async () =>
            {
                using var again = await OpenAsync("198.51.100.1");
                return again.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(10), "the closed stream's place was not freed");
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task SignedMedia_CacheControl_IsPrivateAndEndsWithTheToken()
    {
        var token = Tokens().Create(fixture.Ready, DateTimeOffset.UtcNow.AddMinutes(10));
        var signed = $"{fixture.Origin.BaseUrl}/t/{token}/titles/{fixture.Ready}/v1/360p";

        using var segment = await _services.Http.GetAsync($"{signed}/seg1.m4s");
        using var playlist = await _services.Http.GetAsync($"{signed}/index.m3u8");

        Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
        var segmentCache = segment.Headers.CacheControl!;
        Assert.True(segmentCache.Private, segmentCache.ToString());
        Assert.False(segmentCache.Public);
        Assert.DoesNotContain("immutable", segmentCache.ToString(), StringComparison.Ordinal);
        Assert.InRange(segmentCache.MaxAge!.Value, TimeSpan.FromSeconds(540), TimeSpan.FromSeconds(600));
        Assert.True(playlist.Headers.CacheControl!.Private);
        Assert.InRange(playlist.Headers.CacheControl.MaxAge!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(0, HttpStatusCode.OK)]
    [InlineData(1, HttpStatusCode.Forbidden)]
    [InlineData(2, HttpStatusCode.Forbidden)]
    [InlineData(3, HttpStatusCode.Forbidden)]
    public async Task SignedMedia_TokenRespelledInItsUnusedBits_Is403(int unusedBits, HttpStatusCode expected)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var token = Tokens().Create(fixture.Ready);
        var respelled = token[..^1] + Alphabet[Alphabet.IndexOf(token[^1], StringComparison.Ordinal) ^ unusedBits];

        using var response = await _services.Http.GetAsync($"{fixture.Origin.BaseUrl}/t/{respelled}/titles/{fixture.Ready}/v1/360p/seg1.m4s");

        Assert.Equal(expected, response.StatusCode);
    }

    private static PlaybackTokens Tokens() =>
        new(Options.Create(new PlaybackOptions { SigningKey = LoneServices.SigningKey }), TimeProvider.System);

    /// <summary>Reads the event feed as anonymous or admin into <paramref name="events"/> (<c>type data</c>) until stopped.</summary>
    private async Task ReadEventsAsync(string? key, List<string> events, CancellationToken stop)
    {
        try
        {
            using var response = await _services.Http.SendAsync(LoneServices.Get($"{fixture.Origin.BaseUrl}/api/titles/events", key: key),
                HttpCompletionOption.ResponseHeadersRead, stop);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(stop);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(stop))
            {
                lock (events)
                {
                    events.Add($"{item.EventType} {item.Data}");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static int Count(List<string> events)
    {
        lock (events)
        {
            return events.Count;
        }
    }

    private static List<string> Snapshot(List<string> events)
    {
        lock (events)
        {
            return [.. events];
        }
    }
}
