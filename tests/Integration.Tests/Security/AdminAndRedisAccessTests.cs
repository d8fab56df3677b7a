using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Access control that needs its own processes: admin rate limits set low on a dedicated origin, and a Redis that
/// requires a password (the origin and an edge authenticate; a wrong password is named by <c>/readyz</c>).
/// </summary>
public sealed class AdminAndRedisAccessTests : IAsyncLifetime
{
    private const string AdminKey = "rate-limit-admin-key-0123456789";
    private const string RedisPassword = "redis-secret-0123456789";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<ServiceProcess> _services = [];
    private readonly List<string> _roots = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync(RedisPassword);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        await _redis.DisposeAsync();
        foreach (var root in _roots)
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<ServiceProcess> StartOriginAsync(Dictionary<string, string> settings)
    {
        var root = Directory.CreateTempSubdirectory("vod-access-").FullName;
        _roots.Add(root);
        var environment = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = _redis.Configuration,
            ["Redis__Password"] = RedisPassword,
            ["Media__Root"] = root,
            ["Admin__Key"] = AdminKey,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var origin = await ServiceProcess.StartAsync("origin", "Origin", environment);
        _services.Add(origin);
        return origin;
    }

    private async Task<HttpResponseMessage> CheckAsync(ServiceProcess origin, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{origin.BaseUrl}/api/admin/check");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task WrongKeys_PastTheLimit_LockTheAddressOutWith429_AndNoKeyIsLogged()
    {
        var origin = await StartOriginAsync(new() { ["Admin__FailedAttemptsPerWindow"] = "3", ["Admin__FailedWindow"] = "00:02:00" });
        var wrongKeys = Enumerable.Range(0, 4).Select(i => $"guess-{i}-0123456789abcdef").ToArray();

        var statuses = new List<HttpStatusCode>();
        foreach (var key in wrongKeys)
        {
            using var response = await CheckAsync(origin, key);
            statuses.Add(response.StatusCode);
        }

        using var rightKeyWhileLocked = await CheckAsync(origin, AdminKey);

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightKeyWhileLocked.StatusCode);
        Assert.InRange(int.Parse(rightKeyWhileLocked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 120);
        Assert.Equal("application/problem+json", rightKeyWhileLocked.Content.Headers.ContentType?.MediaType);
        Assert.Contains("too many wrong admin keys", await rightKeyWhileLocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var log = origin.Log;
        Assert.DoesNotContain(AdminKey, log, StringComparison.Ordinal);
        Assert.All(wrongKeys, k => Assert.DoesNotContain(k, log, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminRequests_PastTheLimit_Are429WithRetryAfter_WhileReadersAreNotLimited()
    {
        var origin = await StartOriginAsync(new() { ["Admin__RequestsPerWindow"] = "5", ["Admin__RequestWindow"] = "00:02:00" });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await CheckAsync(origin, AdminKey);
            statuses.Add(response.StatusCode);
        }

        using var limited = await CheckAsync(origin, AdminKey);
        using var catalog = await _http.GetAsync($"{origin.BaseUrl}/api/titles");

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.NoContent, 5), HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.Contains("Retry-After"));
        Assert.Contains("too many admin requests", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
    }

    [Fact]
    public async Task PasswordProtectedRedis_OriginAndEdgeAuthenticate_WrongPasswordIsNamedByReadyz()
    {
        var origin = await StartOriginAsync([]);
        // The edge gives the password inside the configuration string instead of Redis:Password: both ways work.
        var edge = await ServiceProcess.StartAsync("edge-auth", "Edge", new Dictionary<string, string>
        {
            ["Redis__Configuration"] = $"{_redis.Configuration},password={RedisPassword}",
            ["Origin__BaseUrl"] = origin.BaseUrl,
            ["Edge__Id"] = "edge-auth",
        });
        _services.Add(edge);
        var wrong = await StartOriginAsync(new() { ["Redis__Password"] = "not-the-password" });

        // The edge's heartbeat reaches the origin only through the password-protected Redis.
        await Eventually.TrueAsync(async () =>
        {
            var fleet = await _http.GetStringAsync($"{origin.BaseUrl}/api/edges");
            return fleet.Contains("\"edge-auth\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15), "the edge never appeared in the fleet");
        using var originReady = await _http.GetAsync($"{origin.BaseUrl}/readyz");
        using var edgeReady = await _http.GetAsync($"{edge.BaseUrl}/readyz");
        using var wrongReady = await _http.GetAsync($"{wrong.BaseUrl}/readyz");

        Assert.Equal(HttpStatusCode.OK, originReady.StatusCode);
        Assert.Equal("Healthy", RedisStatus(await originReady.Content.ReadAsStringAsync()));
        Assert.Equal("Healthy", RedisStatus(await edgeReady.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, wrongReady.StatusCode);
        var report = await wrongReady.Content.ReadAsStringAsync();
        Assert.True(report.Contains("refused the credentials", StringComparison.Ordinal), report);
        Assert.DoesNotContain("not-the-password", report, StringComparison.Ordinal);
        Assert.DoesNotContain(RedisPassword, wrong.Log + origin.Log + edge.Log, StringComparison.Ordinal);
    }

    private static string? RedisStatus(string report) =>
        JsonDocument.Parse(report).RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString();
}
