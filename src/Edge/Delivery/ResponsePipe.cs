using System.IO.Pipelines;

namespace Vod.Edge.Delivery;

/// <summary>
/// Writes a response body into Kestrel's output pipe straight from the cached slices: no intermediate buffer, one
/// flush per piece. (The framework's file result did the same HTTP work but copied every byte through a 64 KiB buffer.)
/// </summary>
internal static class ResponsePipe
{
    /// <summary>
    /// The largest piece handed to Kestrel at once: its response buffer per connection (<see cref="KestrelTuning"/>),
    /// so a connection never holds more than that between flushes.
    /// </summary>
    internal const int MaxPieceBytes = KestrelTuning.ResponseBufferBytes;

    /// <summary>From this size a piece goes into Kestrel's pipe as one segment (see <see cref="SendAsync"/>).</summary>
    internal const int LargePieceBytes = 128 * 1024;

    /// <summary>
    /// Copies the bytes into Kestrel's output pipe, flushing after each piece of up to <see cref="MaxPieceBytes"/>.
    /// A large piece, and over TLS every piece, goes in as one pipe segment. Kestrel's own <c>WriteAsync</c> copies into
    /// its 4 KiB pool blocks: a 1 MiB slice became 256 pipe segments and as many buffers in each <c>sendmsg</c>. On plain
    /// HTTP one segment is cheaper for large pieces and no better for small ones (an array-pool buffer, pinned for each
    /// send), so pieces under <see cref="LargePieceBytes"/> still take Kestrel's path there. Over TLS the bytes are
    /// copied again into TLS records anyway, and one segment saved about a tenth of the CPU of a 64 KiB range on HTTP/1.1
    /// and HTTP/2. Figures: bench/README.md, "Why the edge is shaped this way" and "HTTPS".
    /// </summary>
    /// <returns>False when the client has gone and nothing more should be written.</returns>
    internal static async ValueTask<bool> SendAsync(PipeWriter writer, ReadOnlyMemory<byte> bytes, bool overTls, CancellationToken aborted)
    {
        while (!bytes.IsEmpty)
        {
            var count = Math.Min(bytes.Length, MaxPieceBytes);
            FlushResult flush;
            if (count < LargePieceBytes && !overTls)
            {
                flush = await writer.WriteAsync(bytes[..count], aborted);
            }
            else
            {
                bytes.Span[..count].CopyTo(writer.GetSpan(count));
                writer.Advance(count);
                flush = await writer.FlushAsync(aborted);
            }

            bytes = bytes[count..];
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return false;
            }
        }

        return true;
    }
}
