namespace Vod.Common.Fleet;

/// <summary>
/// The rule for a URL a fleet member announces. Such a URL is written into master playlists (a variant URI line, next
/// to quoted attributes), probed by the origin and handed to browsers as a fallback, so it must be a plain absolute
/// http(s) base URL: printable ASCII without quotes, commas, spaces, angle brackets or backslashes, and without user
/// info, query or fragment (a base URL has no use for them; each is a way to smuggle a different host or a request).
/// </summary>
public static class FleetUrl
{
    public const int MaxLength = 512;

    public static bool IsValid(string? url)
    {
        if (url is null or { Length: 0 or > MaxLength } || url.Any(c => c is <= ' ' or >= '\x7f' or '"' or '\'' or ',' or '<' or '>' or '\\' or '`'
            or '?' or '#' or '@' or '{' or '}' or '|' or '^'))
        {
            return false;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && url.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase)
            && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0
            && uri.Host.Length > 0;
    }

    /// <summary>The host of a valid URL, lower case (what <c>Fleet:AllowedHosts</c> lists).</summary>
    public static string Host(string url) => new Uri(url, UriKind.Absolute).Host.ToLowerInvariant();
}
