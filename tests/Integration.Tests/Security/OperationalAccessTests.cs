using System.Net;
using System.Text.Json;
using Vod.Integration.Tests.Infrastructure;
using Vod.Storage;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// An origin and an edge that believe <c>X-Forwarded-For</c> from 127.0.0.1 (<c>Proxy:KnownProxies</c>), so a test can
/// speak as a client on another host, as a load balancer on this one would forward it.
/// </summary>
public sealed class OperationalAccessFixture : IAsyncLifetime
{
    public LoneServices Services { get; private set; } = null!;
    public ServiceProcess Origin { get; private set; } = null!;
    public ServiceProcess Edge { get; private set; } = null!;
    public string MediaRoot { get; private set; } = "";

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(async () =>
    {
        Services = await LoneServices.StartAsync();
        (Origin, MediaRoot) = await Services.StartOriginAsync("origin-ops", new Dictionary<string, string>
        {
            ["Proxy__KnownProxies"] = "127.0.0.1",
            // Wrong keys are part of the table: they must not lock the other rows out.
            ["Admin__FailedAttemptsPerWindow"] = "1000",
        });
        Edge = await Services.StartEdgeAsync("edge-ops", Origin, new Dictionary<string, string> { ["Proxy__KnownProxies"] = "127.0.0.1" });
    });

    public async Task DisposeAsync()
    {
        if (Services is not null)
        {
            await Services.DisposeAsync();
        }
    }
}

/// <summary>
/// Operational endpoints (<c>/metrics</c>, <c>/api/edges</c>, <c>/readyz</c>'s details) answer loopback clients, the
/// admin key and the management listener only; forwarded headers are believed from known proxies only; <c>/readyz</c>
/// is cached, names no path and writes nothing per call.
/// </summary>
public sealed class OperationalAccessTests(OperationalAccessFixture fixture) : IClassFixture<OperationalAccessFixture>
{
    private const string Remote = "203.0.113.9";
    private const string WrongKey = "not-the-admin-key-0123456789";
    private readonly LoneServices _services = fixture.Services;

