using StackExchange.Redis;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Least privilege in Redis with the ACL file <c>./run.sh</c> uses (<c>scripts/redis-acl.sh</c>): each user may do what
/// its service needs and nothing else, against a real redis-server.
/// </summary>
public sealed class RedisAclTests : IAsyncLifetime
{
    private readonly RedisAcl _acl = RedisAcl.Create();
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(acl: _acl);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.AdminConfiguration);
        await admin.GetDatabase().ExecuteAsync("XGROUP", "CREATE", "vod:jobs", "transcoders", "0", "MKSTREAM");
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        _acl.Dispose();
    }

    public static TheoryData<string, string, string[]> Rights => new()
    {
        // user, "ok" or the error a denial starts with, command
        { "transcoder", "ok", ["XADD", "vod:jobs", "*", "title", "t"] },
        { "transcoder", "ok", ["XGROUP", "CREATE", "vod:jobs", "transcoders-2", "0", "MKSTREAM"] },
        { "transcoder", "ok", ["XREADGROUP", "GROUP", "transcoders", "w1", "COUNT", "1", "STREAMS", "vod:jobs", ">"] },
        { "transcoder", "NOPERM", ["HGETALL", "vod:{edges}"] },
        { "transcoder", "NOPERM", ["HSET", "vod:{edges}", "evil", "{}"] },
        { "transcoder", "NOPERM", ["SET", "vod:edge:{abc:1:m:x}", "poison"] },
        { "transcoder", "NOPERM", ["GET", "vod:edge:{abc:1:m:x}"] },
        { "transcoder", "NOPERM", ["PUBLISH", "vod:{purges}:wake", "abc"] },
        { "transcoder", "NOPERM", ["HSET", "vod:{purges}:acks", "edge-1", "9-0"] },
        { "transcoder", "NOPERM", ["KEYS", "*"] },
        { "transcoder", "NOPERM", ["FLUSHALL"] },
        { "transcoder", "NOPERM", ["CONFIG", "SET", "dir", "/tmp"] },
        { "edge", "NOPERM", ["XADD", "vod:jobs", "*", "title", "t"] },
        { "edge", "NOPERM", ["HSET", "vod:{origins}", "evil", "{}"] },
        { "edge", "NOPERM", ["XADD", "vod:{purges}", "*", "title", "t", "generation", "1"] },
        { "edge", "NOPERM", ["HSET", "vod:{purges}:generations", "t", "0"] },
        { "edge", "ok", ["HSET", "vod:{edges}", "edge-1", "{}"] },
        { "edge", "ok", ["ZADD", "vod:{edges}:heartbeats", "1", "edge-1"] },
        { "edge", "ok", ["SET", "vod:edge:{abc:1:m:x}", "meta"] },
        { "edge", "ok", ["HSET", "vod:{purges}:acks", "edge-1", "9-0"] },
        { "edge", "ok", ["HGETALL", "vod:{purges}:generations"] },
        { "edge", "NOPERM", ["FLUSHALL"] },
        { "origin", "NOPERM", ["HSET", "vod:{edges}", "evil", "{}"] },
        { "origin", "ok", ["HGETALL", "vod:{edges}"] },
        { "origin", "ok", ["HDEL", "vod:{edges}", "gone"] },
        { "origin", "ok", ["HSET", "vod:{origins}", "origin-1", "{}"] },
        { "origin", "ok", ["XADD", "vod:jobs", "*", "title", "t"] },
        { "origin", "ok", ["PUBLISH", "vod:{purges}:wake", "abc"] },
        { "origin", "ok", ["SPUBLISH", "vod:{purges}:wake", "abc"] },
        { "origin", "NOPERM", ["SET", "vod:edge:{abc:1:m:x}", "poison"] },
        { "transcoder", "NOPERM", ["SPUBLISH", "vod:{purges}:wake", "abc"] },
        { "origin", "NOPERM", ["SET", "vod:other", "x"] },
        { "origin", "NOPERM", ["FLUSHALL"] },
        // The webhook outbox: the origins' own selector, scripts included; nobody else's, and no DEL beyond it.
        { "origin", "ok", ["ZADD", "vod:{webhooks}:due", "1", "d1"] },
        { "origin", "ok", ["ZRANGEBYSCORE", "vod:{webhooks}:due", "-inf", "+inf"] },
        { "origin", "ok", ["EVAL", "redis.call('SET', KEYS[1], '1', 'NX', 'PX', 1000) return redis.call('DEL', KEYS[2])", "2", "vod:{webhooks}:seen:e1", "vod:{webhooks}:delivery:d1"] },
        { "origin", "NOPERM", ["DEL", "vod:jobs"] },
        { "origin", "NOPERM", ["SET", "vod:{purges}", "x"] },
        { "edge", "NOPERM", ["ZRANGEBYSCORE", "vod:{webhooks}:due", "-inf", "+inf"] },
        { "transcoder", "NOPERM", ["HGETALL", "vod:{webhooks}:delivery:d1"] },
    };

    [Theory]
    [MemberData(nameof(Rights))]
    public async Task ServiceUser_Command_IsAllowedOnlyWhereItsServiceNeedsIt(string user, string expected, string[] command)
    {
        // allowAdmin: the library would refuse FLUSHALL, KEYS or CONFIG itself; the server must be the one to say no.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + _acl.Login(user) + ",allowAdmin=true");

        var outcome = await RunAsync(redis, command);

        Assert.True(outcome.StartsWith(expected, StringComparison.Ordinal), $"{user}: {string.Join(' ', command)} → {outcome}");
    }

    [Fact]
    public async Task DefaultUser_IsOff()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",abortConnect=false,connectTimeout=1000");

        var outcome = await RunAsync(redis, ["GET", "vod:{edges}"]);

        Assert.False(outcome == "ok", "a client without credentials ran a command");
    }

    [Fact]
    public async Task PasswordFiles_AreReadableByTheOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var file in Directory.GetFiles(_acl.Directory))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.DoesNotContain(_acl.Password("origin"), await File.ReadAllTextAsync(Path.Combine(_acl.Directory, "users.acl")), StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(ConnectionMultiplexer redis, string[] command)
    {
        try
        {
            await redis.GetDatabase().ExecuteAsync(command[0], [.. command[1..]]);
            return "ok";
        }
        catch (RedisServerException e)
        {
            return e.Message;
        }
        catch (RedisConnectionException e)
        {
            return "connection: " + e.Message;
        }
    }
}

