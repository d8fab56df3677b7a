using Prometheus;
using Vod.Common.Fleet;
using Vod.Edge.Caching;
using Vod.Edge.Metrics;

namespace Vod.Edge.Tests.Metrics;

/// <summary>The load an edge announces is exactly what its request series counted, each request once.</summary>
public sealed class EdgeMetricsTests
{
    [Fact]
    public void Load_SumsEveryRecordedRequest_HitsAreAnsweredWithoutTheOrigin()
    {
        var metrics = new EdgeMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));

        metrics.Request(206, CacheResult.L1Hit, 100);
        metrics.Request(200, CacheResult.L2Hit, 1000);
        metrics.Request(200, CacheResult.Coalesced, 10);
        metrics.Request(200, CacheResult.Stale, 1);
        metrics.Request(206, CacheResult.Miss, 50);
        metrics.Request(404, CacheResult.Miss, 0);
        metrics.Request(502, CacheResult.Miss, 0);
        metrics.Request(405, result: null, 0);

        Assert.Equal(new EdgeLoad(Requests: 8, Hits: 4, BytesServed: 1161), metrics.Load());
    }

    [Fact]
    public async Task Request_IsCountedByResultAndByStatusCode()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new EdgeMetrics(Prometheus.Metrics.WithCustomRegistry(registry));

        metrics.Request(404, CacheResult.Miss, 0);
        metrics.Request(404, CacheResult.L1Hit, 0);
        metrics.Request(403, result: null, 0);

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("vod_edge_responses_total{code=\"404\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("vod_edge_responses_total{code=\"403\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("vod_edge_requests_total{result=\"none\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("vod_edge_requests_total{result=\"miss\"} 1", text, StringComparison.Ordinal);
    }
}
