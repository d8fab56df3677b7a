using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Fleet;
using Vod.Edge.Metrics;
using Vod.ServiceDefaults;
using IServer = Microsoft.AspNetCore.Hosting.Server.IServer;

namespace Vod.Edge.Registry;

/// <summary>
/// Announces this edge in the registry once Kestrel listens and heartbeats every second. On SIGTERM it deregisters
/// first, then drains: it keeps serving for <see cref="EdgeIdentityOptions.Drain"/> while the origin steers
/// players away, and only then lets the host stop the server (which finishes in-flight requests).
/// A Redis outage only pauses heartbeats; they resume when it is back. With a fleet key (<c>Fleet:Key</c>) every
/// announcement is signed, so the origins can tell it from one written by anyone else who can write to Redis.
/// </summary>
internal sealed class EdgeHeartbeat(
    IConnectionMultiplexer redis,
    IServer server,
    IOptions<EdgeIdentityOptions> options,
    IOptions<FleetKeyOptions> fleet,
    EdgeMetrics metrics,
    TimeProvider time,
    ILogger<EdgeHeartbeat> logger) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly FleetKey? _key = FleetKey.From(fleet.Value);
    private Task _loop = Task.CompletedTask;

    public EdgeAnnouncement? Announcement { get; private set; }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.PublicUrl ?? BoundUrl();
        var id = options.Value.Id ?? $"{Environment.MachineName}-{new Uri(url).Port}".ToLowerInvariant();
        if (!EdgeRegistry.IsValidId(id))
        {
            throw new InvalidOperationException($"Edge:Id '{id}' is not valid: use up to 32 letters, digits, '-', '_' or '.'");
        }

        Announcement = new EdgeAnnouncement(id, url.TrimEnd('/'), time.GetUtcNow(), options.Value.InternalUrl?.TrimEnd('/'));
        if (!FleetUrl.IsValid(Announcement.Url))
        {
            // The origins would ignore the entry: better to say so at start than to be a silent edge nobody routes to.
            throw new InvalidOperationException($"Edge:PublicUrl '{Announcement.Url}' is not a plain absolute http(s) URL");
        }

        _loop = BeatAsync(Announcement, _stop.Token);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _loop;
        if (Announcement is null)
        {
            return;
        }

        try
        {
            await EdgeRegistry.DeregisterAsync(redis.GetDatabase(), Announcement.Id).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            Log.Deregistered(logger, Announcement.Id, options.Value.Drain);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.HeartbeatFailed(logger, e.Message); // the heartbeat expiry removes us anyway
        }

        await Task.Delay(options.Value.Drain, time, cancellationToken);
    }

    private async Task BeatAsync(EdgeAnnouncement announcement, CancellationToken cancellationToken)
    {
        Log.Announcing(logger, announcement.Id, announcement.Url);
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        do
        {
            try
            {
                if (redis.IsConnected)
                {
                    await EdgeRegistry.HeartbeatAsync(redis.GetDatabase(), announcement with { Load = metrics.Load() }, time.GetUtcNow(), _key);
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Log.HeartbeatFailed(logger, e.Message);
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private string BoundUrl()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Edge:PublicUrl is not set and the server has no address");
        return address.Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://+:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://*:", "://127.0.0.1:", StringComparison.Ordinal);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stop.Dispose();
}

internal static class RegistryExtensions
{
    public static IServiceCollection AddEdgeRegistration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<EdgeIdentityOptions>(configuration, EdgeIdentityOptions.Section)
            .Validate(o => o.Id is null || EdgeRegistry.IsValidId(o.Id), "Edge:Id: up to 32 letters, digits, '-', '_' or '.'")
            .Validate(o => o.PublicUrl is null || FleetUrl.IsValid(o.PublicUrl.TrimEnd('/')),
                "Edge:PublicUrl must be an absolute http(s) URL without user info, query, fragment, quotes, commas or spaces")
            .Validate(o => o.InternalUrl is null || FleetUrl.IsValid(o.InternalUrl.TrimEnd('/')),
                "Edge:InternalUrl must be an absolute http(s) URL without user info, query, fragment, quotes, commas or spaces");
        services.AddValidatedOptions<FleetKeyOptions>(configuration, FleetKeyOptions.Section);
        services.AddSingleton<EdgeHeartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<EdgeHeartbeat>());
        // The drain happens before the server stops; the host must allow for it.
        services.AddOptions<HostOptions>().Configure<IOptions<EdgeIdentityOptions>>((host, edge) =>
            host.ShutdownTimeout = edge.Value.Drain + TimeSpan.FromSeconds(15));
        return services;
    }
}
