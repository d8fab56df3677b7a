using System.Net;
using System.Net.Sockets;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// A loopback listener the test owns that accepts and counts connections: any connection means something (ffmpeg,
/// ffprobe) followed a URL it should not have.
/// </summary>
public sealed class ConnectionCounter : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _accepting;
    private int _connections;

    public ConnectionCounter()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref _connections);
            }
        });
    }

    public int Port { get; }

    public int Connections => Volatile.Read(ref _connections);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => _accepting); // the accept loop ends with the listener
        _listener.Dispose();
    }
}
