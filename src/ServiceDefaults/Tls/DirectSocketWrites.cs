using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Vod.ServiceDefaults.Tls;

/// <summary>
/// Sends the TLS layer's records straight to the socket. Kestrel's TLS stream writes each encrypted record into the
/// socket transport's pipe, which copies it into 4 KiB pool blocks before a sender loop hands them to the kernel; this
/// connection middleware, placed before Kestrel's TLS one, gives the TLS stream a writer that passes each record to
/// <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/> as it is, one copy fewer for
/// every byte served over HTTPS. Reads still come through the transport, which owns the socket's receive side.
/// </summary>
public static class DirectSocketWrites
{
    /// <summary>Adds the middleware. Call before <c>UseHttps</c>, so that the TLS layer writes through it.</summary>
    public static ListenOptions UseDirectSocketWrites(this ListenOptions listen)
    {
        listen.Use(next => async context =>
        {
            if (context.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
            {
                await next(context);
                return;
            }

            var transport = context.Transport;
            await using var output = new SocketWriter(socket);
            context.Transport = new DuplexPipe(transport.Input, output);
            try
            {
                await next(context);
            }
            finally
            {
                context.Transport = transport;
            }
        });
        return listen;
    }

    /// <summary>
    /// A pipe writer whose <see cref="WriteAsync"/> sends the caller's memory without copying it (the TLS stream awaits
    /// each write before it reuses its buffer); anything written through <see cref="GetMemory"/> is buffered until the
    /// next flush. Completion leaves the socket to the transport, which shuts it down when the connection ends.
    /// </summary>
    private sealed class SocketWriter(Socket socket) : PipeWriter, IAsyncDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffered = new();
        private bool _completed;

        public override void Advance(int bytes) => _buffered.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffered.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffered.GetSpan(sizeHint);

        public override async ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            var result = await FlushAsync(cancellationToken);
            return result.IsCanceled || result.IsCompleted ? result : await SendAsync(source, cancellationToken);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_buffered.WrittenCount == 0)
            {
                return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: _completed));
            }

            var pending = _buffered.WrittenMemory;
            return SendThenClearAsync(pending, cancellationToken);
        }

        private async ValueTask<FlushResult> SendThenClearAsync(ReadOnlyMemory<byte> pending, CancellationToken cancellationToken)
        {
            var result = await SendAsync(pending, cancellationToken);
            _buffered.ResetWrittenCount();
            return result;
        }

        private async ValueTask<FlushResult> SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            if (_completed)
            {
                return new FlushResult(isCanceled: false, isCompleted: true);
            }

            try
            {
                while (!bytes.IsEmpty)
                {
                    bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None, cancellationToken)..];
                }

                return new FlushResult(isCanceled: false, isCompleted: false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                throw new ConnectionResetException(e.Message, e);
            }
        }

        /// <summary>
        /// Nothing to cancel but a send the kernel has not taken: when Kestrel gives up on a connection it closes the
        /// socket, and that ends the send.
        /// </summary>
        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null) => _completed = true;

        public ValueTask DisposeAsync()
        {
            _completed = true;
            return ValueTask.CompletedTask;
        }
    }
}
