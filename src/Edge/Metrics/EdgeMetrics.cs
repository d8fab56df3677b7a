using Prometheus;
using Vod.Common.Fleet;
using Vod.Edge.Caching;

namespace Vod.Edge.Metrics;

/// <summary>
/// The edge's metrics: the Prometheus series served at <c>/metrics</c>, whose totals the heartbeat also announces as
/// the edge's load (<see cref="Load"/>). One instance per edge, injected where something is counted; every media
/// request is recorded once, at the data plane's single exit (<see cref="Request"/>). Label children are resolved
/// once, here, so the hot path only increments counters.
/// </summary>
internal sealed class EdgeMetrics
{
    private readonly Counter.Child[] _requestsByResult;
    private readonly Counter.Child[] _bytesByResult;
    private readonly Counter.Child _requestsRefused;
    private readonly Counter _responses;
    private readonly Counter.Child?[] _responsesByCode = new Counter.Child?[600];
    private readonly Counter.Child[] _metaLookups;
    private readonly Counter.Child[] _sliceLookups;
    private readonly Counter _originFetches;
    private readonly Counter _originBytes;
    private readonly Histogram _fillSeconds;
    private readonly Counter.Child _readAheadStarted;
    private readonly Counter.Child _readAheadSkipped;
    private readonly Counter _rejected;
    private readonly Counter _purges;

    public EdgeMetrics()
        : this(Prometheus.Metrics.DefaultFactory)
    {
    }

    /// <param name="factory">Where the series are registered (a factory over a registry of its own in tests).</param>
    public EdgeMetrics(IMetricFactory factory)
    {
        var requests = factory.CreateCounter(
            "vod_edge_requests_total", "Media requests by cache result (the costliest lookup of the request; none when refused before a lookup).", ["result"]);
        _requestsByResult = ByResult(requests);
        _requestsRefused = requests.WithLabels("none");
        _bytesByResult = ByResult(factory.CreateCounter("vod_edge_response_bytes_total", "Body bytes sent for media requests, by cache result.", ["result"]));
        _responses = factory.CreateCounter("vod_edge_responses_total", "Media requests by response status code.", ["code"]);
        var lookups = factory.CreateCounter("vod_edge_lookups_total", "Metadata and slice lookups by where they were answered.", ["kind", "result"]);
        _metaLookups = ByResult(lookups, "meta");
        _sliceLookups = ByResult(lookups, "slice");
        _originFetches = factory.CreateCounter("vod_edge_origin_fetches_total", "Requests this edge made to the origin.", ["kind", "outcome"]);
        _originBytes = factory.CreateCounter("vod_edge_origin_bytes_total", "Body bytes fetched from the origin.");
        _fillSeconds = factory.CreateHistogram(
            "vod_edge_fill_duration_seconds", "Time to fill a cache miss from the origin.",
            new HistogramConfiguration { LabelNames = ["kind"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });
        var readAhead = factory.CreateCounter(
            "vod_edge_read_ahead_total", "Read-ahead slice fetches, started or skipped because the limit was reached.", ["outcome"]);
        _readAheadStarted = readAhead.WithLabels("started");
        _readAheadSkipped = readAhead.WithLabels("skipped");
        _rejected = factory.CreateCounter("vod_edge_rejected_total", "Requests answered 503 at once because too many were already waiting for fills.");
        _purges = factory.CreateCounter("vod_edge_purges_total", "Titles purged from this edge's memory.");
        MemoryBytes = factory.CreateGauge("vod_edge_l1_bytes", "Bytes held by the in-memory cache (L1).");
        MemoryLimit = factory.CreateGauge("vod_edge_l1_limit_bytes", "The in-memory cache's byte limit.");
    }

    private Gauge MemoryBytes { get; }

    private Gauge MemoryLimit { get; }

    /// <summary>
    /// A media request has been answered: <paramref name="status"/> as sent, <paramref name="result"/> the costliest
    /// lookup it made (null when it was refused before any), <paramref name="bytes"/> of body sent.
    /// </summary>
    public void Request(int status, CacheResult? result, long bytes)
    {
        if (result is { } r)
        {
            _requestsByResult[(int)r].Inc();
            _bytesByResult[(int)r].Inc(bytes);
        }
        else
        {
            _requestsRefused.Inc();
        }

        ByCode(status).Inc();
    }

    /// <summary>This edge's totals since it started: every media request, those answered without the origin, body bytes sent.</summary>
    public EdgeLoad Load()
    {
        long requests = (long)_requestsRefused.Value, hits = 0, bytes = 0;
        foreach (var result in Enum.GetValues<CacheResult>())
        {
            var count = (long)_requestsByResult[(int)result].Value;
            requests += count;
            hits += IsHit(result) ? count : 0;
            bytes += (long)_bytesByResult[(int)result].Value;
        }

        return new(requests, hits, bytes);
    }

    public void Rejected() => _rejected.Inc();

    public void MetaLookup(CacheResult result) => _metaLookups[(int)result].Inc();

    public void SliceLookup(CacheResult result) => _sliceLookups[(int)result].Inc();

    public void OriginFetch(string kind, bool ok, long bytes, TimeSpan elapsed)
    {
        _originFetches.WithLabels(kind, ok ? "ok" : "error").Inc();
        _originBytes.Inc(bytes);
        _fillSeconds.WithLabels(kind).Observe(elapsed.TotalSeconds);
    }

    public void ReadAheadStarted() => _readAheadStarted.Inc();

    public void ReadAheadSkipped() => _readAheadSkipped.Inc();

    public void Purged() => _purges.Inc();

    /// <summary>The value of the <c>X-Cache</c> header and of the <c>result</c> label.</summary>
    public static string Label(CacheResult result) => result switch
    {
        CacheResult.L1Hit => "l1_hit",
        CacheResult.L2Hit => "l2_hit",
        CacheResult.Coalesced => "coalesced",
        CacheResult.Miss => "miss",
        CacheResult.Stale => "stale",
        _ => "unknown",
    };

    /// <summary>Answered without a request to the origin by this request (a coalesced wait or a stale copy counts).</summary>
    private static bool IsHit(CacheResult result) => result is CacheResult.L1Hit or CacheResult.L2Hit or CacheResult.Coalesced or CacheResult.Stale;

    private Counter.Child ByCode(int status)
    {
        var code = (uint)status < (uint)_responsesByCode.Length ? status : 0;
        return _responsesByCode[code] ??= _responses.WithLabels(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Counter.Child[] ByResult(Counter counter, string? kind = null) =>
        Enum.GetValues<CacheResult>().Select(r => kind is null ? counter.WithLabels(Label(r)) : counter.WithLabels(kind, Label(r))).ToArray();

    /// <summary>Reads L1's size when Prometheus scrapes, not on every request.</summary>
    internal sealed class MemoryGaugeRegistration(MemoryEdgeCacheStore memory, EdgeMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            metrics.MemoryLimit.Set(memory.LimitBytes);
            Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(() => metrics.MemoryBytes.Set(memory.CurrentBytes));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

internal static class EdgeMetricsExtensions
{
    public static IServiceCollection AddEdgeMetrics(this IServiceCollection services)
    {
        services.AddSingleton<EdgeMetrics>();
        services.AddSingleton<IHostedService, EdgeMetrics.MemoryGaugeRegistration>();
        return services;
    }
}
