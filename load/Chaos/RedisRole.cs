using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vod.Load.Chaos;

/// <summary>
/// Which redis-server is the primary: its port from its process title, then <c>ROLE</c> over a raw RESP connection on
/// 127.0.0.1 (no client library for one command). Hitting the primary is what exercises a Sentinel failover.
/// </summary>
internal static class RedisRole
{
    private static readonly byte[] RoleCommand = "*1\r\n$4\r\nROLE\r\n"u8.ToArray();

    /// <summary>
    /// The port of a redis-server from its command line: <c>--port N</c>, or the <c>host:port</c> of its process title
    /// (<c>redis-server 127.0.0.1:6380</c>, <c>redis-server *:6380</c>); null when neither is there.
    /// </summary>
    public static int? Port(string commandLine)
    {
        var tokens = commandLine.Split([' ', '\0'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < tokens.Length; i++)
        {
            if (tokens[i] == "--port" && ValidPort(tokens[i + 1]) is { } port)
            {
                return port;
            }
        }

        if (tokens is [var program, var address, ..] && program.Contains("redis", StringComparison.Ordinal)
            && address.LastIndexOf(':') is var colon and > 0 && address[..colon] is { Length: > 0 } host && !host.EndsWith(':'))
        {
            return ValidPort(address[(colon + 1)..]);
        }

        return null;
    }

    /// <summary>The role in a RESP <c>ROLE</c> reply (<c>*3\r\n$6\r\nmaster\r\n...</c>): master, slave or sentinel; null if unreadable.</summary>
    public static string? ParseRole(string reply)
    {
        var lines = reply.Split("\r\n");
        return lines.Length >= 4 && lines[0].StartsWith('*') && lines[1].StartsWith('$') && lines[2].Length > 0 ? lines[2] : null;
    }

    /// <summary>Asks the server on 127.0.0.1:<paramref name="port"/> its role; null when it does not answer in time.</summary>
    public static async Task<string?> QueryAsync(int port, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        using var client = new TcpClient(AddressFamily.InterNetwork);
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, limit.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(RoleCommand, limit.Token);
            var buffer = new byte[512];
            var length = 0;
            // The role is the third line of the reply: a read or two.
            while (length < buffer.Length && Encoding.ASCII.GetString(buffer, 0, length).Split("\r\n").Length < 4)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), limit.Token);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return ParseRole(Encoding.ASCII.GetString(buffer, 0, length));
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private static int? ValidPort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port : null;
}