    public static TheoryData<string, string, string?, string?, HttpStatusCode> Requests => new()
    {
        { "origin", "/metrics", null, null, HttpStatusCode.OK },
        { "origin", "/metrics", Remote, null, HttpStatusCode.Unauthorized },
        { "origin", "/metrics", Remote, WrongKey, HttpStatusCode.Forbidden },
        { "origin", "/metrics", Remote, LoneServices.AdminKey, HttpStatusCode.OK },
        { "origin", "/api/edges", null, null, HttpStatusCode.OK },
        { "origin", "/api/edges", Remote, null, HttpStatusCode.Unauthorized },
        { "origin", "/api/edges", Remote, LoneServices.AdminKey, HttpStatusCode.OK },
        { "edge", "/metrics", null, null, HttpStatusCode.OK },
        { "edge", "/metrics", Remote, null, HttpStatusCode.Forbidden },
        { "edge", "/metrics", Remote, LoneServices.AdminKey, HttpStatusCode.Forbidden }, // an edge has no admin key
        // What players and load balancers need stays public.
        { "origin", "/healthz", Remote, null, HttpStatusCode.OK },
        { "origin", "/readyz", Remote, null, HttpStatusCode.OK },
        { "origin", "/api/origins", Remote, null, HttpStatusCode.OK },
        { "edge", "/readyz", Remote, null, HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task OperationalEndpoint_ByClient_ServedToLoopbackAndTheAdminKeyOnly(string service, string path, string? forwardedFor, string? key,
        HttpStatusCode expected)
    {
        var baseUrl = service == "edge" ? fixture.Edge.BaseUrl : fixture.Origin.BaseUrl;

        using var response = await _services.Http.SendAsync(LoneServices.Get(baseUrl + path, forwardedFor, key));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(expected == response.StatusCode, $"{service} {path}: {(int)response.StatusCode} {body}");
        if (!response.IsSuccessStatusCode)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("# TYPE", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", true)] // the proxy is known: each client it forwards has a lock-out of its own
    [InlineData("", false)] // no proxy configured: X-Forwarded-For is ignored, every request is 127.0.0.1's
    [InlineData("192.0.2.1", false)] // another proxy is known, not this peer: its header is ignored too
    public async Task AdminLockout_ForwardedClients_AreApartOnlyBehindAKnownProxy(string knownProxies, bool apart)
    {
        var settings = new Dictionary<string, string> { ["Admin__FailedAttemptsPerWindow"] = "2", ["Admin__FailedWindow"] = "00:05:00" };
        if (knownProxies.Length > 0)
        {
            settings["Proxy__KnownProxies"] = knownProxies;
        }

        var (origin, _) = await _services.StartOriginAsync($"origin-lockout-{(apart ? "apart" : "shared")}", settings);
        async Task<HttpStatusCode> CheckAsync(string client, string key)
        {
            using var response = await _services.Http.SendAsync(LoneServices.Get($"{origin.BaseUrl}/api/admin/check", client, key));
            return response.StatusCode;
        }

        var guesses = new[] { await CheckAsync("198.51.100.1", WrongKey), await CheckAsync("198.51.100.1", WrongKey) };
        var guesser = await CheckAsync("198.51.100.1", LoneServices.AdminKey);
        var other = await CheckAsync("198.51.100.2", LoneServices.AdminKey);

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], guesses);
        Assert.Equal(HttpStatusCode.TooManyRequests, guesser);
        Assert.Equal(apart ? HttpStatusCode.NoContent : HttpStatusCode.TooManyRequests, other);
    }

    [Fact]
    public async Task Metrics_ForwardedForFromAPeerThatIsNoKnownProxy_IsIgnored()
    {
        var edge = await _services.StartEdgeAsync("edge-untrusting", fixture.Origin, new Dictionary<string, string> { ["Proxy__KnownProxies"] = "192.0.2.1" });

        using var response = await _services.Http.SendAsync(LoneServices.Get(edge.BaseUrl + "/metrics", Remote));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // still the loopback client it really is
    }

    [Fact]
    public async Task ManagementListener_Configured_ServesOperationalEndpointsThereAndTheKeyElsewhere()
    {
        var port = FreePort.Next();
        var management = $"http://127.0.0.1:{port}";
        var (origin, root) = await _services.StartOriginAsync("origin-management", new Dictionary<string, string> { ["Management__Urls"] = management });
        Assert.NotEqual(management, origin.BaseUrl); // the public listener is still the first (the announced one)

        async Task<(HttpStatusCode Status, string Body)> GetAsync(string url, string? key = null)
        {
            using var response = await _services.Http.SendAsync(LoneServices.Get(url, key: key));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(origin.BaseUrl + "/metrics")).Status); // loopback is not enough now
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(origin.BaseUrl + "/api/edges")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(origin.BaseUrl + "/metrics", LoneServices.AdminKey)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(management + "/metrics")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(management + "/api/edges")).Status);
        var publicReady = await GetAsync(origin.BaseUrl + "/readyz");
        var managementReady = await GetAsync(management + "/readyz");
        Assert.False(HasChecks(publicReady.Body), publicReady.Body);
        Assert.True(HasChecks(managementReady.Body), managementReady.Body);
        Assert.DoesNotContain(root, managementReady.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(Remote, null, false)]
    [InlineData(Remote, WrongKey, false)]
    [InlineData(Remote, LoneServices.AdminKey, true)]
    public async Task Readyz_ByClient_DetailsForOperatorsOnly_AndNeverThePath(string? forwardedFor, string? key, bool detailed)
    {
        using var response = await _services.Http.SendAsync(LoneServices.Get(fixture.Origin.BaseUrl + "/readyz", forwardedFor, key));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(detailed, HasChecks(body));
        Assert.StartsWith("{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.MediaRoot, body, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetFileName(fixture.MediaRoot), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_ManyCalls_WriteNothingToTheMediaStore()
    {
        var url = fixture.Origin.BaseUrl + "/readyz";
        (await _services.Http.GetAsync(url)).Dispose(); // the first check may create the probe file once
        var uploads = Path.Combine(fixture.MediaRoot, "uploads");
        var before = Snapshot(fixture.MediaRoot);
        var uploadsWrittenAt = Directory.GetLastWriteTimeUtc(uploads);

        // Over two seconds, so that the cached report runs its checks again twice.
        for (var i = 0; i < 12; i++)
        {
            using var response = await _services.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Task.Delay(200);
        }

        Assert.Equal(before, Snapshot(fixture.MediaRoot));
        Assert.Equal(uploadsWrittenAt, Directory.GetLastWriteTimeUtc(uploads)); // no file created or removed there
    }

    /// <summary>
    /// While Redis is unreachable the check used to open a diagnostic connection per call: a flood of probes was a flood
    /// of connections. Cached for a second, concurrent calls share one run.
    /// </summary>
    [Fact]
    public async Task Readyz_RedisDownAndManyConcurrentCalls_OpensAtMostAFewConnections()
    {
        await using var deadRedis = new ConnectionCounter(); // accepts and drops: a Redis that never answers
        var (origin, _) = await _services.StartOriginAsync("origin-no-redis", redisConfiguration: $"127.0.0.1:{deadRedis.Port}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var before = deadRedis.Connections;

        // 40 calls at once: one connection per call (the old behaviour) is 40; shared, cached runs plus the client's own
        // reconnects stay near ten even when a loaded box stretches the calls over several seconds.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await _services.Http.GetAsync(origin.BaseUrl + "/readyz");
            return response.StatusCode;
        }));

        var opened = deadRedis.Connections - before;
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.True(opened < 20, $"{opened} connections for 40 calls");
    }

    private static bool HasChecks(string body) => JsonDocument.Parse(body).RootElement.TryGetProperty("checks", out _);

    private static string Snapshot(string root) => string.Join('\n', Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(p => $"{p} {(File.Exists(p) ? new FileInfo(p).Length : -1)}"));
}
