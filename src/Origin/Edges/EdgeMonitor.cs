using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Fleet;
using Vod.ServiceDefaults;
using Vod.ServiceDefaults.Tls;

namespace Vod.Origin.Edges;

/// <summary>One edge as the origin sees it.</summary>
/// <param name="AvoidedByPlayers">Steering reloads in which a player reported another pathway while this edge was the first choice (a passive signal).</param>
internal sealed record EdgeStatus(
    string Id,
    string Url,
    bool Routable,
    string State,
    string? Reason,
    DateTimeOffset LastHeartbeat,
    DateTimeOffset? LastProbe,
    double? ProbeMilliseconds,
    long AvoidedByPlayers,
    long Requests = 0,
    double? HitRatio = null,
    long BytesServed = 0);

/// <summary>
/// Keeps the origin's view of the edge fleet, as Traffic Control's monitor does: every second it reads the registry
/// edges heartbeat into, and probes each edge's <c>/healthz</c> (active). An edge is routable only while its heartbeat
/// is fresh and its last probe answered in time. If Redis is unreachable, the last known list is kept (and still
/// probed) instead of emptying the fleet.
/// <para>
/// Registry entries are not trusted: one that <see cref="FleetTrust"/> refuses (bad id or URL, a host off the
/// allow-list, unsigned or badly signed while the fleet has a key) is ignored, logged once, and never probed. What
/// <c>/api/edges</c> says of a failed probe is a fixed phrase; the exception's text goes to the log only.
/// </para>
/// </summary>
internal sealed partial class EdgeMonitor(
    IConnectionMultiplexer redis,
    IHttpClientFactory clients,
    IOptions<FleetOptions> options,
    FleetTrust trust,
    TimeProvider time,
    ILogger<EdgeMonitor> logger) : BackgroundService
{
    public const string ProbeClient = "edge-probe";
    private readonly FleetRefusals _refusals = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _avoided = new(StringComparer.Ordinal);
    private List<(EdgeAnnouncement Edge, DateTimeOffset LastHeartbeat)> _registry = [];
    private DateTimeOffset _registryReadAt;
    private volatile IReadOnlyList<EdgeStatus> _snapshot = [];

    /// <summary>The fleet as of the last round, in id order.</summary>
    public IReadOnlyList<EdgeStatus> Snapshot => _snapshot;

    /// <summary>A player's steering reload reported <paramref name="reported"/> while <paramref name="firstChoice"/> was preferred.</summary>
    public void ReportAvoided(string firstChoice) => _avoided.AddOrUpdate(firstChoice, 1, (_, n) => n + 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (trust.Key is null)
        {
            Log.FleetUnsigned(logger);
        }

        using var timer = new PeriodicTimer(options.Value.ProbeInterval, time);
        do
        {
            await RefreshAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await ReadRegistryAsync();
        var probes = await Task.WhenAll(_registry.Select(r => ProbeAsync(r.Edge, cancellationToken)));
        var expiry = options.Value.HeartbeatExpiry;
        var statuses = new List<EdgeStatus>(_registry.Count);
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < _registry.Count; i++)
        {
            var (edge, beat) = _registry[i];
            var probe = probes[i];
            // Heartbeats are judged as of the last successful registry read: while Redis is unreachable they are
            // unknown rather than old, and the probes alone decide.
            var fresh = _registryReadAt - beat <= expiry;
            var (routable, state, reason) = (fresh, probe.Ok) switch
            {
                (true, true) => (true, "up", (string?)null),
                (false, _) => (false, "down", $"no heartbeat for {(_registryReadAt - beat).TotalSeconds:0.0} s"),
                (true, false) => (false, "down", $"probe failed: {probe.Error}"),
            };
            if (probe.Detail is not null)
            {
                details[edge.Id] = probe.Detail;
            }

            var load = edge.Load ?? new EdgeLoad(0, 0, 0);
            statuses.Add(new EdgeStatus(edge.Id, edge.Url, routable, state, reason, beat, probe.At, probe.Milliseconds,
                _avoided.GetValueOrDefault(edge.Id), load.Requests, load.Requests > 0 ? Math.Round((double)load.Hits / load.Requests, 4) : null,
                load.BytesServed));
        }

        statuses.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        LogChanges(_snapshot, statuses, details);
        _snapshot = statuses;
    }

    private async Task ReadRegistryAsync()
    {
        try
        {
            var db = redis.GetDatabase();
            var read = await EdgeRegistry.ReadAsync(db, trust);
            foreach (var refused in _refusals.New(read.Refused))
            {
                Log.EntryRefused(logger, "edge", refused.Field, refused.Reason);
            }

            var entries = read.Members;
            var forget = time.GetUtcNow() - options.Value.ForgetAfter;
            foreach (var (edge, _) in entries.Where(e => e.LastHeartbeat < forget))
            {
                await EdgeRegistry.DeregisterAsync(db, edge.Id);
            }

            _registry = entries.Where(e => e.LastHeartbeat >= forget).ToList();
            _registryReadAt = time.GetUtcNow();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.RegistryUnavailable(logger, e.Message); // keep the last known fleet
        }
    }

    private async Task<Probe> ProbeAsync(EdgeAnnouncement edge, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        try
        {
            using var response = await clients.CreateClient(ProbeClient).GetAsync((edge.ProbeUrl ?? edge.Url) + "/healthz", timeout.Token);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            // Only the status code reaches /api/edges (anonymous): never the body or a header of whatever answered.
            return response.IsSuccessStatusCode
                ? new Probe(true, null, null, time.GetUtcNow(), ms)
                : new Probe(false, $"status {(int)response.StatusCode}", null, time.GetUtcNow(), ms);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Probe(false, "timed out", $"no answer within {options.Value.ProbeTimeout.TotalMilliseconds:0} ms", time.GetUtcNow(), null);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or ArgumentException or FormatException or NotSupportedException)
        {
            // The message names addresses and resolver or socket errors: the log's business, not an anonymous caller's.
            return new Probe(false, "health probe failed", e.Message, time.GetUtcNow(), null);
        }
    }

    private void LogChanges(IReadOnlyList<EdgeStatus> before, IReadOnlyList<EdgeStatus> after, Dictionary<string, string> details)
    {
        foreach (var edge in after)
        {
            var previous = before.FirstOrDefault(b => b.Id == edge.Id);
            if (previous?.Routable != edge.Routable)
            {
                Log.StateChanged(logger, edge.Id, edge.Url, edge.State,
                    details.TryGetValue(edge.Id, out var detail) ? $"{edge.Reason} ({detail})" : edge.Reason ?? "healthy");
            }
        }

        foreach (var gone in before.Where(b => after.All(a => a.Id != b.Id)))
        {
            Log.Left(logger, gone.Id);
        }
    }

    /// <param name="Error">A fixed phrase, published on <c>/api/edges</c>.</param>
    /// <param name="Detail">What went wrong in the exception's words, for the log only.</param>
    private readonly record struct Probe(bool Ok, string? Error, string? Detail, DateTimeOffset At, double? Milliseconds);
}

