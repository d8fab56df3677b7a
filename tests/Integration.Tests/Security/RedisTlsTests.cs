using System.Net;
using System.Text.Json;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// A Redis as a careful operator runs it: TLS only (no plain port), client certificates required
/// (<c>tls-auth-clients yes</c>), a server certificate from a private CA, and an ACL user in place of the default
/// user. The origin and an edge connect with the CA, a client certificate and the ACL user's credentials; a service
/// given another CA is refused, and <c>/readyz</c> says it was the TLS handshake.
/// </summary>
public sealed class RedisTlsTests : IAsyncLifetime
{
    private const string AclUser = "vod-services";
    private const string AclPassword = "acl-secret-0123456789";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<ServiceProcess> _services = [];
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly TestCertificates _otherCa = TestCertificates.Create();
    private string _media = null!;
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _media = Directory.CreateTempSubdirectory("vod-redis-tls-").FullName;
        _redis = await RedisServer.StartAsync(AclPassword, AclUser, _certificates);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        await _redis.DisposeAsync();
        Directory.Delete(_media, recursive: true);
        _certificates.Dispose();
        _otherCa.Dispose();
    }

    private Dictionary<string, string> RedisSettings(TestCertificates trusted) => new()
    {
        ["Redis__Configuration"] = _redis.Configuration,
        ["Redis__User"] = AclUser,
        ["Redis__Password"] = AclPassword,
        ["Redis__CaCertificate"] = trusted.CaCertificate,
        ["Redis__ClientCertificate"] = _certificates.ClientCertificate,
        ["Redis__ClientKey"] = _certificates.ClientKey,
    };

    private async Task<ServiceProcess> StartAsync(string name, string service, Dictionary<string, string> environment)
    {
        var process = await ServiceProcess.StartAsync(name, service, environment);
        _services.Add(process);
        return process;
    }

    [Fact]
    public async Task TlsRedisWithAclUser_OriginAndEdgeConnectWithPrivateCaAndClientCertificate_EdgeJoinsTheFleet()
    {
        var origin = await StartAsync("origin", "Origin", new(RedisSettings(_certificates))
        {
            ["Media__Root"] = _media,
            ["Admin__Key"] = "redis-tls-admin-key-0123456789",
        });
        var edge = await StartAsync("edge-tls", "Edge", new(RedisSettings(_certificates))
        {
            ["Origin__BaseUrl"] = origin.BaseUrl,
            ["Edge__Id"] = "edge-tls",
        });

        // The edge's heartbeat reaches the origin only through the TLS Redis, as the ACL user.
        await Eventually.TrueAsync(async () =>
        {
            var fleet = await _http.GetStringAsync($"{origin.BaseUrl}/api/edges");
            return fleet.Contains("\"edge-tls\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15), "the edge never appeared in the fleet");
        using var originReady = await _http.GetAsync($"{origin.BaseUrl}/readyz");
        using var edgeReady = await _http.GetAsync($"{edge.BaseUrl}/readyz");

        Assert.Equal(HttpStatusCode.OK, originReady.StatusCode);
        Assert.Equal("Healthy", RedisStatus(await originReady.Content.ReadAsStringAsync()));
        Assert.Equal("Healthy", RedisStatus(await edgeReady.Content.ReadAsStringAsync()));
        Assert.DoesNotContain(AclPassword, origin.Log + edge.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsRedis_ServerCertificateFromAnotherCa_ReadyzNamesTheTlsHandshake()
    {
        var origin = await StartAsync("origin-wrong-ca", "Origin", new(RedisSettings(_otherCa))
        {
            ["Media__Root"] = _media,
            ["Admin__Key"] = "redis-tls-admin-key-0123456789",
        });

        using var ready = await _http.GetAsync($"{origin.BaseUrl}/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var report = await ready.Content.ReadAsStringAsync();
        Assert.True(report.Contains("TLS handshake", StringComparison.Ordinal), report);
        Assert.DoesNotContain("refused the credentials", report, StringComparison.Ordinal);
    }

    private static string? RedisStatus(string report) =>
        JsonDocument.Parse(report).RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString();
}
