using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Tests.OriginClient;

public sealed class OriginHttpClientTests
{
    [Fact]
    public async Task GetRange_OriginStallsMidBody_TimesOutInsteadOfHoldingTheFill()
    {
        using var handler = new StallingOrigin(sendBytes: 1000, ofLength: 4096);
        using var http = new HttpClient(handler);
        var client = Client(http, "http://origin.test", requestTimeoutMs: 300);

        var fetch = client.GetRangeAsync("/titles/aaaaaaaaaaaa/v1/r/media.mp4", "\"v1\"", 0, 4096, CancellationToken.None);

        // Without a budget for the body this never completes; the outer bound only keeps a failing test from hanging.
        var e = await Assert.ThrowsAsync<OriginUnavailableException>(() => fetch.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(e.TimedOut);
        Assert.Contains("stalled", e.Message, StringComparison.Ordinal);
        Assert.True(handler.BodyReadCancelled);
    }

    [Theory]
    [InlineData("refuse")]
    [InlineData("500")]
    [InlineData("hang")]
    public async Task GetRange_FirstOriginFails_NextOriginAnswersAndFirstIsMarkedDown(string failure)
    {
        using var handler = new TwoOrigins(failure);
        using var http = new HttpClient(handler);
        var client = Client(http, "http://a.test,http://b.test", requestTimeoutMs: 5000, attemptTimeoutMs: 200, out var pool);

        var bytes = await client.GetRangeAsync("/titles/aaaaaaaaaaaa/v1/r/media.mp4", "\"v1\"", 0, 100, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(100, bytes.Length);
        Assert.Equal(["a.test", "b.test"], handler.Asked);
        Assert.Equal([new Uri("http://b.test/"), new Uri("http://a.test/")], pool.Candidates());

        // The next fetch asks the healthy origin first.
        handler.Asked.Clear();
        await client.HeadAsync("/titles/aaaaaaaaaaaa/v1/r/media.mp4", CancellationToken.None);
        Assert.Equal(["b.test"], handler.Asked);
    }

    [Fact]
    public async Task Head_EveryOriginFails_ThrowsTheLastFailure()
    {
        using var handler = new TwoOrigins("500", secondFails: true);
        using var http = new HttpClient(handler);
        var client = Client(http, "http://a.test,http://b.test", requestTimeoutMs: 5000, attemptTimeoutMs: 200, out _);

        var e = await Assert.ThrowsAsync<OriginUnavailableException>(() => client.HeadAsync("/titles/aaaaaaaaaaaa/v1/r/media.mp4", CancellationToken.None));

        Assert.Contains("503", e.Message, StringComparison.Ordinal);
        Assert.Equal(["a.test", "b.test"], handler.Asked);
    }

    private static OriginHttpClient Client(HttpClient http, string origins, int requestTimeoutMs = 10_000, int attemptTimeoutMs = 1500) =>
        Client(http, origins, requestTimeoutMs, attemptTimeoutMs, out _);

    private static OriginHttpClient Client(HttpClient http, string origins, int requestTimeoutMs, int attemptTimeoutMs, out OriginPool pool)
    {
        var options = Options.Create(new OriginOptions
        {
            BaseUrl = origins,
            RequestTimeout = TimeSpan.FromMilliseconds(requestTimeoutMs),
            AttemptTimeout = TimeSpan.FromMilliseconds(attemptTimeoutMs),
        });
        pool = new OriginPool(options, NullLogger<OriginPool>.Instance);
        return new OriginHttpClient(http, pool, options);
    }

    /// <summary>Origin a fails as told (refuses, answers 500, or hangs until cancelled); origin b answers (or 503s).</summary>
    private sealed class TwoOrigins(string failure, bool secondFails = false) : HttpMessageHandler
    {
        public List<string> Asked { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var host = request.RequestUri!.Host;
            lock (Asked)
            {
                Asked.Add(host);
            }

            if (host == "a.test")
            {
                switch (failure)
                {
                    case "refuse":
                        throw new HttpRequestException("Connection refused (a.test:80)");
                    case "500":
                        return new HttpResponseMessage(HttpStatusCode.InternalServerError);
                    default:
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                        break;
                }
            }

            if (secondFails)
            {
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            }

            var partial = request.Headers.Range is not null;
            var response = new HttpResponseMessage(partial ? HttpStatusCode.PartialContent : HttpStatusCode.OK)
            {
                Content = new ByteArrayContent(new byte[100]),
            };
            response.Headers.ETag = new EntityTagHeaderValue("\"v1\"");
            if (partial)
            {
                response.Content.Headers.ContentRange = new ContentRangeHeaderValue(0, 99, 1000);
            }

            return response;
        }
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
