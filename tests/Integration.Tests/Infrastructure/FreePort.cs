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

    /// <summary>
    /// The first of <paramref name="count"/> consecutive loopback ports that were all free a moment ago, for a server
    /// whose ports are derived from one base (<c>scripts/s3-server.sh</c>). Taken below the kernel's ephemeral range
    /// (32768 and up), where neither <see cref="Next"/> nor outgoing connections pick ports.
    /// </summary>
    public static int Block(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 32768 - count);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free loopback ports found between 20000 and 32767");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
