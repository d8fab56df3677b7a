using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Edges;

/// <summary>The origin's view of the fleet; <c>Fleet:Key</c> is read by origins and edges alike (<see cref="Vod.Common.Fleet.FleetKeyOptions"/>).</summary>
internal sealed class FleetOptions
{
    public const string Section = "Fleet";

    /// <summary>An edge whose last heartbeat is older than this is down. With 1 s heartbeats, a dead edge drops in ≤ 3 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan HeartbeatExpiry { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the registry is read and every edge's <c>/healthz</c> is probed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A probe that has not answered in this time failed: a hung edge counts as down.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Registry entries without a heartbeat for this long are removed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Host names the URLs of edge and origin registry entries may name (public and probe URLs), comma-separated,
    /// case-insensitive, as <c>System.Uri</c> writes them (IPv6 in brackets). Empty: any host. An entry naming another
    /// host is ignored: never routed to, never probed.
    /// </summary>
    public string? AllowedHosts { get; set; }
}
