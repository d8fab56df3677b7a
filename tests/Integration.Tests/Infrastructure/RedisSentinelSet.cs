using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// Redis without a single point of failure, as <c>./run.sh</c> starts it: a primary, a replica and three Sentinels
/// (quorum 2) from Debian's redis-server and redis-sentinel, on free loopback ports. Sentinels decide quickly here
/// (a node is down after 1 s without an answer) so that failover tests stay short.
/// </summary>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    public const string ServiceName = "vod";
    private readonly List<Process> _sentinels = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("vod-sentinel-").FullName;

    private RedisSentinelSet(RedisServer primary, RedisServer replica, RedisAcl? acl)
    {
        Nodes = [primary, replica];
        Acl = acl;
    }

    /// <summary>The users of <c>scripts/redis-acl.sh</c> when started with them: nodes without a default user, Sentinels with a password.</summary>
    public RedisAcl? Acl { get; }

    /// <summary>The two data nodes; which one is primary changes with failovers (<see cref="PrimaryPortAsync"/>).</summary>
    public IReadOnlyList<RedisServer> Nodes { get; }

    public List<int> SentinelPorts { get; } = [];

    public IEnumerable<int> SentinelPids => _sentinels.Select(p => p.Id);

    /// <summary>What services are given as <c>Redis:Configuration</c>.</summary>
    public string Configuration => string.Join(",", SentinelPorts.Select(p => $"127.0.0.1:{p}")) + $",serviceName={ServiceName}";

    /// <param name="acl">Start as <c>./run.sh</c> does: the nodes load its ACL file and replicate as its replication user,
    /// the Sentinels require its Sentinel password and monitor the nodes as its sentinel user.</param>
    public static async Task<RedisSentinelSet> StartAsync(RedisAcl? acl = null)
    {
        // Redis waits 5 s by default before a diskless full sync (to batch replicas): a test that writes and fails over
        // within those seconds would find the replica empty. No delay here, and the set is ready once the replica's link
        // to the primary is up.
        string[] noSyncDelay = ["--repl-diskless-sync-delay", "0"];
        var primary = await RedisServer.StartAsync(extraArgs: noSyncDelay, acl: acl);
        RedisServer? replica = null;
        RedisSentinelSet? set = null;
        try
        {
            replica = await RedisServer.StartAsync(extraArgs: [.. noSyncDelay, "--replicaof", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture)], acl: acl);
            set = new RedisSentinelSet(primary, replica, acl);
            for (var i = 0; i < 3; i++)
            {
                set.StartSentinel(i, primary.Port);
            }

            await WaitUntilAsync(async () => (await set.ReplicaCountAsync()) >= 1 && (await set.SentinelCountAsync()) >= 3
                && await LinkUpAsync(replica), "the Sentinels did not see the replica and each other, or the replica is not in sync");
            return set;
        }
        catch
        {
            if (set is not null)
            {
                await set.DisposeAsync();
            }
            else
            {
                await primary.DisposeAsync();
                if (replica is not null)
                {
                    await replica.DisposeAsync();
                }
            }

            throw;
        }
    }

    private void StartSentinel(int index, int primaryPort)
    {
        var port = FreePort.Next();
        var config = Path.Combine(_directory, $"sentinel-{index}.conf");
        var auth = Acl is null ? "" : $"""
            requirepass {Acl.SentinelsPassword}
            sentinel auth-user {ServiceName} sentinel
            sentinel auth-pass {ServiceName} {Acl.Password("sentinel")}

            """;
        File.WriteAllText(config, $"""
            port {port}
            bind 127.0.0.1
            dir {_directory}
            sentinel resolve-hostnames no
            sentinel monitor {ServiceName} 127.0.0.1 {primaryPort} 2
            {auth}sentinel down-after-milliseconds {ServiceName} 1000
            sentinel failover-timeout {ServiceName} 5000
            sentinel parallel-syncs {ServiceName} 1

            """);
        var psi = new ProcessStartInfo("redis-sentinel") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(config);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-sentinel did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _sentinels.Add(process);
        SentinelPorts.Add(port);
    }

    /// <summary>The port of the node the Sentinels name primary now, or null if none answers.</summary>
    public async Task<int?> PrimaryPortAsync()
    {
        foreach (var port in SentinelPorts)
        {
            var reply = await SentinelAsync(port, "get-master-addr-by-name", ServiceName);
            if (reply is { Length: 2 })
            {
                return int.Parse(reply[1], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    public async Task<RedisServer> PrimaryAsync()
    {
        var port = await PrimaryPortAsync() ?? throw new InvalidOperationException("no Sentinel names a primary");
        return Nodes.Single(n => n.Port == port);
    }

    /// <summary>Waits until the Sentinels name a primary other than <paramref name="oldPort"/>.</summary>
    public Task WaitForFailoverAsync(int oldPort, TimeSpan? timeout = null) =>
        WaitUntilAsync(async () => await PrimaryPortAsync() is { } port && port != oldPort, $"no failover away from {oldPort}", timeout);

    /// <summary>Whether a replica's link to its primary is up (its initial sync done).</summary>
    private static async Task<bool> LinkUpAsync(RedisServer replica)
    {
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync($"{replica.AdminConfiguration},allowAdmin=true,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");
            var info = (string?)await connection.GetDatabase().ExecuteAsync("INFO", "replication");
            return info?.Contains("master_link_status:up", StringComparison.Ordinal) == true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The role a node reports (<c>master</c> or <c>slave</c>), or null if it does not answer.</summary>
    public static async Task<string?> RoleAsync(RedisServer node)
    {
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync($"{node.AdminConfiguration},connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");
            var role = await connection.GetServer($"127.0.0.1:{node.Port}").RoleAsync();
            return role.Value;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private async Task<int> ReplicaCountAsync()
    {
        var reply = await SentinelAsync(SentinelPorts[0], "replicas", ServiceName);
        return reply?.Length ?? 0;
    }

    private async Task<int> SentinelCountAsync()
    {
        var reply = await SentinelAsync(SentinelPorts[0], "sentinels", ServiceName);
        return (reply?.Length ?? 0) + 1;
    }

    /// <summary>One SENTINEL command through redis-cli (raw replies, one per line), with the Sentinels' password if they have one.</summary>
    private async Task<string[]?> SentinelAsync(int port, params string[] args)
    {
        var run = await RedisCli.RunAsync(new[] { "-p", port.ToString(CultureInfo.InvariantCulture), "--raw", "sentinel" }.Concat(args),
            TimeSpan.FromSeconds(3), Acl?.SentinelsPassword);
        if (run is not { ExitCode: 0, Output: var output } || output.StartsWith("ERR", StringComparison.Ordinal)
            || output.Contains("Could not connect", StringComparison.Ordinal))
        {
            return null;
        }

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // "replicas"/"sentinels" answer one block of field/value lines per node, each starting with "name".
        return args[0] is "replicas" or "sentinels" ? lines.Where(l => l == "name").ToArray() : lines;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(what);
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            node.Signal(Signals.Cont);
            await node.DisposeAsync();
        }

        foreach (var sentinel in _sentinels)
        {
            if (!sentinel.HasExited)
            {
                sentinel.Kill();
                await sentinel.WaitForExitAsync();
            }

            sentinel.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
