using Prometheus;
using Vod.Edge.Caching;

namespace Vod.Edge.Metrics;

/// <summary>
/// The edge's Prometheus metrics, served at <c>/metrics</c>. Label children are resolved once, here, so the hot path
/// only increments a counter.
/// </summary>
internal static class EdgeMetrics
{
    private static readonly Counter Requests = Prometheus.Metrics.CreateCounter(
        "vod_edge_requests_total", "Media requests by cache result (the costliest lookup of the request).", "result");

    private static readonly Counter ResponseBytes = Prometheus.Metrics.CreateCounter(
        "vod_edge_response_bytes_total", "Body bytes sent for media requests, by cache result.", "result");

    private static readonly Counter Lookups = Prometheus.Metrics.CreateCounter(
        "vod_edge_lookups_total", "Metadata and slice lookups by where they were answered.", "kind", "result");

    private static readonly Counter OriginFetches = Prometheus.Metrics.CreateCounter(
        "vod_edge_origin_fetches_total", "Requests this edge made to the origin.", "kind", "outcome");

    private static readonly Counter OriginBytes = Prometheus.Metrics.CreateCounter(
        "vod_edge_origin_bytes_total", "Body bytes fetched from the origin.");

    private static readonly Histogram FillSeconds = Prometheus.Metrics.CreateHistogram(
        "vod_edge_fill_duration_seconds", "Time to fill a cache miss from the origin.",
        new HistogramConfiguration { LabelNames = ["kind"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    private static readonly Counter ReadAhead = Prometheus.Metrics.CreateCounter(
        "vod_edge_read_ahead_total", "Read-ahead slice fetches, started or skipped because the limit was reached.", "outcome");

    private static readonly Counter RejectedRequests = Prometheus.Metrics.CreateCounter(
        "vod_edge_rejected_total", "Requests answered 503 at once because too many were already waiting for fills.");

    private static readonly Counter Purges = Prometheus.Metrics.CreateCounter(
        "vod_edge_purges_total", "Titles purged from this edge's memory.");

    private static readonly Gauge MemoryBytes = Prometheus.Metrics.CreateGauge(
        "vod_edge_l1_bytes", "Bytes held by the in-memory cache (L1).");

    private static readonly Gauge MemoryLimit = Prometheus.Metrics.CreateGauge(
        "vod_edge_l1_limit_bytes", "The in-memory cache's byte limit.");

    private static readonly Counter.Child[] RequestsByResult = ByResult(Requests);
    private static readonly Counter.Child[] BytesByResult = ByResult(ResponseBytes);
    private static readonly Counter.Child[] MetaLookups = ByResult(Lookups, "meta");
    private static readonly Counter.Child[] SliceLookups = ByResult(Lookups, "slice");

    public static void Rejected() => RejectedRequests.Inc();

    public static void Request(CacheResult result, long bytes)
    {
        RequestsByResult[(int)result].Inc();
        BytesByResult[(int)result].Inc(bytes);
    }

    /// <summary>Totals since start: every request, those answered without the origin, and body bytes sent.</summary>
    public static Common.Fleet.EdgeLoad Load()
    {
        long requests = 0, hits = 0, bytes = 0;
        foreach (var result in Enum.GetValues<CacheResult>())
        {
            var count = (long)RequestsByResult[(int)result].Value;
            requests += count;
            hits += result is CacheResult.L1Hit or CacheResult.L2Hit or CacheResult.Coalesced or CacheResult.Stale ? count : 0;
            bytes += (long)BytesByResult[(int)result].Value;
        }

        return new Common.Fleet.EdgeLoad(requests, hits, bytes);
    }

    public static void MetaLookup(CacheResult result) => MetaLookups[(int)result].Inc();

    public static void SliceLookup(CacheResult result) => SliceLookups[(int)result].Inc();

    public static void OriginFetch(string kind, bool ok, long bytes, TimeSpan elapsed)
    {
        OriginFetches.WithLabels(kind, ok ? "ok" : "error").Inc();
        OriginBytes.Inc(bytes);
        FillSeconds.WithLabels(kind).Observe(elapsed.TotalSeconds);
    }

    public static void ReadAheadStarted() => ReadAhead.WithLabels("started").Inc();

    public static void ReadAheadSkipped() => ReadAhead.WithLabels("skipped").Inc();

    public static void Purged() => Purges.Inc();

    public static IServiceCollection AddEdgeMetrics(this IServiceCollection services)
    {
        services.AddSingleton<IHostedService, MemoryGaugeRegistration>();
        return services;
    }

    public static string Label(CacheResult result) => result switch
    {
        CacheResult.L1Hit => "l1_hit",
        CacheResult.L2Hit => "l2_hit",
        CacheResult.Coalesced => "coalesced",
        CacheResult.Miss => "miss",
        CacheResult.Stale => "stale",
        _ => "unknown",
    };

    private static Counter.Child[] ByResult(Counter counter, string? kind = null) =>
        Enum.GetValues<CacheResult>().Select(r => kind is null ? counter.WithLabels(Label(r)) : counter.WithLabels(kind, Label(r))).ToArray();

    /// <summary>Reads L1's size when Prometheus scrapes, not on every request.</summary>
    private sealed class MemoryGaugeRegistration(MemoryEdgeCacheStore memory) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            MemoryLimit.Set(memory.LimitBytes);
            Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(() => MemoryBytes.Set(memory.CurrentBytes));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
