using System.Diagnostics.CodeAnalysis;
using Vod.Common.Fleet;

namespace Vod.Origin.Origins;

/// <summary>The pure rules behind <c>/api/origins</c> and the admin API's CORS check, unit-tested.</summary>
internal static class OriginList
{
    /// <summary>
    /// The live origins as clients should try them: <paramref name="self"/> first (the origin answering is alive), then
    /// every other origin whose heartbeat is at most <paramref name="expiry"/> older than <paramref name="asOf"/>, sorted,
    /// each origin (scheme://host:port) once.
    /// </summary>
    public static IReadOnlyList<string> Order(
        string self,
        IEnumerable<(OriginAnnouncement Origin, DateTimeOffset LastHeartbeat)> registry,
        DateTimeOffset asOf,
        TimeSpan expiry)
    {
        var selfKey = TryGetPageOrigin(self, out var s) ? s : self;
        var others = registry
            .Where(r => asOf - r.LastHeartbeat <= expiry && TryGetPageOrigin(r.Origin.Url, out var key) && key != selfKey)
            .Select(r => r.Origin.Url.TrimEnd('/'))
            .DistinctBy(url => TryGetPageOrigin(url, out var key) ? key : url)
            .Order(StringComparer.Ordinal);
        return [self.TrimEnd('/'), .. others];
    }

    /// <summary>
    /// The web origin of a URL as browsers send it in <c>Origin</c>, made comparable: lower-case scheme and host, the
    /// port always explicit (<c>https://vod.example</c> and <c>https://vod.example:443</c> are one origin). Only http(s).
    /// </summary>
    public static bool TryGetPageOrigin(string? url, [NotNullWhen(true)] out string? origin)
    {
        origin = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        origin = $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}:{uri.Port}";
        return true;
    }

    /// <summary>Whether a request's <c>Origin</c> header names one of <paramref name="known"/> (page origins from <see cref="TryGetPageOrigin"/>).</summary>
    public static bool IsKnownPageOrigin(string? requestOrigin, IReadOnlySet<string> known) =>
        TryGetPageOrigin(requestOrigin, out var origin) && known.Contains(origin);
}
