using System.Globalization;
using System.Text.RegularExpressions;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// Edges as real processes in front of a <see cref="CountingOrigin"/>, sharing a real redis-server (or a
/// <see cref="RedisCluster"/> of three primaries), with one
/// title's files on disk: a 5.5 MiB rendition (deterministic bytes, so slice borders fall mid-object) and a playlist.
/// </summary>
public sealed partial class EdgeFleet : IAsyncDisposable
{
    public const string TitleId = "fleetfleet22";
    public const string MediaPath = $"/titles/{TitleId}/v1/r/media.mp4";
    public const string PlaylistPath = $"/titles/{TitleId}/v1/r/index.m3u8";
    public const int SliceBytes = 256 * 1024;

    private EdgeFleet(string root, RedisServer? redis, RedisCluster? cluster, CountingOrigin origin, byte[] media)
    {
        Root = root;
        Redis = redis!;
        Cluster = cluster;
        Origin = origin;
        Media = media;
    }

    public string Root { get; }
    /// <summary>The one redis-server; null when the fleet runs on <see cref="Cluster"/>.</summary>
    public RedisServer Redis { get; }

    public RedisCluster? Cluster { get; }

    /// <summary>What the edges (and a test's own services) are given as <c>Redis:Configuration</c>.</summary>
    public string RedisConfiguration => Cluster?.Configuration ?? Redis.Configuration;
    public CountingOrigin Origin { get; private set; }
    public byte[] Media { get; }

    private IReadOnlyDictionary<string, string> _settings = new Dictionary<string, string>();
    public List<ServiceProcess> Edges { get; } = [];
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <param name="cluster">Redis as a cluster of three primaries instead of one server.</param>
    public static async Task<EdgeFleet> StartAsync(int edges = 2, IReadOnlyDictionary<string, string>? settings = null, bool cluster = false)
    {
        var root = Directory.CreateTempSubdirectory("vod-fleet-").FullName;
        var dir = Path.Combine(root, "titles", TitleId, "v1", "r");
        Directory.CreateDirectory(dir);
        var media = new byte[(5 * 1024 * 1024) + (512 * 1024) + 17];
        new Random(42).NextBytes(media);
        await File.WriteAllBytesAsync(Path.Combine(dir, "media.mp4"), media);
        await File.WriteAllTextAsync(Path.Combine(dir, "index.m3u8"), "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nmedia.mp4\n#EXT-X-ENDLIST\n");

        var fleet = cluster
            ? new EdgeFleet(root, null, await RedisCluster.StartAsync(), await CountingOrigin.StartAsync(root), media)
            : new EdgeFleet(root, await RedisServer.StartAsync(), null, await CountingOrigin.StartAsync(root), media);
        fleet._settings = settings ?? new Dictionary<string, string>();
        fleet.Edges.AddRange(await Task.WhenAll(Enumerable.Range(1, edges).Select(i => fleet.StartEdgeAsync(i, null))));
        return fleet;
    }

    /// <summary>Starts one more edge, with <paramref name="settings"/> over the fleet's (e.g. its own Redis address).</summary>
    public async Task<ServiceProcess> AddEdgeAsync(IReadOnlyDictionary<string, string> settings)
    {
        var edge = await StartEdgeAsync(Edges.Count + 1, settings);
        Edges.Add(edge);
        return edge;
    }

    private Task<ServiceProcess> StartEdgeAsync(int number, IReadOnlyDictionary<string, string>? extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = RedisConfiguration,
            ["Origin__BaseUrl"] = Origin.BaseUrl,
            ["Cache__SliceBytes"] = SliceBytes.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in _settings.Concat(extra ?? new Dictionary<string, string>()))
        {
            environment[key] = value;
        }

        return ServiceProcess.StartAsync($"edge-{number}", "Edge", environment);
    }

    /// <summary>Stops the origin; <see cref="RestartOriginAsync"/> brings one back on the same port.</summary>
    public Task StopOriginAsync() => Origin.StopAsync();

    public async Task RestartOriginAsync()
    {
        var port = new Uri(Origin.BaseUrl).Port;
        await Origin.DisposeAsync();
        Origin = await CountingOrigin.StartAsync(Root, port);
    }

    public async Task<HttpResponseMessage> GetAsync(int edge, string path, long? from = null, long? to = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Edges[edge].BaseUrl + path);
        if (from is not null || to is not null)
        {
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(from, to);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>The sum of a metric's samples on one edge whose labels contain <paramref name="labelFilter"/>.</summary>
    public async Task<double> MetricAsync(int edge, string name, string labelFilter = "")
    {
        var text = await Http.GetStringAsync(Edges[edge].BaseUrl + "/metrics");
        return MetricLine().Matches(text)
            .Where(m => m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var edge in Edges)
        {
            await edge.DisposeAsync();
        }

        await Origin.DisposeAsync();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
        else
        {
            await Redis.DisposeAsync();
        }

        Directory.Delete(Root, recursive: true);
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[0-9.eE+-]+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();
}
