using System.Net;
using Microsoft.Extensions.Options;
using Vod.Common.Security;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Key rotation on real processes: after the switch (origin and edges sign with the new key, the old one is the
/// previous key) a URL handed out before the rotation still plays through an edge, and once the grace period set by
/// <c>Playback:PreviousSigningKeyValidUntil</c> is over it is refused.
/// </summary>
public sealed class SigningKeyRotationTests : IAsyncLifetime
{
    private const string OldKey = "old-signing-key-0123456789abcdefghijk";
    private const string NewKey = "new-signing-key-0123456789abcdefghijk";
    private const string Title = "rotaterotate";
    private const string Playlist = $"/titles/{Title}/v1/r/index.m3u8";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<ServiceProcess> _services = [];
    private string _root = "";
    private RedisServer _redis = null!;
    private ServiceProcess _inGrace = null!;
    private ServiceProcess _pastGrace = null!;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("vod-rotation-").FullName;
        var dir = Path.Combine(_root, "titles", Title, "v1", "r");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "index.m3u8"), "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nmedia.mp4\n#EXT-X-ENDLIST\n");
        _redis = await RedisServer.StartAsync();
        var rotated = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = _redis.Configuration,
            ["Playback__SigningKey"] = NewKey,
            ["Playback__PreviousSigningKey"] = OldKey,
        };
        var origin = await ServiceProcess.StartAsync("origin", "Origin", new Dictionary<string, string>(rotated)
        {
            ["Media__Root"] = _root,
            ["Admin__Key"] = "rotation-admin-key-0123456789",
        });
        _services.Add(origin);
        _inGrace = await ServiceProcess.StartAsync("edge-grace", "Edge", new Dictionary<string, string>(rotated)
        {
            ["Origin__BaseUrl"] = origin.BaseUrl,
            ["Edge__Id"] = "edge-grace",
            ["Playback__PreviousSigningKeyValidUntil"] = DateTimeOffset.UtcNow.AddHours(1).ToString("O"),
        });
        _services.Add(_inGrace);
        _pastGrace = await ServiceProcess.StartAsync("edge-past", "Edge", new Dictionary<string, string>(rotated)
        {
            ["Origin__BaseUrl"] = origin.BaseUrl,
            ["Edge__Id"] = "edge-past",
            ["Playback__PreviousSigningKeyValidUntil"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
        });
        _services.Add(_pastGrace);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        await _redis.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static string Token(string key) =>
        new PlaybackTokens(Options.Create(new PlaybackOptions { SigningKey = key }), TimeProvider.System).Create(Title);

    private async Task<HttpStatusCode> GetAsync(ServiceProcess edge, string token)
    {
        using var response = await _http.GetAsync($"{edge.BaseUrl}/t/{token}{Playlist}");
        return response.StatusCode;
    }

    [Fact]
    public async Task OldToken_IsAcceptedDuringGrace_AndRefusedAfter_NewTokenAlways()
    {
        var old = Token(OldKey);
        var fresh = Token(NewKey);
        var foreign = Token("a-key-nobody-configured-0123456789abc");

        Assert.Equal(HttpStatusCode.OK, await GetAsync(_inGrace, old)); // fetched from the origin with a new-key token
        Assert.Equal(HttpStatusCode.OK, await GetAsync(_inGrace, fresh));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(_inGrace, foreign));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(_pastGrace, old));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(_pastGrace, fresh));
    }
}
