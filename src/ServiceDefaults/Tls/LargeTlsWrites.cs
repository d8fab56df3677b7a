using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Vod.ServiceDefaults.Tls;

/// <summary>
/// Makes a TLS connection's writes full-sized records. Kestrel hands its TLS stream the response in its memory pool's
/// 4 KiB blocks, one <c>SslStream.WriteAsync</c> per block, and each becomes a TLS record and a <c>sendmsg</c>: a
/// 64 KiB range went out as 17 records and 17 system calls where nginx makes 5 (its <c>ssl_buffer_size</c> of 16 KiB).
/// On HTTP/2 every DATA frame was cut the same way. This connection middleware, placed after Kestrel's TLS one, gives
/// the HTTP layer a writer over the same <see cref="System.Net.Security.SslStream"/> whose buffers are at least
/// <see cref="WriteBytes"/>, so the headers share the first record with the body and every record is full. Figures:
/// bench/README.md, "HTTPS".
/// </summary>
public static class LargeTlsWrites
{
    /// <summary>The largest TLS record's payload (RFC 8446 section 5.1).</summary>
    public const int RecordBytes = 16 * 1024;

    /// <summary>
    /// The smallest buffer handed to TLS: four full records. <c>SslStream</c> cuts a write into records itself, and each
    /// <c>WriteAsync</c> costs enough that four records per call spent about a fifth less CPU on a 64 KiB range than
    /// one record per call (HTTP/1.1 and HTTP/2); 128 and 256 KiB were no better.
    /// </summary>
    public const int WriteBytes = 4 * RecordBytes;

    /// <summary>Adds the middleware. Call after <c>UseHttps</c>, so that it runs inside the TLS layer.</summary>
    public static ListenOptions UseLargeTlsWrites(this ListenOptions listen)
    {
        listen.Use(next => context => RunAsync(next, context));
        return listen;
    }

    private static async Task RunAsync(ConnectionDelegate next, ConnectionContext context)
    {
        if (context.Features.Get<ISslStreamFeature>()?.SslStream is not { } tls)
        {
            await next(context);
            return;
        }

        var kestrels = context.Transport;
        // A null pool makes the writer rent its buffers from the shared array pool, at least WriteBytes each, for as long
        // as they hold bytes not yet written.
        var output = PipeWriter.Create(tls, new StreamPipeWriterOptions(pool: null, minimumBufferSize: WriteBytes, leaveOpen: true));
        context.Transport = new DuplexPipe(kestrels.Input, output);
        try
        {
            await next(context);
        }
        finally
        {
            // Kestrel's TLS layer closes the stream after this returns; what is still buffered goes out first.
            await output.CompleteAsync();
            context.Transport = kestrels;
        }
    }
}
