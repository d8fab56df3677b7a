using System.Net.Http.Headers;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// A real Redis and whichever origins and edges a test class starts on it, each with its own settings and (origins) its
/// own media root; all of it removed with the owner. For tests of one service's behaviour that need no transcoding.
/// </summary>
public sealed class LoneServices : IAsyncDisposable
{
    public const string AdminKey = "lone-admin-key-0123456789";
    public const string SigningKey = "lone-signing-key-0123456789abcdefghij";
    private readonly List<ServiceProcess> _services = [];
    private readonly List<string> _roots = [];

    private LoneServices(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<LoneServices> StartAsync() => new(await RedisServer.StartAsync());

    /// <summary>An origin with the admin key, on a fresh media root (returned), plus <paramref name="settings"/>.</summary>
    public async Task<(ServiceProcess Origin, string MediaRoot)> StartOriginAsync(string name, IReadOnlyDictionary<string, string>? settings = null,
        string? redisConfiguration = null)
    {
        var root = Directory.CreateTempSubdirectory("vod-lone-").FullName;
        lock (_roots)
        {
            _roots.Add(root);
        }

        var environment = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = redisConfiguration ?? Redis.Configuration,
            ["Media__Root"] = root,
            ["Admin__Key"] = AdminKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return (Track(await ServiceProcess.StartAsync(name, "Origin", environment)), root);
    }

    public async Task<ServiceProcess> StartEdgeAsync(string id, ServiceProcess origin, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = Redis.Configuration,
            ["Origin__BaseUrl"] = origin.BaseUrl,
            ["Edge__Id"] = id,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return Track(await ServiceProcess.StartAsync(id, "Edge", environment));
    }

    /// <summary>A GET as a client behind a proxy (<c>X-Forwarded-For</c>), with a bearer key, or plain.</summary>
    public static HttpRequestMessage Get(string url, string? forwardedFor = null, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private ServiceProcess Track(ServiceProcess service)
    {
        lock (_services)
        {
            _services.Add(service);
        }

        return service;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        await Redis.DisposeAsync();
        foreach (var root in _roots.Where(Directory.Exists))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
