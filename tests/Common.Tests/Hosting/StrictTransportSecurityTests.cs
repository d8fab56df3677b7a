using System.Net;

namespace Vod.Common.Tests.Hosting;

[Collection(TlsServerGroup.Name)]
public sealed class StrictTransportSecurityTests(TlsServerFixture fixture)
{
    private readonly TlsServer _server = fixture.Server;

    [Theory]
    [InlineData("/protocol", "1.1")]
    [InlineData("/protocol", "2.0")]
    [InlineData("/no-such-page", "1.1")]
    public async Task Https_EveryAnswer_CarriesTheConfiguredMaxAge(string path, string version)
    {
        using var client = _server.Client();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri($"https://localhost:{_server.HttpsPort}{path}"))
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        Assert.Equal([$"max-age={TlsServer.HstsSeconds}"], response.Headers.GetValues("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Http_Answer_HasNoHeader()
    {
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{_server.HttpPort}/protocol"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Https_HstsMaxAgeZero_SendsNoHeader()
    {
        await using var server = await TlsServer.StartAsync(TimeSpan.Zero);
        using var client = server.Client();

        using var response = await client.GetAsync(new Uri($"https://localhost:{server.HttpsPort}/protocol"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
