using System.IO.Pipelines;
using Vod.Edge.Delivery;

namespace Vod.Edge.Tests.Delivery;

public sealed class ResponsePipeTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(64 * 1024, false)]                                     // a small range: Kestrel's own write path
    [InlineData(64 * 1024, true)]                                      // the same over TLS: one segment
    [InlineData(ResponsePipe.LargePieceBytes, false)]                // the first size sent as one segment
    [InlineData((5 * ResponsePipe.MaxPieceBytes / 2) + 17, false)]   // pieces of the maximum, then a small tail
    [InlineData((5 * ResponsePipe.MaxPieceBytes / 2) + 17, true)]
    public async Task SendAsync_AnySize_DeliversTheSameBytesInOrder(int size, bool overTls)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0)); // never waits for the reader
        var flushes = 0;
        var writer = new CountingWriter(pipe.Writer, () => flushes++);

        var sent = await ResponsePipe.SendAsync(writer, bytes, overTls, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var received = await ReadAllAsync(pipe.Reader);

        Assert.True(sent);
        Assert.Equal(bytes, received);
        Assert.Equal((size + ResponsePipe.MaxPieceBytes - 1) / ResponsePipe.MaxPieceBytes, flushes);
    }

    [Fact]
    public async Task SendAsync_ReaderGone_ReturnsFalseAfterTheFirstPiece()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await pipe.Reader.CompleteAsync(); // as Kestrel's pipe when the connection closed
        var flushes = 0;

        var sent = await ResponsePipe.SendAsync(new CountingWriter(pipe.Writer, () => flushes++), new byte[3 * ResponsePipe.MaxPieceBytes], overTls: false, CancellationToken.None);

        Assert.False(sent);
        Assert.Equal(1, flushes);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 64 * 1024)]
    public async Task SendAsync_SmallPiece_GoesInAsOneSegmentOnlyOverTls(bool overTls, int expectedSizeHint)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var writer = new CountingWriter(pipe.Writer, () => { });

        await ResponsePipe.SendAsync(writer, new byte[64 * 1024], overTls, CancellationToken.None);

        // Kestrel's path is one WriteAsync (no span asked for); the one-segment path asks for the whole piece at once.
        Assert.Equal(expectedSizeHint, writer.LargestSizeHint);
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        using var all = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                all.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return all.ToArray();
            }
        }
    }

    /// <summary>Counts flushes (each <c>WriteAsync</c> flushes too) and passes everything on.</summary>
    private sealed class CountingWriter(PipeWriter inner, Action flushed) : PipeWriter
    {
        public override void Advance(int bytes) => inner.Advance(bytes);

        public int LargestSizeHint { get; private set; }

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            LargestSizeHint = Math.Max(LargestSizeHint, sizeHint);
            return inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            LargestSizeHint = Math.Max(LargestSizeHint, sizeHint);
            return inner.GetSpan(sizeHint);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            flushed();
            return inner.FlushAsync(cancellationToken);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            flushed();
            return inner.WriteAsync(source, cancellationToken);
        }
    }
}
