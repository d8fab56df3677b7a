using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Edges;

internal sealed class FleetOptions
{
    public const string Section = "Fleet";

    /// <summary>An edge whose last heartbeat is older than this is down. With 1 s heartbeats, a dead edge drops in ≤ 3 s.</summary>
    [Range(500, 600_000)]
    public int HeartbeatExpiryMilliseconds { get; set; } = 3000;

    /// <summary>How often the registry is read and every edge's <c>/healthz</c> is probed.</summary>
    [Range(100, 60_000)]
    public int ProbeIntervalMilliseconds { get; set; } = 1000;

    /// <summary>A probe that has not answered in this time failed: a hung edge counts as down.</summary>
    [Range(50, 60_000)]
    public int ProbeTimeoutMilliseconds { get; set; } = 800;

    /// <summary>Registry entries without a heartbeat for this long are removed.</summary>
    [Range(1, 86_400)]
    public int ForgetAfterSeconds { get; set; } = 600;
}
