using Microsoft.Extensions.Options;

namespace Vod.Edge.OriginClient;

/// <summary>
/// The origins this edge fills from, each with its health: passive (a fetch that failed marks it down) and active
/// (<see cref="OriginProbe"/> asks every origin's <c>/healthz</c> each interval and marks it up or down). Fetches try
/// the origins that are up in the configured order, then the ones that are down (a probe may be a second old), so
/// one dead or hung origin costs a fill one attempt at most, and after the next probe not even that.
/// </summary>
internal sealed class OriginPool
{
    private readonly OriginState[] _origins;
    private readonly ILogger<OriginPool> _logger;

    public OriginPool(IOptions<OriginOptions> options, ILogger<OriginPool> logger)
    {
        _origins = [.. options.Value.Origins().Select(u => new OriginState(u))];
        _logger = logger;
    }

    public IReadOnlyList<Uri> All => [.. _origins.Select(o => o.BaseUrl)];

    /// <summary>The origins to try for one fetch: those that are up first, each group in configured order.</summary>
    public Uri[] Candidates()
    {
        if (_origins.Length == 1)
        {
            return [_origins[0].BaseUrl];
        }

        var ordered = new Uri[_origins.Length];
        var n = 0;
        foreach (var origin in _origins)
        {
            if (origin.Up)
            {
                ordered[n++] = origin.BaseUrl;
            }
        }

        foreach (var origin in _origins)
        {
            if (!origin.Up)
            {
                ordered[n++] = origin.BaseUrl;
            }
        }

        return ordered;
    }

    /// <summary>Whether any origin is up, and a description of each for <c>/readyz</c>.</summary>
    public (bool AnyUp, string Description) Describe() =>
        (_origins.Any(o => o.Up), string.Join("; ", _origins.Select(o => o.Up ? $"{o.BaseUrl} up" : $"{o.BaseUrl} down: {o.Reason}")));

    public void MarkUp(Uri origin)
    {
        var state = Find(origin);
        if (state is { Up: false })
        {
            state.Up = true;
            state.Reason = null;
            Log.OriginUp(_logger, origin.ToString());
        }
    }

    public void MarkDown(Uri origin, string reason)
    {
        var state = Find(origin);
        if (state is null)
        {
            return;
        }

        state.Reason = reason;
        if (state.Up)
        {
            state.Up = false;
            Log.OriginDown(_logger, origin.ToString(), reason);
        }
    }

    private OriginState? Find(Uri origin) => Array.Find(_origins, o => o.BaseUrl == origin);

    private sealed class OriginState(Uri baseUrl)
    {
        public Uri BaseUrl { get; } = baseUrl;

        // Written by fetches and the probe, read by every fetch: a stale read costs at most one extra attempt.
        public volatile bool Up = true;

        public volatile string? Reason;
    }
}

/// <summary>Active health: each origin's <c>/healthz</c>, every probe interval, with the interval as its time-out.</summary>
internal sealed class OriginProbe(OriginPool pool, IHttpClientFactory clients, IOptions<OriginOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ProbeInterval;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            await Task.WhenAll(pool.All.Select(origin => ProbeAsync(origin, interval, stoppingToken)));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task ProbeAsync(Uri origin, TimeSpan timeout, CancellationToken stoppingToken)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            deadline.CancelAfter(timeout);
            using var response = await clients.CreateClient(nameof(OriginHttpClient)).GetAsync(new Uri(origin, "healthz"), deadline.Token);
            if (response.IsSuccessStatusCode)
            {
                pool.MarkUp(origin);
            }
            else
            {
                pool.MarkDown(origin, $"/healthz answered {(int)response.StatusCode}");
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            pool.MarkDown(origin, $"/healthz did not answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            pool.MarkDown(origin, e.Message);
        }
    }
}
