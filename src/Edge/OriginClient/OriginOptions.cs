using System.ComponentModel.DataAnnotations;

namespace Vod.Edge.OriginClient;

internal sealed class OriginOptions
{
    public const string Section = "Origin";

    [Required, Url]
    public string BaseUrl { get; set; } = "http://127.0.0.1:5100";

    /// <summary>TCP connect timeout to the origin.</summary>
    [Range(50, 60_000)]
    public int ConnectTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>Whole-request timeout for one metadata or slice fetch.</summary>
    [Range(100, 300_000)]
    public int RequestTimeoutMilliseconds { get; set; } = 10_000;
}
