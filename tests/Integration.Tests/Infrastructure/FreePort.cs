using System.Net;
using System.Net.Sockets;

namespace Vod.Integration.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>A loopback port that was free a moment ago. Used only where a port must be known before a process starts.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
