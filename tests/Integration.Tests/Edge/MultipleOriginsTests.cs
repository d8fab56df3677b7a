using System.Diagnostics;
using System.Net;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Edge;

/// <summary>
/// An edge process given two origins (<c>Origin:BaseUrl=a,b</c>), both real Kestrel static-file origins over the same
/// files: when its first origin is dead or hung, fills come from the second, and once its probe has marked the first
/// down, fills go straight to the second.
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class MultipleOriginsTests : IAsyncLifetime
{
    private const string TitleId = "failover2222";
    private const int Slice = 256 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("vod-origins-").FullName;
    private readonly byte[] _media = new byte[(3 * Slice) + 1234];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RedisServer _redis = null!;
    private CountingOrigin _first = null!;
    private CountingOrigin _second = null!;
    private ServiceProcess _edge = null!;

    public async Task InitializeAsync()
    {
        new Random(7).NextBytes(_media);
        var dir = Path.Combine(_root, "titles", TitleId, "v1", "r");
        Directory.CreateDirectory(dir);
        for (var i = 0; i < 4; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, $"media{i}.mp4"), _media);
        }

        _redis = await RedisServer.StartAsync();
        _first = await CountingOrigin.StartAsync(_root);
        _second = await CountingOrigin.StartAsync(_root);
        _edge = await ServiceProcess.StartAsync("edge-1", "Edge", new Dictionary<string, string>
        {
            ["Redis__Configuration"] = _redis.Configuration,
            ["Origin__BaseUrl"] = $"{_first.BaseUrl},{_second.BaseUrl}",
            ["Cache__SliceBytes"] = Slice.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cache__ReadAheadSlices"] = "0",
        });
    }

    [Fact]
    public async Task Get_FirstOriginDead_FillsFromTheSecondAndReadyzNamesTheDeadOne()
    {
        await _first.StopAsync();

        var bytes = await GetBytesAsync("media0.mp4");

        Assert.Equal(_media, bytes);
        Assert.Contains(_second.Requests, r => r.Path.EndsWith("media0.mp4", StringComparison.Ordinal));
        await Eventually.TrueAsync(async () => (await _http.GetStringAsync($"{_edge.BaseUrl}/readyz")).Contains($"{_first.BaseUrl}/ down", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "readyz does not name the dead origin");
        using var ready = await _http.GetAsync($"{_edge.BaseUrl}/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // one origin left is enough
    }

    [Fact]
    public async Task Get_FirstOriginHung_AnswersFromTheSecondWithinTheAttemptTimeoutThenSkipsTheHungOne()
    {
        _first.Hung = true; // accepts connections, never answers: the gray failure

        var stopwatch = Stopwatch.StartNew();
        var bytes = await GetBytesAsync("media1.mp4");
        var firstFill = stopwatch.Elapsed;

        Assert.Equal(_media, bytes);
        // One attempt time-out (1.5 s) for the HEAD at most, and the slices after it go straight to the second origin
        // (the first is marked down by the failed attempt). Generous for a loaded machine, far below the 10 s budget.
        Assert.True(firstFill < TimeSpan.FromSeconds(6), $"the first fill took {firstFill.TotalSeconds:0.0} s");

        // Once marked down (passively, and by the probe), a new object costs the hung origin nothing.
        await Eventually.TrueAsync(async () => (await _http.GetStringAsync($"{_edge.BaseUrl}/readyz")).Contains($"{_first.BaseUrl}/ down", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the hung origin was not marked down");
        _first.Clear();
        bytes = await GetBytesAsync("media2.mp4");
        Assert.Equal(_media, bytes);
        Assert.DoesNotContain(_first.Requests, r => r.Path.Contains("/titles/", StringComparison.Ordinal));

        // When it answers again, the probe marks it up and it is the first choice again.
        _first.Hung = false;
        await Eventually.TrueAsync(async () => (await _http.GetStringAsync($"{_edge.BaseUrl}/readyz")).Contains($"{_first.BaseUrl}/ up", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the origin was not marked up again");
        bytes = await GetBytesAsync("media3.mp4");
        Assert.Equal(_media, bytes);
        Assert.Contains(_first.Requests, r => r.Path.EndsWith("media3.mp4", StringComparison.Ordinal));
    }

    private async Task<byte[]> GetBytesAsync(string file)
    {
        using var response = await _http.GetAsync($"{_edge.BaseUrl}/titles/{TitleId}/v1/r/{file}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _first.Hung = false;
        await _edge.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