internal static class EdgeMonitorExtensions
{
    public static IServiceCollection AddEdgeMonitor(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<FleetOptions>(configuration, FleetOptions.Section);
        services.AddFleetTrust(configuration);
        services.AddHttpClient(EdgeMonitor.ProbeClient)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                ConnectTimeout = sp.GetRequiredService<IOptions<FleetOptions>>().Value.ProbeTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            }.TrustingCaFile(sp.GetRequiredService<IOptions<TlsOptions>>().Value));
        services.AddSingleton<EdgeMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<EdgeMonitor>());
        return services;
    }

    /// <summary>
    /// The origin's <see cref="FleetTrust"/> for both registries it reads (edges and origins), from <c>Fleet:Key</c> and
    /// <c>Fleet:AllowedHosts</c>; the key also signs this origin's own announcement.
    /// </summary>
    private static IServiceCollection AddFleetTrust(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<FleetKeyOptions>(configuration, FleetKeyOptions.Section);
        services.AddSingleton(sp => new FleetTrust(
            FleetKey.From(sp.GetRequiredService<IOptions<FleetKeyOptions>>().Value),
            [sp.GetRequiredService<IOptions<FleetOptions>>().Value.AllowedHosts ?? ""]));
        return services;
    }

    /// <summary><c>GET /api/edges</c>: every known edge with its state, last heartbeat and the reason when down.</summary>
    public static IEndpointRouteBuilder MapEdges(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/edges", (EdgeMonitor monitor) => monitor.Snapshot).RequireOperationalAccess();
        return app;
    }
}
