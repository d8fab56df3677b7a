using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using Vod.Common.Catalog;
using Vod.Common.Fleet;
using Vod.Common.Hls;
using Vod.Integration.Tests.Infrastructure;
using Vod.Storage;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Deletes and purges on a real origin and Redis, with edges played by the test through the registry and the purge
/// outbox (a heartbeat and acknowledgements written by hand, no edge process): the answer says whether every live edge
/// has the purge (204/200) or not yet (202, naming them), a purge that cannot be recorded deletes nothing (503), and
/// concurrent deletes of one title give one success and 404s, never a 500.
/// </summary>
public sealed class PurgeTests : IAsyncLifetime
{
    private const string AdminKey = "purge-tests-admin-key-0123456789";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _client = null!;
    private ServiceProcess _origin = null!;
    private LocalMediaStore _store = null!;

    private IDatabase Db => _client.GetDatabase();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _client = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",abortConnect=false");
        _store = new LocalMediaStore(Directory.CreateTempSubdirectory("vod-purge-").FullName);
        _store.EnsureCreated();
        _origin = await ServiceProcess.StartAsync("origin", "Origin", new Dictionary<string, string>
        {
            ["Redis__Configuration"] = _redis.Configuration,
            ["Media__Root"] = _store.Root,
            ["Admin__Key"] = AdminKey,
            ["Purge__AckWait"] = "00:00:01",
        });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _origin.DisposeAsync();
        await _client.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_store.Root, recursive: true);
    }

    [Fact]
    public async Task Delete_EveryLiveEdgeAcknowledges_Is204_AndThePurgeIsInTheOutbox()
    {
        var title = await WriteTitleAsync();
        using var edges = new CancellationTokenSource();
        var edge = await StartAcknowledgingEdgeAsync("edge-a", edges.Token);

        using var deleted = await SendAsync(HttpMethod.Delete, $"/api/titles/{title}");
        await edges.CancelAsync();
        await edge;

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.False(Directory.Exists(_store.TitleDirectory(title)));
        // Recorded before the delete and again after it (an edge may have refetched the title in between).
        var purges = (await PurgeLog.ReadAfterAsync(Db, PurgeLog.Start, 10)).Entries;
        Assert.Equal([(title, 1L), (title, 2L)], purges.Select(p => (p.TitleId, p.Generation)));
        Assert.Empty(await PurgeLog.PendingAsync(Db, purges[^1].StreamId, ["edge-a"]));
    }

    [Fact]
    public async Task DeleteAndPurge_ALiveEdgeNeverAcknowledges_Are202NamingIt_AndTheTitleIsGone()
    {
        var title = await WriteTitleAsync();
        using var edges = new CancellationTokenSource();
        var acknowledging = await StartAcknowledgingEdgeAsync("edge-a", edges.Token);
        await EdgeRegistry.HeartbeatAsync(Db, new EdgeAnnouncement("edge-cut-off", "http://127.0.0.1:9", DateTimeOffset.UtcNow), DateTimeOffset.UtcNow);
        var longDead = DateTimeOffset.UtcNow.AddMinutes(-1);
        await EdgeRegistry.HeartbeatAsync(Db, new EdgeAnnouncement("edge-dead", "http://127.0.0.1:9", longDead), longDead);

        using var deleted = await SendAsync(HttpMethod.Delete, $"/api/titles/{title}");
        var deleteBody = await deleted.Content.ReadAsStringAsync();
        using var purged = await SendAsync(HttpMethod.Post, $"/api/titles/{title}/purge"); // a purge needs no title
        var purgeBody = JsonDocument.Parse(await purged.Content.ReadAsStringAsync()).RootElement;
        await edges.CancelAsync();
        await acknowledging;

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.Equal(["edge-cut-off"], Pending(JsonDocument.Parse(deleteBody).RootElement));
        Assert.Contains("reconnect", deleteBody, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_store.TitleDirectory(title)));
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{_origin.BaseUrl}/api/titles/{title}")).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, purged.StatusCode);
        Assert.Equal(["edge-cut-off"], Pending(purgeBody));
        Assert.Equal(3, purgeBody.GetProperty("generation").GetInt64()); // two for the delete, one for the purge
        Assert.False(purgeBody.TryGetProperty("l2KeysRemoved", out _));
        Assert.Equal(title, purgeBody.GetProperty("titleId").GetString());
    }

    [Fact]
    public async Task Purge_NoLiveEdge_Is200WithTheNewGeneration_AndListsNoKeys()
    {
        var title = TitleId.New();
        Assert.True(MediaPath.TryParse($"{title}/v1/master.m3u8", out var path));
        await Db.StringSetAsync(EdgeCacheKeys.Meta(path, 0), "cached");

        using var purged = await SendAsync(HttpMethod.Post, $"/api/titles/{title}/purge");
        var body = JsonDocument.Parse(await purged.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        Assert.Equal(1, body.GetProperty("generation").GetInt64());
        Assert.Empty(Pending(body));
        Assert.Equal(body.GetProperty("streamId").GetString(), (await PurgeLog.SnapshotAsync(Db)).LastId);
        // The old generation's key is left to expire: edges now use the new one, and a purge never scans the keyspace.
        Assert.Equal(1L, (await PurgeLog.SnapshotAsync(Db)).Generations[title]);
        Assert.NotEqual(EdgeCacheKeys.Meta(path, 0), EdgeCacheKeys.Meta(path, 1));
        Assert.True(await Db.KeyExistsAsync(EdgeCacheKeys.Meta(path, 0)));
    }

    [Fact]
    public async Task Delete_RedisDown_Is503SayingNothingWasDeleted_AndTheTitleStays()
    {
        var title = await WriteTitleAsync();
        await _redis.KillAsync();

        using var deleted = await SendAsync(HttpMethod.Delete, $"/api/titles/{title}");
        var body = await deleted.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, deleted.StatusCode);
        Assert.Contains("could not be recorded", body, StringComparison.Ordinal);
        Assert.Contains("nothing was deleted", body, StringComparison.Ordinal);
        Assert.True(File.Exists(_store.TitleFile(title)));
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{_origin.BaseUrl}/api/titles/{title}")).StatusCode);
    }

    [Fact]
    public async Task Delete_ConcurrentlyForOneTitle_OneSucceedsTheOthersAre404_NeverA500()
    {
        for (var round = 0; round < 5; round++)
        {
            var title = await WriteTitleAsync();

            var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(HttpMethod.Delete, $"/api/titles/{title}")));
            var statuses = responses.Select(r => r.StatusCode).ToList();
            foreach (var response in responses)
            {
                response.Dispose();
            }

            Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.NoContent));
            Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.NotFound));
            Assert.False(Directory.Exists(_store.TitleDirectory(title)));
        }

        Assert.DoesNotContain("DirectoryNotFoundException", _origin.Log, StringComparison.Ordinal);
    }

    /// <summary>A ready title written straight into the store (no transcode needed to delete one).</summary>
    private async Task<string> WriteTitleAsync()
    {
        var id = TitleId.New();
        await _store.WriteTitleAsync(new Title
        {
            Id = id,
            Name = "doomed",
            Status = TitleStatus.Ready,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
            Source = $"{id}.mp4",
            Version = "v1",
        });
        Directory.CreateDirectory(Path.Combine(_store.TitleDirectory(id), "v1"));
        return id;
    }

    /// <summary>
    /// What an edge does with the outbox, by hand: it is live (registered, heartbeating) when this returns, and reads on
    /// from a snapshot and acknowledges what it read until <paramref name="stop"/> (the returned task).
    /// </summary>
    private async Task<Task> StartAcknowledgingEdgeAsync(string id, CancellationToken stop)
    {
        var announcement = new EdgeAnnouncement(id, "http://127.0.0.1:9", DateTimeOffset.UtcNow);
        var (_, position) = await PurgeLog.SnapshotAsync(Db);
        await PurgeLog.AckAsync(Db, id, position);
        await EdgeRegistry.HeartbeatAsync(Db, announcement, DateTimeOffset.UtcNow);
        return Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await EdgeRegistry.HeartbeatAsync(Db, announcement, DateTimeOffset.UtcNow);
                var (entries, gap) = await PurgeLog.ReadAfterAsync(Db, position, 100);
                position = gap ? (await PurgeLog.SnapshotAsync(Db)).LastId : entries.Count > 0 ? entries[^1].StreamId : position;
                await PurgeLog.AckAsync(Db, id, position);
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, _origin.BaseUrl + path);
        request.Headers.Authorization = new("Bearer", AdminKey);
        return _http.SendAsync(request);
    }

    private static List<string> Pending(JsonElement body) =>
        body.GetProperty("pendingEdges").EnumerateArray().Select(e => e.GetString()!).ToList();
}
