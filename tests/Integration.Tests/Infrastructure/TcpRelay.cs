using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay to one target (a redis-server, an S3 server) that a test can cut: <see cref="Cut"/> closes every
/// relayed connection and refuses new ones (closed at once) until <see cref="Restore"/>; <see cref="Hold"/> stops the
/// bytes without closing anything. It puts one client, and only that one, on the far side of a network partition.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _cut;
    private TaskCompletionSource? _held;
    private long _bytesUp;
    private long _holdAfterUp = long.MaxValue;

    public TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Closes every relayed connection; new ones are closed as soon as they are accepted.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var socket in _open.Keys)
        {
            Close(socket);
        }
    }

    public void Restore() => _cut = false;

    /// <summary>Bytes relayed from clients to the target so far (what the client sent: requests and uploads).</summary>
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    /// <summary>
    /// Stops relaying in both directions, connections left open (a peer that stopped answering, not one that went
    /// away), until <see cref="Release"/>.
    /// </summary>
    public void Hold() => Interlocked.CompareExchange(ref _held, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    /// <summary>
    /// <see cref="Hold"/> by itself once clients have sent <paramref name="bytes"/> in all: a client stalls part-way
    /// through what it sends, at a point the test does not have to catch in time.
    /// </summary>
    public void HoldAfterBytesUp(long bytes) => Interlocked.Exchange(ref _holdAfterUp, bytes);

    public bool IsHeld => Volatile.Read(ref _held) is not null;

    public void Release()
    {
        Interlocked.Exchange(ref _held, null)?.TrySetResult();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_cut)
            {
                Close(client);
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            _open[client] = 0;
            _open[target] = 0;
            await Task.WhenAny(PumpAsync(client, target, up: true), PumpAsync(target, client, up: false));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            Close(client);
            Close(target);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool up)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                if (up && Interlocked.Add(ref _bytesUp, read) >= Interlocked.Read(ref _holdAfterUp))
                {
                    Interlocked.Exchange(ref _holdAfterUp, long.MaxValue);
                    Hold();
                }

                if (Volatile.Read(ref _held) is { } held)
                {
                    await held.Task.WaitAsync(_stop.Token);
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private void Close(Socket socket)
    {
        _open.TryRemove(socket, out _);
        try
        {
            socket.Close(0);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Release();
        _listener.Stop();
        Cut();
        await _accepting;
        _listener.Dispose();
        _stop.Dispose();
    }
}
