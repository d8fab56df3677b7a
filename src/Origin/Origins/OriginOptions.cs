using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Origins;

internal sealed class OriginOptions
{
    public const string Section = "Origin";

    /// <summary>This origin's id in the registry. Default: <c>origin-{machine}-{pid}</c>.</summary>
    public string? Id { get; set; }

    /// <summary>The base URL pages and players reach this origin on. Default: the address Kestrel bound (wildcards as 127.0.0.1).</summary>
    public string? PublicUrl { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>An origin whose last heartbeat is older than this is left out of <c>/api/origins</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an origin stays a known page origin (for CORS) after its last heartbeat, and when its registry entry is
    /// removed: a page served by an origin that died must still be able to call the others.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromMinutes(10);
}
