using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Hls;
using Vod.Edge.Caching;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Tests.Caching;

/// <summary>
/// The slice cache against an origin that answers ranges from a byte array and counts requests. Redis is a
/// multiplexer that cannot connect, which the L2 store must treat as a miss without waiting.
/// </summary>
public sealed class SliceCacheTests : IDisposable
{
    private const int Slice = 64 * 1024;
    private static readonly MediaPath Path = MediaPath.TryParse("aaaaaaaaaaaa/v1/360p/media.mp4", out var p) ? p : throw new InvalidOperationException();
    private readonly byte[] _object = Enumerable.Range(0, (Slice * 3) + 123).Select(i => (byte)(i * 7)).ToArray();
    private readonly CountingOrigin _origin;
    private readonly ConnectionMultiplexer _redis = ConnectionMultiplexer.Connect("127.0.0.1:1,abortConnect=false,connectTimeout=100");
    private readonly MemoryEdgeCacheStore _memory;
    private readonly SliceCache _cache;

    public SliceCacheTests()
    {
        _origin = new CountingOrigin(_object);
        var options = Options.Create(new CacheOptions { SliceBytes = Slice });
        _memory = new MemoryEdgeCacheStore(options);
        _cache = new SliceCache(
            _memory,
            new RedisEdgeCacheStore(_redis, NullLogger<RedisEdgeCacheStore>.Instance),
            new OriginHttpClient(new HttpClient(_origin) { BaseAddress = new Uri("http://origin.test") }),
            options);
    }

    public void Dispose()
    {
        _memory.Dispose();
        _redis.Dispose();
    }

    [Fact]
    public async Task GetSlice_ConcurrentMisses_FetchesOriginOnce()
    {
        var meta = (await _cache.GetMetaAsync(Path, default))!;
        _origin.Delay = TimeSpan.FromMilliseconds(200);

        var slices = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _cache.GetSliceAsync(Path, meta, 1, default).AsTask()));

        Assert.Equal(1, _origin.RangeRequests);
        Assert.All(slices, s => Assert.Equal(_object[Slice..(2 * Slice)], s));
        Assert.Equal(0, _cache.PendingFills);
    }

    [Fact]
    public async Task GetSlice_LastSlice_IsShortAndExact()
    {
        var meta = (await _cache.GetMetaAsync(Path, default))!;

        var last = await _cache.GetSliceAsync(Path, meta, 3, default);

        Assert.Equal(_object[(3 * Slice)..], last);
    }

    [Fact]
    public async Task GetSlice_SecondRequest_IsServedFromMemory()
    {
        var meta = (await _cache.GetMetaAsync(Path, default))!;

        await _cache.GetSliceAsync(Path, meta, 0, default);
        await _cache.GetSliceAsync(Path, meta, 0, default);
        await _cache.GetMetaAsync(Path, default);

        Assert.Equal(1, _origin.RangeRequests);
        Assert.Equal(1, _origin.HeadRequests);
    }

    [Fact]
    public async Task GetSlice_FirstCallerCancels_FillCompletesForTheOthers()
    {
        var meta = (await _cache.GetMetaAsync(Path, default))!;
        _origin.Delay = TimeSpan.FromMilliseconds(300);
        using var first = new CancellationTokenSource();

        var cancelled = _cache.GetSliceAsync(Path, meta, 2, first.Token).AsTask();
        var patient = _cache.GetSliceAsync(Path, meta, 2, default).AsTask();
        await first.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(_object[(2 * Slice)..(3 * Slice)], await patient);
        Assert.Equal(1, _origin.RangeRequests);
    }

    [Fact]
    public async Task GetMeta_OriginFails_ThrowsUnavailableNotMissing()
    {
        _origin.FailWith = HttpStatusCode.InternalServerError;

        var error = await Assert.ThrowsAsync<OriginUnavailableException>(() => _cache.GetMetaAsync(Path, default).AsTask());

        Assert.False(error.TimedOut);
    }

    [Fact]
    public async Task GetMeta_OriginSaysNotFound_ReturnsNull()
    {
        _origin.FailWith = HttpStatusCode.NotFound;

        Assert.Null(await _cache.GetMetaAsync(Path, default));
    }

    /// <summary>Answers HEAD and single-range GET for one object, as a static file server does.</summary>
    private sealed class CountingOrigin(byte[] content) : HttpMessageHandler
    {
        private int _head;
        private int _range;

        public TimeSpan Delay { get; set; }
        public HttpStatusCode? FailWith { get; set; }
        public int HeadRequests => Volatile.Read(ref _head);
        public int RangeRequests => Volatile.Read(ref _range);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Delay, cancellationToken);
            if (FailWith is { } status)
            {
                return new HttpResponseMessage(status);
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.ETag = new EntityTagHeaderValue("\"v1\"");
            if (request.Method == HttpMethod.Head)
            {
                Interlocked.Increment(ref _head);
                response.Content = new ByteArrayContent([]);
                response.Content.Headers.ContentLength = content.Length;
                response.Content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
                return response;
            }

            Interlocked.Increment(ref _range);
            var range = request.Headers.Range!.Ranges.Single();
            var (from, to) = (range.From!.Value, range.To!.Value);
            response.StatusCode = HttpStatusCode.PartialContent;
            response.Content = new ByteArrayContent(content[(int)from..(int)(to + 1)]);
            response.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, to, content.Length);
            return response;
        }
    }
}
