using System.Net;
using Microsoft.Extensions.Options;
using Vod.Common.Security;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Hostile requests to an edge (a real edge process in front of a counting origin): what each may cost the origin, and
/// what the answer may reveal. Each case asserts the origin's request count, not only the status.
/// </summary>
public sealed class EdgeAbuseTests
{
    private const string SigningKey = "edge-abuse-signing-key-0123456789abcdef";

    [Fact]
    public async Task OneByteRange_FetchesItsSliceOnly_WhileAPlayersRangeStillReadsAhead()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1);

        using (var probe = await fleet.GetAsync(0, EdgeFleet.MediaPath, 0, 0))
        {
            Assert.Equal(HttpStatusCode.PartialContent, probe.StatusCode);
        }

        await Task.Delay(500); // read-ahead, if any, would be under way
        Assert.Single(fleet.Origin.RangeGets(EdgeFleet.MediaPath));

        var from = 2L * EdgeFleet.SliceBytes;
        using (var segment = await fleet.GetAsync(0, EdgeFleet.MediaPath, from, from + (256 * 1024) - 1))
        {
            Assert.Equal(HttpStatusCode.PartialContent, segment.StatusCode);
        }

        for (var i = 0; i < 100 && fleet.Origin.RangeGets(EdgeFleet.MediaPath).Count < 3; i++)
        {
            await Task.Delay(50);
        }

        Assert.True(fleet.Origin.RangeGets(EdgeFleet.MediaPath).Count >= 3, "a player's range starts read-ahead of the next slices");
    }

    [Theory]
    [InlineData("title.json")]
    [InlineData("notes.txt")]
    [InlineData("media.mp4.bak")]
    [InlineData("index.m3u8~")]
    [InlineData("media")]
    public async Task NameThatCannotBeHlsMedia_IsA404AtTheEdge_WithoutAskingTheOrigin(string name)
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1);

        using var response = await fleet.GetAsync(0, $"/titles/{EdgeFleet.TitleId}/v1/r/{name}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(fleet.Origin.Requests, r => r.Path.StartsWith("/titles", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RepeatedRequestsForAMissingObject_AskTheOriginOnce()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1);
        var missing = $"/titles/{EdgeFleet.TitleId}/v1/r/seg-999.m4s";

        for (var i = 0; i < 5; i++)
        {
            using var response = await fleet.GetAsync(0, missing);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Single(fleet.Origin.Requests, r => r.Path == missing);
    }

    [Fact]
    public async Task FloodOfDistinctMisses_AtMostTheFillLimitReachesTheOrigin_TheRestAre503()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1, settings: new Dictionary<string, string>
        {
            ["Cache__MaxConcurrentFills"] = "4",
            ["Cache__MaxWait"] = "00:00:02",
        });
        fleet.Origin.Hung = true;

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await fleet.GetAsync(0, $"/titles/{EdgeFleet.TitleId}/v1/r/flood-{i}.m4s");
            return (response.StatusCode, response.Headers.RetryAfter);
        }));

        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.GatewayTimeout));
        Assert.Equal(36, responses.Count(r => r.StatusCode == HttpStatusCode.ServiceUnavailable && r.RetryAfter is not null));
        Assert.Equal(4, fleet.Origin.Requests.Count(r => r.Path.StartsWith("/titles", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(EdgeFleet.MediaPath, 60)]
    [InlineData(EdgeFleet.PlaylistPath, 1)]
    public async Task SignedAnswers_ArePrivate_AndFreshNoLongerThanTheTokenOrTheObject(string path, int maxAge)
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1, settings: new Dictionary<string, string> { ["Playback__SigningKey"] = SigningKey });
        var tokens = new PlaybackTokens(Options.Create(new PlaybackOptions { SigningKey = SigningKey }), TimeProvider.System);
        var signed = $"{PlaybackTokens.PathPrefix}/{tokens.Create(EdgeFleet.TitleId, DateTimeOffset.UtcNow.AddSeconds(60))}{path}";

        for (var i = 0; i < 2; i++) // a miss, then a hit
        {
            using var response = await fleet.GetAsync(0, signed, 0, 99);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            var cacheControl = response.Headers.CacheControl!;
            Assert.True(cacheControl.Private, cacheControl.ToString());
            Assert.False(cacheControl.Public, cacheControl.ToString());
            Assert.DoesNotContain("immutable", cacheControl.ToString(), StringComparison.Ordinal);
            Assert.InRange(cacheControl.MaxAge!.Value.TotalSeconds, 0, maxAge);
        }
    }

    [Fact]
    public async Task OriginTimesOutOnASignedFetch_NeitherTheAnswerNorTheLogCarriesAToken()
    {
        await using var fleet = await EdgeFleet.StartAsync(edges: 1, settings: new Dictionary<string, string>
        {
            ["Playback__SigningKey"] = SigningKey,
            ["Origin__RequestTimeout"] = "00:00:01",
            ["Cache__MaxWait"] = "00:00:05",
        });
        fleet.Origin.Hung = true;
        var tokens = new PlaybackTokens(Options.Create(new PlaybackOptions { SigningKey = SigningKey }), TimeProvider.System);

        using var response = await fleet.GetAsync(0, $"{PlaybackTokens.PathPrefix}/{tokens.Create(EdgeFleet.TitleId)}{EdgeFleet.MediaPath}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains(fleet.Origin.Requests, r => r.Path.StartsWith(PlaybackTokens.PathPrefix + "/", StringComparison.Ordinal)); // the edge did sign its fetch
        Assert.DoesNotContain(PlaybackTokens.PathPrefix + "/", body, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.Contains("Origin failed for /titles/", fleet.Edges[0].Log, StringComparison.Ordinal); // logged, by its unsigned path
        Assert.DoesNotContain(PlaybackTokens.PathPrefix + "/", fleet.Edges[0].Log, StringComparison.Ordinal);
    }
}
