using System.Net;
using System.Net.Http.Headers;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Tests.OriginClient;

public sealed class OriginHttpClientTests
{
    [Fact]
    public async Task GetRange_OriginStallsMidBody_TimesOutInsteadOfHoldingTheFill()
    {
        using var handler = new StallingOrigin(sendBytes: 1000, ofLength: 4096);
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://origin.test"), Timeout = TimeSpan.FromMilliseconds(300) };
        var client = new OriginHttpClient(http);

        var fetch = client.GetRangeAsync("/titles/aaaaaaaaaaaa/v1/r/media.mp4", "\"v1\"", 0, 4096, CancellationToken.None);

        // Without a budget for the body this never completes; the outer bound only keeps a failing test from hanging.
        var e = await Assert.ThrowsAsync<OriginUnavailableException>(() => fetch.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(e.TimedOut);
        Assert.Contains("stalled", e.Message, StringComparison.Ordinal);
        Assert.True(handler.BodyReadCancelled);
    }

    /// <summary>Answers 206 with headers at once, sends the first bytes of the body, then goes silent.</summary>
    private sealed class StallingOrigin(int sendBytes, int ofLength) : HttpMessageHandler
    {
        private readonly StallingStream _body = new(sendBytes);

        public bool BodyReadCancelled => _body.Cancelled;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new StreamContent(_body) };
            response.Content.Headers.ContentLength = ofLength;
            response.Content.Headers.ContentRange = new ContentRangeHeaderValue(0, ofLength - 1, ofLength * 10L);
            return Task.FromResult(response);
        }
    }

    private sealed class StallingStream(int sendBytes) : Stream
    {
        private int _left = sendBytes;

        public bool Cancelled { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left > 0)
            {
                var n = Math.Min(_left, buffer.Length);
                buffer.Span[..n].Fill(7);
                _left -= n;
                return n;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }

            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
