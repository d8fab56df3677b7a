using System.Net;

namespace Vod.Load.Viewer;

/// <summary>The tool only ever sends load to this machine: every URL it would request must be a loopback address.</summary>
internal static class Loopback
{
    public static bool IsLoopback(Uri uri) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    /// <exception cref="NotLoopbackException">when <paramref name="uri"/> is not a loopback http(s) URL.</exception>
    public static Uri Require(Uri uri, string what) =>
        IsLoopback(uri) ? uri : throw new NotLoopbackException($"refusing to load-test {what} {uri}: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed");
}

internal sealed class NotLoopbackException(string message) : Exception(message);
