using System.ComponentModel.DataAnnotations;

namespace Vod.Edge.Registry;

internal sealed class EdgeIdentityOptions
{
    public const string Section = "Edge";

    /// <summary>This edge's id, which players see as its HLS pathway id. Default: host name and port.</summary>
    public string? Id { get; set; }

    /// <summary>The base URL players use to reach this edge. Default: the address Kestrel bound (wildcards as 127.0.0.1).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The base URL the origin uses to probe this edge, when players and origin reach it differently.</summary>
    public string? InternalUrl { get; set; }

    /// <summary>How often the edge refreshes its registry entry (and the load figures in it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// On SIGTERM the edge leaves the registry, then keeps serving this long before it stops accepting requests, so
    /// that players steered elsewhere (steering TTL) finish their in-flight work here without an error.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:02:00")]
    public TimeSpan Drain { get; set; } = TimeSpan.FromSeconds(7);
}