/// <summary>
/// The stack as <c>./run.sh</c> shapes its Redis: primary, replica and Sentinels with the ACL users, each service logged
/// in as its own user. Everything works (upload, transcode, play, purge), Redis's ACL log records no denial, and a
/// failover is followed with the same logins.
/// </summary>
public sealed class RedisAclStackTests(RedisAclStackTests.Fixture fixture) : IClassFixture<RedisAclStackTests.Fixture>
{
    private readonly StackFixture _stack = fixture.Stack;

    public sealed class Fixture : IAsyncLifetime
    {
        public StackFixture Stack { get; } = new()
        {
            WithSentinel = true,
            WithRedisAcl = true,
            Settings = new Dictionary<string, string> { ["Fleet__Key"] = "acl-stack-fleet-key-0123456789-0123456789" },
        };

        public Task InitializeAsync() => Stack.InitializeAsync();

        public Task DisposeAsync() => Stack.DisposeAsync();
    }

    [Fact]
    public async Task Stack_AsItsAclUsers_UploadsPlaysPurgesAndFollowsAFailover_WithoutADenial()
    {
        var sentinel = _stack.Sentinel!;
        var title = await _stack.SampleTitleAsync();
        Assert.Equal(Vod.Common.Catalog.TitleStatus.Ready, title.Status);
        await PlayThroughAnEdgeAsync(_stack, title);
        var denials = await DenialsAsync(await sentinel.PrimaryAsync());
        Assert.True(denials.Count == 0, string.Join('\n', denials));

        var old = await sentinel.PrimaryAsync();
        old.Signal(Signals.Kill);
        await sentinel.WaitForFailoverAsync(old.Port, TimeSpan.FromSeconds(30));
        var promoted = await sentinel.PrimaryAsync();

        // Heartbeats reach the promoted primary as the edge user, and the origin reads them as the origin user.
        var after = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(async () => (await _stack.FleetAsync()).Count(e => e.Routable && e.LastHeartbeat > after) == _stack.Edges.Count,
            TimeSpan.FromSeconds(30), "the edges' heartbeats did not reach the origin after the failover");
        var second = await _stack.UploadAndWaitAsync(await Media.ClipAsync(Path.Combine(_stack.Work, "after-failover.mp4"), 320, 180, 3));
        Assert.Equal(Vod.Common.Catalog.TitleStatus.Ready, second.Status);
        await PlayThroughAnEdgeAsync(_stack, second);
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"{_stack.Origin.BaseUrl}/api/titles/{second.Id}"))
        {
            delete.Headers.Authorization = new("Bearer", StackFixture.AdminKey);
            using var response = await _stack.Http.SendAsync(delete);
            Assert.True(response.IsSuccessStatusCode, $"DELETE answered {(int)response.StatusCode}");
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // edges replay and acknowledge the purge
        denials = await DenialsAsync(promoted);
        Assert.True(denials.Count == 0, string.Join('\n', denials));
    }

    /// <summary>Plays the title as a player would: master playlist from the origin, media playlist and init segment from the edge it names.</summary>
    internal static async Task PlayThroughAnEdgeAsync(StackFixture stack, TitleDto title)
    {
        var master = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}{title.PlaybackUrl}");
        var variant = master.Split('\n').First(l => l.StartsWith("http", StringComparison.Ordinal));
        var media = await stack.Http.GetStringAsync(variant);
        Assert.StartsWith("#EXTM3U", media, StringComparison.Ordinal);
        using var init = await stack.Http.GetAsync(new Uri(new Uri(variant), media.Split('\n').First(l => l.StartsWith("#EXT-X-MAP", StringComparison.Ordinal))
            .Split('"')[1]));
        Assert.True(init.IsSuccessStatusCode, $"{init.RequestMessage!.RequestUri}: {(int)init.StatusCode}");
    }

    /// <summary>Redis's ACL log on <paramref name="node"/>: every command or key a user was refused, as text.</summary>
    internal static async Task<IReadOnlyList<string>> DenialsAsync(RedisServer node)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(node.AdminConfiguration);
        var entries = (RedisResult[])(await admin.GetDatabase().ExecuteAsync("ACL", "LOG"))!;
        return entries.Select(e => string.Join(" ", ((RedisResult[])e!).Select(f => f.ToString()))).ToList();
    }
}
