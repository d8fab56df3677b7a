using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vod.Common.Hls;
using Vod.Edge.Caching;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Tests.Caching;

/// <summary>
/// The tiers (L1 → L2 → fill, stale-if-error) against an origin that answers ranges from a byte array and counts
/// requests, and an in-memory shared store (L2) the test can look into and play other edges with.
/// </summary>
public sealed class SliceCacheTests : IDisposable
{
    private const int Slice = 64 * 1024;
    private static readonly MediaPath Path = MediaPath.TryParse("aaaaaaaaaaaa/v1/360p/media.mp4", out var p) ? p : throw new InvalidOperationException();
    private readonly byte[] _object = Enumerable.Range(0, (Slice * 3) + 123).Select(i => (byte)(i * 7)).ToArray();
    private readonly CountingOrigin _origin;
    private readonly InMemorySharedStore _shared = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-27T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly MemoryEdgeCacheStore _memory;
    private readonly FillCoalescer _fills;
    private readonly TitleGenerations _generations = new();
    private readonly ReadAhead _readAhead;
    private readonly SliceCache _cache;

    public SliceCacheTests()
        : this(new CacheOptions { SliceBytes = Slice, ReadAheadSlices = 0, LeaseWait = TimeSpan.FromSeconds(30) })
    {
    }

    private SliceCacheTests(CacheOptions cacheOptions)
    {
        _origin = new CountingOrigin(_object);
        var options = Options.Create(cacheOptions);
        _memory = new MemoryEdgeCacheStore(options);
        var metrics = new EdgeMetrics();
        _fills = new FillCoalescer(options, _time, metrics);
        _readAhead = new ReadAhead(_memory, _fills, options, metrics, NullLogger<ReadAhead>.Instance);
        _cache = new SliceCache(
            _memory,
            _shared,
            _fills,
            new FleetFill(_shared, options, _time),
            _readAhead,
            _generations,
            OriginClient(new HttpClient(_origin)),
            options,
            _time,
            metrics,
            NullLogger<SliceCache>.Instance);
    }

    private static OriginHttpClient OriginClient(HttpClient http)
    {
        var options = Options.Create(new OriginOptions { BaseUrl = "http://origin.test" });
        return new OriginHttpClient(http, new OriginPool(options, NullLogger<OriginPool>.Instance), options);
    }

    public void Dispose()
    {
        _readAhead.Dispose();
        _memory.Dispose();
    }

    private async Task<CachedObject> MetaAsync() => (await _cache.GetObjectAsync(Path, default)).Value!;

