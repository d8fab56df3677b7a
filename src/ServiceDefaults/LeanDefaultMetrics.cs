using Prometheus;

namespace Vod.ServiceDefaults;

/// <summary>
/// What <c>/metrics</c> carries besides each service's own metrics: process metrics and the runtime's meter
/// (<c>System.Runtime</c>: GC, heap, thread pool, exceptions, locks), all read when Prometheus scrapes.
/// prometheus-net would by default also listen to every .NET meter and every EventSource at Informational level, and
/// that costs work on every request: the hosting and Kestrel instruments record a tagged histogram per request and
/// per connection, and the hosting EventSource raises RequestStart/RequestStop events: measurably fewer cache hits per
/// second on the edge (bench/README.md, "Why the edge is shaped this way").
/// Our services count their requests themselves (for example <c>vod_edge_requests_total</c>).
/// </summary>
public static class LeanDefaultMetrics
{
    private static int _applied;

    /// <summary>Configures the default registry once per process, before anything has used it.</summary>
    public static void Apply()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1)
        {
            return;
        }

        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressEventCounters = true,
            SuppressMeters = true,
            SuppressDebugMetrics = true,
        });
        // No exemplars: looking for a trace context on every counter increment is work per request for data no
        // dashboard of ours reads.
        Metrics.DefaultFactory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = (_, _) => Exemplar.None };
        MeterAdapter.StartListening(new MeterAdapterOptions { InstrumentFilterPredicate = instrument => instrument.Meter.Name == "System.Runtime" });
    }
}
