using System.Net;
using System.Net.Http.Headers;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Tls;

/// <summary>
/// The origin and the edges on HTTPS (<c>Tls:CertificatePath</c>/<c>KeyPath</c>), the edges filling from the origin
/// over HTTPS (<c>Tls:CaFile</c>), seen by a client that trusts only the test authority: ALPN agrees on HTTP/2 or
/// HTTP/1.1 as the client asks, and ranges, conditionals and signed paths behave over HTTP/2 as they do over plain HTTP.
/// </summary>
[Collection(TlsStackDefinition.Name)]
public sealed class HttpsTests(TlsStackFixture fixture)
{
    private static readonly Version Http2 = HttpVersion.Version20;
    private readonly StackFixture _stack = fixture.Stack;

    private string Edge(int i, string path) => _stack.Edges[i].BaseUrl + fixture.SignedPath(path);

    [Theory]
    [InlineData("edge", "2.0")]
    [InlineData("edge", "1.1")]
    [InlineData("origin", "2.0")]
    [InlineData("origin", "1.1")]
    public async Task Get_OverHttps_AnswersInTheProtocolAlpnAgreed(string server, string version)
    {
        var baseUrl = server == "origin" ? _stack.Origin.BaseUrl : _stack.Edges[0].BaseUrl;
        Assert.StartsWith("https://", baseUrl, StringComparison.Ordinal);

        using var response = await SendAsync(baseUrl + fixture.SignedPath(TlsStackFixture.PlaylistPath), Version.Parse(version));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
        Assert.Equal(TlsStackFixture.Playlist, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Range_OverHttp2_Is206WithTheBytesOfTheWholeFile()
    {
        var url = Edge(0, TlsStackFixture.MediaPath);
        using var whole = await SendAsync(url, Http2);
        var bytes = await whole.Content.ReadAsByteArrayAsync();
        Assert.Equal(fixture.Media, bytes);

        using var part = await SendAsync(url, Http2, r => r.Headers.Range = new RangeHeaderValue(200_000, 600_000));

        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(Http2, part.Version);
        Assert.Equal($"bytes 200000-600000/{bytes.Length}", part.Content.Headers.ContentRange?.ToString());
        Assert.Equal(bytes[200_000..600_001], await part.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Conditionals_OverHttp2_ETagIs304_WrongIfRangeIsTheWhole200()
    {
        var url = Edge(1, TlsStackFixture.MediaPath);
        using var first = await SendAsync(url, Http2, r => r.Headers.Range = new RangeHeaderValue(0, 99));
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var notModified = await SendAsync(url, Http2, r => r.Headers.IfNoneMatch.Add(etag));
        using var wrongIfRange = await SendAsync(url, Http2, r =>
        {
            r.Headers.Range = new RangeHeaderValue(0, 99);
            r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"not-this-one\""));
        });
        using var rightIfRange = await SendAsync(url, Http2, r =>
        {
            r.Headers.Range = new RangeHeaderValue(0, 99);
            r.Headers.IfRange = new RangeConditionHeaderValue(etag);
        });

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(Http2, notModified.Version);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, wrongIfRange.StatusCode);
        Assert.Equal(fixture.Media, await wrongIfRange.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.PartialContent, rightIfRange.StatusCode);
        Assert.Equal(fixture.Media[..100], await rightIfRange.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_OverHttp2_UnsignedIs403_SignedIsServed()
    {
        var edge = _stack.Edges[0].BaseUrl;

        using var unsigned = await SendAsync(edge + TlsStackFixture.PlaylistPath, Http2);
        using var signed = await SendAsync(edge + fixture.SignedPath(TlsStackFixture.PlaylistPath), Http2);

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(Http2, unsigned.Version);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(Http2, signed.Version);
    }

    /// <summary>
    /// A body of many full TLS records (and, on HTTP/2, many DATA frames past the flow-control windows) arrives whole: the
    /// connection middleware that gathers Kestrel's writes into full records loses and reorders nothing.
    /// </summary>
    [Theory]
    [InlineData("edge-2", "2.0")]
    [InlineData("edge-2", "1.1")]
    [InlineData("origin", "2.0")]
    public async Task Get_WholeRenditionOverHttps_ArrivesCompleteAndByteEqual(string server, string version)
    {
        var baseUrl = server == "origin" ? _stack.Origin.BaseUrl : _stack.Edges.Single(e => e.Name == server).BaseUrl;

        using var response = await SendAsync(baseUrl + fixture.SignedPath(TlsStackFixture.MediaPath), Version.Parse(version));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
        Assert.Equal(fixture.Media.Length, response.Content.Headers.ContentLength);
        Assert.Equal(fixture.Media, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task OriginAnswers_OverHttpsCarryHsts_OverPlainHttpNot()
    {
        var plainUrl = _stack.Origin.Addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal));
        // A page, a health check, signed media, refused media and a path that is nothing: every answer over HTTPS.
        string[] paths = ["/", "/healthz", fixture.SignedPath(TlsStackFixture.PlaylistPath), TlsStackFixture.PlaylistPath, "/no-such-page"];

        foreach (var path in paths)
        {
            using var secure = await SendAsync(_stack.Origin.BaseUrl + path, Http2);
            using var plain = await _stack.Http.GetAsync(plainUrl + path);

            Assert.True(secure.Headers.TryGetValues("Strict-Transport-Security", out var hsts), $"no HSTS on {path} ({(int)secure.StatusCode})");
            Assert.Equal(TlsStackFixture.Hsts, Assert.Single(hsts));
            Assert.Equal(secure.StatusCode, plain.StatusCode);
            Assert.False(plain.Headers.Contains("Strict-Transport-Security"), $"HSTS sent over plain HTTP on {path}");
        }
    }

    [Fact]
    public async Task Edge_HttpsUrlWithoutCertificate_ExitsNamingTlsCertificatePath()
    {
        var environment = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = _stack.RedisConfiguration,
            ["Origin__BaseUrl"] = _stack.Origin.BaseUrl,
            ["Edge__Id"] = "edge-no-certificate",
            ["Playback__SigningKey"] = TlsStackFixture.SigningKey,
            ["Tls__CaFile"] = fixture.Certificates.CaCertificate,
        };

        var (exitCode, output) = await ServiceProcess.RunToExitAsync("Edge", environment, "https://127.0.0.1:0", TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Tls:CertificatePath", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", output, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendAsync(string url, Version version, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        configure?.Invoke(request);
        return await _stack.Http.SendAsync(request);
    }
}
