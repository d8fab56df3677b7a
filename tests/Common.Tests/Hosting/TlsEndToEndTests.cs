using System.Net;
using System.Security.Authentication;
using Vod.ServiceDefaults.Tls;

namespace Vod.Common.Tests.Hosting;

/// <summary>The service's HTTPS listener end to end, through a client that trusts <c>Tls:CaFile</c> as services do.</summary>
[Collection(TlsServerGroup.Name)]
public sealed class TlsEndToEndTests(TlsServerFixture fixture)
{
    private readonly TlsServer _server = fixture.Server;

    private Uri Https(string path, int? port = null) => new($"https://localhost:{port ?? _server.HttpsPort}{path}");

    private static HttpRequestMessage Get(Uri url, Version version) => new(HttpMethod.Get, url)
    {
        Version = version,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    [Theory]
    [InlineData("2.0", "HTTP/2")]
    [InlineData("1.1", "HTTP/1.1")]
    public async Task Get_AskedVersion_IsNegotiatedByAlpn(string version, string protocol)
    {
        using var client = _server.Client();

        using var response = await client.SendAsync(Get(Https("/protocol"), Version.Parse(version)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
        Assert.Equal($"{protocol} https", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("2.0", 5 * 1024 * 1024 + 7, 100_000)]
    [InlineData("1.1", 5 * 1024 * 1024 + 7, 100_000)]
    [InlineData("2.0", 3 * 1024 * 1024, 1_000_000)]
    [InlineData("1.1", 3 * 1024 * 1024, 1_000_000)]
    [InlineData("1.1", 100_000, 1)] // one byte per write: many small flushes through the large buffers
    public async Task Get_LargeBody_ArrivesByteEqual(string version, int length, int piece)
    {
        using var client = _server.Client();

        using var response = await client.SendAsync(Get(Https($"/bytes/{length}?piece={piece}"), Version.Parse(version)));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(Version.Parse(version), response.Version);
        Assert.Equal(length, body.Length);
        Assert.True(body.AsSpan().SequenceEqual(TlsServer.Payload.AsSpan(0, length)), "the body differs from what the app wrote");
    }

    [Fact]
    public async Task Get_ManyConcurrentStreamsOnOneHttp2Connection_AllArriveByteEqual()
    {
        using var client = _server.Client();
        var lengths = Enumerable.Range(0, 12).Select(i => 40_000 + i * 37_123).ToList();

        var bodies = await Task.WhenAll(lengths.Select(async length =>
        {
            using var response = await client.SendAsync(Get(Https($"/bytes/{length}?piece=17000"), HttpVersion.Version20));
            return await response.Content.ReadAsByteArrayAsync();
        }));

        for (var i = 0; i < lengths.Count; i++)
        {
            Assert.True(bodies[i].AsSpan().SequenceEqual(TlsServer.Payload.AsSpan(0, lengths[i])), $"body {i} ({lengths[i]} bytes) differs");
        }
    }

    [Fact]
    public async Task Get_PlainHttpUrl_IsServedWithoutTls()
    {
        using var client = new HttpClient();

        var answer = await client.GetStringAsync(new Uri($"http://127.0.0.1:{_server.HttpPort}/protocol"));

        Assert.Equal("HTTP/1.1 http", answer);
    }

    [Fact]
    public async Task OutboundTrust_CertificateOfTheCaFile_ChainsThroughTheSentIntermediate()
    {
        using var client = _server.Client();

        using var response = await client.GetAsync(Https("/protocol"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void OutboundTrust_NoCaFileSetting_LeavesTheSystemsValidationAlone()
    {
        using var handler = new SocketsHttpHandler();

        Assert.Same(handler, handler.TrustingCaFile(new TlsOptions()));
        Assert.Null(handler.SslOptions.RemoteCertificateValidationCallback);
    }

    [Fact]
    public async Task OutboundTrust_NoCaFile_RefusesTheServiceCertificate()
    {
        using var client = _server.Client(trustCaFile: false);

        await AssertRefusedAsync(client, Https("/protocol"));
    }

    [Fact]
    public async Task OutboundTrust_CertificateOfAnotherAuthority_IsRefused()
    {
        using var client = _server.Client();

        await AssertRefusedAsync(client, Https("/protocol", _server.StrangerPort));
    }

    [Fact]
    public async Task OutboundTrust_TrustedAuthorityButAnotherHostName_IsRefused()
    {
        using var client = _server.Client();

        await AssertRefusedAsync(client, Https("/protocol", _server.OtherNamePort));
    }

    [Fact]
    public async Task OutboundTrust_TrustedCertificateOnTheListenerWithoutLargeWrites_IsAccepted()
    {
        using var client = _server.Client();

        var answer = await client.GetStringAsync(Https("/protocol", _server.PlainTlsPort));

        Assert.Equal("HTTP/1.1 https", answer);
    }

    [Fact]
    public async Task Renewal_AfterReload_NewConnectionsGetTheNewCertificateAndOpenOnesCarryOn()
    {
        await using var server = await TlsServer.StartAsync(TimeSpan.Zero);
        using var client = server.Client();
        var url = new Uri($"https://localhost:{server.HttpsPort}/bytes/200000");
        using var before = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version20 });
        Assert.Equal(server.Leaf.Thumbprint, await TlsServer.PresentedThumbprintAsync(server.HttpsPort));

        var renewed = server.Renew();

        Assert.Equal(renewed.Thumbprint, await TlsServer.PresentedThumbprintAsync(server.HttpsPort));
        using var after = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version20 });
        Assert.True((await after.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(TlsServer.Payload.AsSpan(0, 200_000)));
        using var fresh = server.Client();
        Assert.Equal("HTTP/1.1 https", await fresh.GetStringAsync(new Uri($"https://localhost:{server.HttpsPort}/protocol")));
    }

    private static async Task AssertRefusedAsync(HttpClient client, Uri url)
    {
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(url));

        Assert.IsType<AuthenticationException>(e.InnerException);
    }
}