    [Fact]
    public async Task GetSlice_ConcurrentMisses_FetchesOriginOnce()
    {
        var meta = await MetaAsync();
        _origin.Delay = TimeSpan.FromMilliseconds(200);

        var slices = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _cache.GetSliceAsync(Path, meta, 1, readAhead: false, default).AsTask()));

        Assert.Equal(1, _origin.RangeRequests);
        Assert.All(slices, s => Assert.Equal(_object[Slice..(2 * Slice)], s.Value));
        Assert.Equal(19, slices.Count(s => s.Result == CacheResult.Coalesced));
        Assert.Equal(0, _fills.Pending);
    }

    [Fact]
    public async Task GetSlice_LastSlice_IsShortAndExact()
    {
        var meta = await MetaAsync();

        var last = await _cache.GetSliceAsync(Path, meta, 3, readAhead: false, default);

        Assert.Equal(_object[(3 * Slice)..], last.Value);
    }

    [Fact]
    public async Task GetSlice_SecondRequest_IsServedFromMemory()
    {
        var meta = await MetaAsync();

        var first = await _cache.GetSliceAsync(Path, meta, 0, readAhead: false, default);
        var second = await _cache.GetSliceAsync(Path, meta, 0, readAhead: false, default);
        var metaAgain = await _cache.GetObjectAsync(Path, default);

        Assert.Equal(CacheResult.Miss, first.Result);
        Assert.Equal(CacheResult.L1Hit, second.Result);
        Assert.Equal(CacheResult.L1Hit, metaAgain.Result);
        Assert.Equal(1, _origin.RangeRequests);
        Assert.Equal(1, _origin.HeadRequests);
    }

    [Fact]
    public async Task GetSlice_FirstCallerCancels_FillCompletesForTheOthers()
    {
        var meta = await MetaAsync();
        _origin.Delay = TimeSpan.FromMilliseconds(300);
        using var first = new CancellationTokenSource();

        var cancelled = _cache.GetSliceAsync(Path, meta, 2, readAhead: false, first.Token).AsTask();
        var patient = _cache.GetSliceAsync(Path, meta, 2, readAhead: false, default).AsTask();
        await first.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(_object[(2 * Slice)..(3 * Slice)], (await patient).Value);
        Assert.Equal(1, _origin.RangeRequests);
    }

    [Fact]
    public async Task GetMeta_OriginFails_ThrowsUnavailableNotMissing()
    {
        _origin.FailWith = HttpStatusCode.InternalServerError;

        var error = await Assert.ThrowsAsync<OriginUnavailableException>(() => _cache.GetObjectAsync(Path, default).AsTask());

        Assert.False(error.TimedOut);
    }

    [Fact]
    public async Task GetMeta_OriginSaysNotFound_ReturnsNull()
    {
        _origin.FailWith = HttpStatusCode.NotFound;

        Assert.Null((await _cache.GetObjectAsync(Path, default)).Value);
    }

    [Fact]
    public async Task GetMeta_ExpiredAndOriginDown_ServesStaleCopy()
    {
        var meta = await MetaAsync();
        _time.Advance(TimeSpan.FromDays(8)); // past the media freshness of 7 days, within the stale window
        _origin.FailWith = HttpStatusCode.BadGateway;

        var stale = await _cache.GetObjectAsync(Path, default);

        Assert.Equal(CacheResult.Stale, stale.Result);
        Assert.Equal(meta.Meta, stale.Value!.Meta);
    }

    [Fact]
    public async Task GetMeta_ExpiredAndOriginUp_Revalidates()
    {
        await MetaAsync();
        _time.Advance(TimeSpan.FromDays(8));

        var again = await _cache.GetObjectAsync(Path, default);

        Assert.Equal(CacheResult.Miss, again.Result);
        Assert.Equal(2, _origin.HeadRequests);
    }

    [Fact]
    public async Task GetSlice_WithReadAhead_FetchesTheNextSlicesInTheBackground()
    {
        using var readingAhead = new SliceCacheTests(new CacheOptions { SliceBytes = Slice, ReadAheadSlices = 2 });
        var meta = await readingAhead.MetaAsync();

        await readingAhead._cache.GetSliceAsync(Path, meta, 0, readAhead: true, default);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (readingAhead._origin.RangeRequests < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(3, readingAhead._origin.RangeRequests);
        Assert.Equal(CacheResult.L1Hit, (await readingAhead._cache.GetSliceAsync(Path, meta, 1, readAhead: false, default)).Result);
        Assert.Equal(CacheResult.L1Hit, (await readingAhead._cache.GetSliceAsync(Path, meta, 2, readAhead: false, default)).Result);
        Assert.Equal(3, readingAhead._origin.RangeRequests);
    }

    [Fact]
    public async Task GetSlice_ThreeTimesTheMemoryLimit_NeverExceedsTheLimit()
    {
        const int limit = 1 << 20;
        using var small = new SliceCacheTests(new CacheOptions { SliceBytes = 16 * 1024, MemoryLimitBytes = limit, ReadAheadSlices = 0 });
        var large = Enumerable.Range(0, 3 * limit).Select(i => (byte)i).ToArray();
        small._origin.Content = large;
        var meta = await small.MetaAsync();

        for (var i = 0; i < large.Length / (16 * 1024); i++)
        {
            var slice = await small._cache.GetSliceAsync(Path, meta, i, readAhead: false, default);
            Assert.Equal(large.AsSpan(i * 16 * 1024, 16 * 1024).ToArray(), slice.Value);
            Assert.InRange(small._memory.CurrentBytes, 0, limit);
        }
    }

    [Fact]
    public async Task GetSlice_MoreClientsWaitingThanAllowed_TheNextIsRefusedAtOnce_HitsAndLaterMissesStillServed()
    {
        using var bounded = new SliceCacheTests(new CacheOptions { SliceBytes = Slice, ReadAheadSlices = 0, MaxWaitingRequests = 2 });
        var meta = await bounded.MetaAsync();
        var cached = await bounded._cache.GetSliceAsync(Path, meta, 0, readAhead: false, default);
        bounded._origin.Delay = TimeSpan.FromSeconds(1);

        var waiting = Enumerable.Range(1, 2).Select(i => bounded._cache.GetSliceAsync(Path, meta, i, readAhead: false, default).AsTask()).ToArray();
        await WaitUntilAsync(() => bounded._fills.Waiting == 2);

        await Assert.ThrowsAsync<EdgeBusyException>(() => bounded._cache.GetSliceAsync(Path, meta, 3, readAhead: false, default).AsTask());
        await Assert.ThrowsAsync<EdgeBusyException>(() => bounded._cache.GetSliceAsync(Path, meta, 1, readAhead: false, default).AsTask());
        Assert.Equal(cached.Value, (await bounded._cache.GetSliceAsync(Path, meta, 0, readAhead: false, default)).Value); // a hit never waits

        await Task.WhenAll(waiting);
        Assert.Equal(0, bounded._fills.Waiting);
        Assert.Equal(_object[(3 * Slice)..], (await bounded._cache.GetSliceAsync(Path, meta, 3, readAhead: false, default)).Value);
    }

    [Fact]
    public async Task GetSlice_FillSlowerThanTheWaitLimit_TimesOutAs504_AndTheFillStillLandsForTheNextRequest()
    {
        using var bounded = new SliceCacheTests(new CacheOptions { SliceBytes = Slice, ReadAheadSlices = 0, MaxWait = TimeSpan.FromMilliseconds(500) });
        var meta = await bounded.MetaAsync();
        bounded._origin.Delay = TimeSpan.FromSeconds(1);

        var slow = bounded._cache.GetSliceAsync(Path, meta, 1, readAhead: false, default).AsTask();
        await WaitUntilAsync(() => bounded._fills.Waiting == 1);
        bounded._time.Advance(TimeSpan.FromMilliseconds(501));

        var error = await Assert.ThrowsAsync<OriginUnavailableException>(() => slow);
        Assert.True(error.TimedOut);
        await WaitUntilAsync(() => bounded._fills.Pending == 0);
        var next = await bounded._cache.GetSliceAsync(Path, meta, 1, readAhead: false, default);
        Assert.Equal(CacheResult.L1Hit, next.Result);
        Assert.Equal(1, bounded._origin.RangeRequests);
    }

    [Fact]
    public async Task GetSlice_Miss_IsStoredInL2ForTheFleet_AndTheLeaseIsReleased()
    {
        var meta = await MetaAsync();

        var slice = await _cache.GetSliceAsync(Path, meta, 1, readAhead: false, default);

        Assert.Equal(CacheResult.Miss, slice.Result);
        Assert.True(_shared.Contains(meta.SliceKey(1)));
        Assert.True(_shared.Contains(EdgeCacheKeys.Meta(Path, 0)));
        Assert.False(_shared.IsLeased(meta.SliceKey(1)));
        var calls = _shared.Calls.ToList();
        Assert.Contains($"set {meta.SliceKey(1)}", calls);
        Assert.Contains($"release {meta.SliceKey(1)}", calls);
        Assert.True(calls.IndexOf($"set {meta.SliceKey(1)}") < calls.IndexOf($"release {meta.SliceKey(1)}"), "stored before the lease goes: " + string.Join(", ", calls));
    }

    [Fact]
    public async Task GetSlice_InL2ButNotInMemory_IsAnL2Hit_WithoutTheOrigin()
    {
        var meta = await MetaAsync();
        var bytes = _object[Slice..(2 * Slice)];
        _shared.Put(meta.SliceKey(1), bytes);

        var slice = await _cache.GetSliceAsync(Path, meta, 1, readAhead: false, default);
        var again = await _cache.GetSliceAsync(Path, meta, 1, readAhead: false, default);

        Assert.Equal(CacheResult.L2Hit, slice.Result);
        Assert.Equal(bytes, slice.Value);
        Assert.Equal(CacheResult.L1Hit, again.Result);
        Assert.Equal(0, _origin.RangeRequests);
    }

    [Fact]
    public async Task GetSlice_L2HoldsAPieceOfTheWrongLength_IsNotServed_TheOriginIsAsked()
    {
        var meta = await MetaAsync();
        _shared.Put(meta.SliceKey(1), new byte[10]);

        var slice = await _cache.GetSliceAsync(Path, meta, 1, readAhead: false, default);

        Assert.Equal(CacheResult.Miss, slice.Result);
        Assert.Equal(_object[Slice..(2 * Slice)], slice.Value);
    }

    [Fact]
    public async Task GetMeta_AnotherEdgeIsFilling_WaitsForItsValue_InsteadOfAskingTheOrigin()
    {
        using var other = new SliceCacheTests();
        var filled = await other.MetaAsync(); // another edge's fill: its metadata entry, as it stores it in L2
        var key = EdgeCacheKeys.Meta(Path, 0);
        _shared.HoldLeaseAsAnotherEdge(key);

        var waiting = _cache.GetObjectAsync(Path, default).AsTask();
        await AdvanceWhileAsync(waiting, times: 5);
        Assert.False(waiting.IsCompleted);
        _shared.Put(key, other._shared.Get(key)!);
        _shared.ReleaseAnotherEdgesLease(key);
        await AdvanceWhileAsync(waiting);

        var lookup = await waiting;
        Assert.Equal(CacheResult.Coalesced, lookup.Result);
        Assert.Equal(filled.Meta, lookup.Value!.Meta);
        Assert.Equal(0, _origin.HeadRequests);
    }

    [Fact]
    public async Task GetSlice_TheLeaseHolderGoesAwayWithoutStoring_ThisEdgeFetchesItself()
    {
        var meta = await MetaAsync();
        var key = meta.SliceKey(2);
        _shared.HoldLeaseAsAnotherEdge(key);

        var waiting = _cache.GetSliceAsync(Path, meta, 2, readAhead: false, default).AsTask();
        await AdvanceWhileAsync(waiting, times: 5);
        _shared.ReleaseAnotherEdgesLease(key);
        await AdvanceWhileAsync(waiting);

        var slice = await waiting;
        Assert.Equal(CacheResult.Miss, slice.Result);
        Assert.Equal(1, _origin.RangeRequests);
    }

    [Fact]
    public async Task GetSlice_SharedStoreUnavailable_ServedFromTheOriginAndMemory()
    {
        _shared.Available = false;
        var meta = await MetaAsync();

        var first = await _cache.GetSliceAsync(Path, meta, 0, readAhead: false, default);
        var second = await _cache.GetSliceAsync(Path, meta, 0, readAhead: false, default);

        Assert.Equal(CacheResult.Miss, first.Result);
        Assert.Equal(CacheResult.L1Hit, second.Result);
        Assert.False(_shared.Contains(meta.SliceKey(0)));
    }

    [Fact]
    public async Task GetMeta_NotInMemoryAndOriginDown_ServesTheExpiredCopyFromL2()
    {
        using var other = new SliceCacheTests();
        var filled = await other.MetaAsync();
        var key = EdgeCacheKeys.Meta(Path, 0);
        _shared.Put(key, other._shared.Get(key)!);
        _time.Advance(TimeSpan.FromDays(8)); // past freshness, within the stale window
        _origin.FailWith = HttpStatusCode.BadGateway;

        var stale = await _cache.GetObjectAsync(Path, default);

        Assert.Equal(CacheResult.Stale, stale.Result);
        Assert.Equal(filled.Meta, stale.Value!.Meta);
    }

    [Fact]
    public async Task GetMeta_OriginSaysNotFound_NothingIsStored()
    {
        _origin.FailWith = HttpStatusCode.NotFound;

        await _cache.GetObjectAsync(Path, default);

        Assert.False(_shared.Contains(EdgeCacheKeys.Meta(Path, 0)));
        Assert.False(_shared.IsLeased(EdgeCacheKeys.Meta(Path, 0)));
    }

    [Fact]
    public async Task GetMeta_FillStillInFlightWhenTheTitleIsPurged_CannotBringItBack()
    {
        _origin.Delay = TimeSpan.FromMilliseconds(300);
        var late = _cache.GetObjectAsync(Path, default).AsTask();
        await WaitUntilAsync(() => _fills.Pending == 1);

        _generations.Advance(Path.TitleId, 1); // the purge, as the purge log delivers it
        _memory.PurgeTitle(Path.TitleId);
        await late; // lands after the purge, under the old generation's keys
        _origin.Delay = TimeSpan.Zero;
        var after = await _cache.GetObjectAsync(Path, default);

        Assert.Equal(CacheResult.Miss, after.Result);
        Assert.Equal(2, _origin.HeadRequests);
        Assert.True(_shared.Contains(EdgeCacheKeys.Meta(Path, 1)));
    }

    [Fact]
    public async Task GetMeta_OriginSaysNotFound_TheNextRequestIsAnsweredFromMemory()
    {
        _origin.FailWith = HttpStatusCode.NotFound;

        var first = await _cache.GetObjectAsync(Path, default);
        var second = await _cache.GetObjectAsync(Path, default);

        Assert.Null(first.Value);
        Assert.Null(second.Value);
        Assert.Equal(CacheResult.L1Hit, second.Result);
        Assert.Equal(1, _origin.HeadRequests);
    }

    [Fact]
    public async Task GetMeta_NotFoundNotRemembered_WhenTheTtlIsZero()
    {
        using var forgetful = new SliceCacheTests(new CacheOptions { SliceBytes = Slice, ReadAheadSlices = 0, NotFoundTtl = TimeSpan.Zero });
        forgetful._origin.FailWith = HttpStatusCode.NotFound;

        await forgetful._cache.GetObjectAsync(Path, default);
        await forgetful._cache.GetObjectAsync(Path, default);

        Assert.Equal(2, forgetful._origin.HeadRequests);
    }

    [Fact]
    public async Task GetSlice_MoreDistinctMissesThanTheFillLimit_TheExcessIsRefusedBeforeAnyOriginRequest()
    {
        using var bounded = new SliceCacheTests(new CacheOptions { SliceBytes = Slice, ReadAheadSlices = 0, MaxConcurrentFills = 2 });
        var meta = await bounded.MetaAsync();
        bounded._origin.Delay = TimeSpan.FromSeconds(1);

        var running = Enumerable.Range(0, 2).Select(i => bounded._cache.GetSliceAsync(Path, meta, i, readAhead: false, default).AsTask()).ToArray();
        await WaitUntilAsync(() => bounded._fills.Pending == 2);
        var joined = bounded._cache.GetSliceAsync(Path, meta, 1, readAhead: false, default).AsTask(); // joins a fill: admitted

        await Assert.ThrowsAsync<EdgeBusyException>(() => bounded._cache.GetSliceAsync(Path, meta, 2, readAhead: false, default).AsTask());
        await Assert.ThrowsAsync<EdgeBusyException>(() => bounded._cache.GetSliceAsync(Path, meta, 3, readAhead: false, default).AsTask());
        await Task.WhenAll(running);
        Assert.Equal(CacheResult.Coalesced, (await joined).Result);
        Assert.Equal(2, bounded._origin.RangeRequests);
        Assert.Equal(_object[(2 * Slice)..(3 * Slice)], (await bounded._cache.GetSliceAsync(Path, meta, 2, readAhead: false, default)).Value); // room again
    }

    [Fact]
    public async Task GetSlice_TooManyWaiting_TheRefusedRequestStartsNoFill()
    {
        using var bounded = new SliceCacheTests(new CacheOptions { SliceBytes = Slice, ReadAheadSlices = 0, MaxWaitingRequests = 1 });
        var meta = await bounded.MetaAsync();
        bounded._origin.Delay = TimeSpan.FromSeconds(1);

        var waiting = bounded._cache.GetSliceAsync(Path, meta, 0, readAhead: false, default).AsTask();
        await WaitUntilAsync(() => bounded._fills.Waiting == 1);
        await Assert.ThrowsAsync<EdgeBusyException>(() => bounded._cache.GetSliceAsync(Path, meta, 1, readAhead: false, default).AsTask());

        await waiting;
        Assert.Equal(1, bounded._origin.RangeRequests);
        Assert.Equal(0, bounded._fills.Pending);
    }

    /// <summary>Moves the fake clock in 10 ms steps (the lease poll) while <paramref name="task"/> runs, at most <paramref name="times"/> steps.</summary>
    private async Task AdvanceWhileAsync(Task task, int times = 1000)
    {
        for (var i = 0; i < times && !task.IsCompleted; i++)
        {
            await Task.Delay(2);
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "condition not reached within 5 s");
    }

    /// <summary>Answers HEAD and single-range GET for one object, as a static file server does.</summary>
    private sealed class CountingOrigin(byte[] content) : HttpMessageHandler
    {
        public byte[] Content { get; set; } = content;

        private int _head;
        private int _range;

        public TimeSpan Delay { get; set; }
        public HttpStatusCode? FailWith { get; set; }
        public int HeadRequests => Volatile.Read(ref _head);
        public int RangeRequests => Volatile.Read(ref _range);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Delay, cancellationToken);
            if (request.Method == HttpMethod.Head)
            {
                Interlocked.Increment(ref _head);
            }

            if (FailWith is { } status)
            {
                return new HttpResponseMessage(status);
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.ETag = new EntityTagHeaderValue("\"v1\"");
            if (request.Method == HttpMethod.Head)
            {
                response.Content = new ByteArrayContent([]);
                response.Content.Headers.ContentLength = Content.Length;
                response.Content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
                return response;
            }

            Interlocked.Increment(ref _range);
            var range = request.Headers.Range!.Ranges.Single();
            var (from, to) = (range.From!.Value, range.To!.Value);
            response.StatusCode = HttpStatusCode.PartialContent;
            response.Content = new ByteArrayContent(Content[(int)from..(int)(to + 1)]);
            response.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, to, Content.Length);
            return response;
        }
    }
}
