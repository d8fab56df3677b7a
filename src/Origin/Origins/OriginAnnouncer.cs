using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Fleet;
using IServer = Microsoft.AspNetCore.Hosting.Server.IServer;

namespace Vod.Origin.Origins;

/// <summary>
/// Announces this origin in the registry once Kestrel listens, heartbeats every <see cref="OriginOptions.HeartbeatInterval"/>
/// and reads the registry back into the <see cref="OriginDirectory"/> with each beat. On shutdown it leaves the registry
/// (best effort, at most 2 s: the heartbeat expiry removes a silent origin anyway). A Redis outage only pauses this;
/// the directory keeps the last known list and the origin serves on. The announcement is signed with the fleet key when
/// there is one, and entries the <see cref="FleetTrust"/> refuses never reach the directory (logged once each).
/// </summary>
internal sealed partial class OriginAnnouncer(
    IConnectionMultiplexer redis,
    IServer server,
    IHostApplicationLifetime lifetime,
    OriginDirectory directory,
    IOptions<OriginOptions> options,
    FleetTrust trust,
    TimeProvider time,
    ILogger<OriginAnnouncer> logger) : BackgroundService
{
    private static readonly TimeSpan DeregisterLimit = TimeSpan.FromSeconds(2);
    private bool _registryAvailable = true;
    private readonly FleetRefusals _refusals = new();
    private HashSet<string> _peers = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The public URL may be the address Kestrel bound, which is known only once the server has started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var o = options.Value;
        var self = new OriginAnnouncement(
            o.Id ?? OriginIdentity.DefaultId(Environment.MachineName, Environment.ProcessId),
            OriginIdentity.PublicUrl(o.PublicUrl, server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []),
            time.GetUtcNow());
        directory.Announced(self);
        Log.Announcing(logger, self.Id, self.Url);

        using var timer = new PeriodicTimer(o.HeartbeatInterval, time);
        try
        {
            do
            {
                await BeatAsync(self);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await DeregisterAsync(self);
    }

    /// <summary>One round: heartbeat, read the registry, forget origins silent for too long.</summary>
    private async Task BeatAsync(OriginAnnouncement self)
    {
        if (!redis.IsConnected)
        {
            Unavailable("not connected to Redis");
            return;
        }

        try
        {
            var db = redis.GetDatabase();
            await OriginRegistry.HeartbeatAsync(db, self, time.GetUtcNow(), trust.Key);
            var read = await OriginRegistry.ReadAsync(db, trust);
            foreach (var refused in _refusals.New(read.Refused))
            {
                Log.EntryRefused(logger, "origin", refused.Field, refused.Reason);
            }

            var entries = read.Members;
            var forget = time.GetUtcNow() - options.Value.ForgetAfter;
            foreach (var (origin, _) in entries.Where(e => e.LastHeartbeat < forget))
            {
                await OriginRegistry.DeregisterAsync(db, origin.Id);
            }

            var kept = entries.Where(e => e.LastHeartbeat >= forget).ToList();
            directory.Update(kept);
            if (!_registryAvailable)
            {
                _registryAvailable = true;
                Log.RegistryBack(logger);
            }

            LogChanges(self);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Unavailable(e.Message);
        }
    }

    private void Unavailable(string reason)
    {
        if (_registryAvailable)
        {
            _registryAvailable = false;
            Log.OriginRegistryUnavailable(logger, reason); // the directory keeps the last known list
        }
    }

    private void LogChanges(OriginAnnouncement self)
    {
        var peers = directory.Live(self.Url).Skip(1).ToHashSet(StringComparer.Ordinal); // the first is this origin
        foreach (var url in peers.Except(_peers))
        {
            Log.PeerUp(logger, url);
        }

        foreach (var url in _peers.Except(peers))
        {
            Log.PeerDown(logger, url);
        }

        _peers = peers;
    }

    private async Task DeregisterAsync(OriginAnnouncement self)
    {
        try
        {
            await OriginRegistry.DeregisterAsync(redis.GetDatabase(), self.Id).WaitAsync(DeregisterLimit, time);
            Log.Deregistered(logger, self.Id);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.OriginRegistryUnavailable(logger, e.Message); // the heartbeat expiry removes us anyway
        }
    }
}
