using System.Globalization;
using StackExchange.Redis;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// A Redis Cluster of three primaries (no replicas) on free loopback ports, each a <see cref="RedisServer"/> started
/// with <c>--cluster-enabled yes</c> in its own directory (its nodes file lives there), joined by
/// <c>redis-cli --cluster create</c>, ready once every node reports <c>cluster_state:ok</c>. Disposing kills the nodes.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private RedisCluster(IReadOnlyList<RedisServer> nodes, RedisAcl? acl)
    {
        Nodes = nodes;
        Acl = acl;
    }

    /// <summary>The primaries, each owning a third of the 16384 slots.</summary>
    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>The users of <c>scripts/redis-acl.sh</c> when started with them.</summary>
    public RedisAcl? Acl { get; }

    /// <summary>What services are given as <c>Redis:Configuration</c>: every node, no <c>serviceName=</c>.</summary>
    public string Configuration => string.Join(",", Nodes.Select(n => n.Configuration));

    /// <summary>What a test's own connection uses: <see cref="Configuration"/>, logged in as the admin when the nodes have users.</summary>
    public string AdminConfiguration => Acl is null ? Configuration : Configuration + Acl.Login(RedisAcl.Admin);

    /// <param name="acl">The nodes load the ACL file of <c>scripts/redis-acl.sh</c>; the fixture itself acts as its admin.</param>
    public static async Task<RedisCluster> StartAsync(RedisAcl? acl = null)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => TryStartNodeAsync(acl)));
        var cluster = new RedisCluster([.. started.OfType<RedisServer>()], acl);
        try
        {
            if (cluster.Nodes.Count != 3)
            {
                throw new InvalidOperationException("a cluster node did not start");
            }

            var create = await cluster.CliAsync(["--cluster", "create", .. cluster.Nodes.Select(n => $"127.0.0.1:{n.Port}"), "--cluster-replicas", "0", "--cluster-yes"],
                TimeSpan.FromSeconds(20));
            if (!create.Contains("All 16384 slots covered", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("redis-cli --cluster create failed:\n" + create);
            }

            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!await cluster.AllOkAsync())
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("the cluster never reported cluster_state:ok on every node");
                }

                await Task.Delay(50);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many keys matching <paramref name="pattern"/> each node holds, in <see cref="Nodes"/> order.</summary>
    public async Task<IReadOnlyList<int>> KeyCountsAsync(string pattern)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(AdminConfiguration);
        var counts = new List<int>();
        foreach (var node in Nodes)
        {
            counts.Add(await admin.GetServer("127.0.0.1", node.Port).KeysAsync(pattern: pattern).CountAsync());
        }

        return counts;
    }

    /// <summary>The subscribers of a sharded channel (SSUBSCRIBE), summed over the nodes, and of the plain channel of that name.</summary>
    public async Task<(long Sharded, long Plain)> SubscribersAsync(string channel)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(AdminConfiguration);
        long sharded = 0, plain = 0;
        foreach (var node in Nodes)
        {
            var server = admin.GetServer("127.0.0.1", node.Port);
            sharded += (long)((RedisResult[])(await server.ExecuteAsync("PUBSUB", "SHARDNUMSUB", channel))!)[1];
            plain += (long)((RedisResult[])(await server.ExecuteAsync("PUBSUB", "NUMSUB", channel))!)[1];
        }

        return (sharded, plain);
    }

    private static async Task<RedisServer?> TryStartNodeAsync(RedisAcl? acl)
    {
        // The cluster bus gets its own free port (by default it is the data port + 10000, which may not exist).
        var bus = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        try
        {
            return await RedisServer.StartAsync(acl: acl, extraArgs: ["--cluster-enabled", "yes", "--cluster-port", bus, "--cluster-node-timeout", "2000"]);
        }
        catch (InvalidOperationException)
        {
            return null; // the others are disposed by the caller
        }
    }

    private async Task<bool> AllOkAsync()
    {
        foreach (var node in Nodes)
        {
            if (!(await CliAsync(["-p", node.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info"], TimeSpan.FromSeconds(3)))
                .Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs redis-cli as the admin (when the nodes have users) and returns what it printed; bounded by <paramref name="timeout"/>.</summary>
    private async Task<string> CliAsync(IEnumerable<string> args, TimeSpan timeout)
    {
        var run = await RedisCli.RunAsync(args, timeout, Acl?.Password(RedisAcl.Admin), Acl is null ? null : RedisAcl.Admin)
            ?? throw new TimeoutException($"redis-cli {string.Join(' ', args)} did not finish within {timeout}");
        return run.Output + run.Error;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
