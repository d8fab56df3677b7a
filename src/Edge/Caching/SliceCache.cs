using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Vod.Common.Hls;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Caching;

/// <summary>A cached value and where it came from.</summary>
internal readonly record struct Lookup<T>(T Value, CacheResult Result);

/// <summary>Metadata as cached: the object's description and until when it is fresh (after that, only stale-if-error).</summary>
internal sealed record CachedMeta(ObjectMeta Meta, DateTimeOffset FreshUntil);

/// <summary>
/// Objects under <c>/titles/</c> as metadata plus fixed-size slices, each looked up through the tiers:
/// <code>
///   request ──► L1 memory ──miss──► L2 Redis ──miss──► fleet lease? ──yes──► origin (HEAD / ranged GET)
///                  ▲                    ▲                  │ no: another edge is fetching    │
///                  │                    └── wait for L2 ◄──┘ (bounded, then origin)          │
///                  └───────────────────────── fill L1 and L2 ◄────────────────────────────────┘
/// </code>
/// A slice key is path + ETag + index, so a changed object never mixes old and new bytes and slices need no
/// revalidation; metadata has a freshness lifetime (short for playlists). Concurrent misses for one key on this edge
/// share one fill, which runs on its own: it is not cancelled when the first client goes away, and each waiter stops
/// waiting on its own cancellation. When the origin fails, an expired copy is served (stale-if-error).
/// </summary>
internal sealed partial class SliceCache(
    MemoryEdgeCacheStore memory,
    RedisEdgeCacheStore redis,
    OriginHttpClient origin,
    IOptions<CacheOptions> options,
    TimeProvider time,
    ILogger<SliceCache> logger) : IDisposable
{
    private const long MetaSizeEstimate = 512;
    private static readonly TimeSpan LeasePoll = TimeSpan.FromMilliseconds(10);
    private readonly ConcurrentDictionary<string, Task> _fills = new(StringComparer.Ordinal);
    private readonly CacheOptions _options = options.Value;
    private readonly SemaphoreSlim _readAhead = new(options.Value.ReadAheadConcurrency);
    private int _waiting;

    public int SliceBytes => _options.SliceBytes;

    /// <summary>Number of fills in flight (for tests and metrics).</summary>
    public int PendingFills => _fills.Count;

    /// <summary>Client requests waiting for a fill right now.</summary>
    public int WaitingRequests => Volatile.Read(ref _waiting);

    /// <returns>The object's metadata, or null when the origin does not have it.</returns>
    /// <exception cref="OriginUnavailableException">The origin failed and nothing, not even an expired copy, is cached.</exception>
    public async ValueTask<Lookup<CachedObject?>> GetObjectAsync(MediaPath path, CancellationToken cancellationToken)
    {
        var key = EdgeCacheKeys.Meta(path);
        var cached = memory.Get<CachedObject>(key);
        if (cached is not null && cached.FreshUntil > time.GetUtcNow())
        {
            EdgeMetrics.MetaLookup(CacheResult.L1Hit);
            return new(cached, CacheResult.L1Hit);
        }

        Lookup<CachedObject?> lookup;
        try
        {
            lookup = await CoalesceAsync(key, () => FillMetaAsync(path, key, cached), cancellationToken);
        }
        catch (OriginUnavailableException e) when (cached is not null)
        {
            // This request stopped waiting (busy edge, or the wait limit is shorter than the origin's timeout):
            // an expired copy in memory still beats an error (stale-if-error).
            Log.ServingStale(logger, path.UrlPath, e.Message);
            lookup = new(cached, CacheResult.Stale);
        }

        EdgeMetrics.MetaLookup(lookup.Result);
        return lookup;
    }

    /// <summary>Slice <paramref name="index"/> of the object: <see cref="SliceBytes"/> long, shorter at the end.</summary>
    /// <param name="readAhead">Also start fetching the next slices in the background (a client is reading in order).</param>
    public async ValueTask<Lookup<byte[]>> GetSliceAsync(MediaPath path, CachedObject entry, long index, bool readAhead, CancellationToken cancellationToken)
    {
        var key = entry.SliceKey(index);
        Lookup<byte[]> lookup;
        if (memory.Get<byte[]>(key) is { } hit)
        {
            lookup = new(hit, CacheResult.L1Hit);
        }
        else
        {
            lookup = await CoalesceAsync(key, () => FillSliceAsync(path, entry, index, key), cancellationToken);
        }

        EdgeMetrics.SliceLookup(lookup.Result);
        if (readAhead && _options.ReadAheadSlices > 0 && !path.IsPlaylist)
        {
            StartReadAhead(path, entry, index);
        }

        return lookup;
    }

    private async Task<Lookup<CachedObject?>> FillMetaAsync(MediaPath path, string key, CachedObject? expired)
    {
        var fresh = TtlFor(path);
        try
        {
            var (bytes, result) = await FleetFetchAsync(key, "meta", IsFresh, async () =>
            {
                var meta = await origin.HeadAsync(path.UrlPath, CancellationToken.None);
                return meta is null ? null : JsonSerializer.SerializeToUtf8Bytes(new CachedMeta(meta, time.GetUtcNow() + fresh));
            }, fresh);

            if (bytes is null || Deserialize(bytes) is not { } cached)
            {
                memory.Remove(key);
                return new(null, result);
            }

            var entry = new CachedObject(path, cached, _options.SliceBytes);
            memory.Set(path.TitleId, key, entry, MetaSizeEstimate, Lifetime(fresh));
            return new(entry, result);
        }
        catch (OriginUnavailableException e)
        {
            var stale = expired ?? (await redis.GetAsync(key) is { } bytes && Deserialize(bytes) is { } meta
                ? new CachedObject(path, meta, _options.SliceBytes)
                : null);
            if (stale is null)
            {
                throw;
            }

            Log.ServingStale(logger, path.UrlPath, e.Message);
            return new(stale, CacheResult.Stale);
        }
    }

    private async Task<Lookup<byte[]>> FillSliceAsync(MediaPath path, CachedObject entry, long index, string key)
    {
        var from = index * _options.SliceBytes;
        var length = entry.SliceLength(index);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length, nameof(index));
        var fresh = TtlFor(path);
        var (bytes, result) = await FleetFetchAsync(key, "slice", b => b.Length == length,
            async () => await origin.GetRangeAsync(path.UrlPath, entry.Meta.ETag, from, length, CancellationToken.None), fresh);
        memory.Set(path.TitleId, key, bytes!, bytes!.Length + key.Length, Lifetime(fresh));
        return new(bytes, result);
    }

    /// <summary>
    /// L2, then the origin under the fleet lease: the edge that takes the lease fetches and stores into L2; the others
    /// poll L2 until the value lands or the lease is gone, for at most <see cref="CacheOptions.LeaseWaitMilliseconds"/>,
    /// then fetch on their own. Without Redis, every edge fetches on its own.
    /// </summary>
    private async Task<(byte[]? Value, CacheResult Result)> FleetFetchAsync(
        string key, string kind, Func<byte[], bool> usable, Func<Task<byte[]?>> fetch, TimeSpan fresh)
    {
        if (await redis.GetAsync(key) is { } shared && usable(shared))
        {
            return (shared, CacheResult.L2Hit);
        }

        var lease = await redis.TryAcquireLeaseAsync(key, TimeSpan.FromMilliseconds(_options.LeaseMilliseconds));
        if (lease == Lease.Acquired && await redis.GetAsync(key) is { } filled && usable(filled))
        {
            // Another edge filled the key and released its lease between our first look and our lease.
            await redis.ReleaseLeaseAsync(key);
            return (filled, CacheResult.Coalesced);
        }

        if (lease == Lease.HeldByAnother)
        {
            var deadline = time.GetUtcNow().AddMilliseconds(_options.LeaseWaitMilliseconds);
            while (time.GetUtcNow() < deadline)
            {
                await Task.Delay(LeasePoll, time);
                // The lease first, then L2: the holder stores the value before it releases the lease, so a lease seen
                // gone means the value, if there is one, is already readable. (Looking at L2 first left a gap: the
                // holder could store and release between the two looks, and this edge fetched the slice again.)
                var held = await redis.IsLeaseHeldAsync(key);
                if (await redis.GetAsync(key) is { } landed && usable(landed))
                {
                    return (landed, CacheResult.Coalesced);
                }

                if (!held)
                {
                    break; // the other edge finished without storing (a 404) or died: ask the origin ourselves
                }
            }
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            byte[]? value;
            try
            {
                value = await fetch();
            }
            catch (OriginUnavailableException)
            {
                EdgeMetrics.OriginFetch(kind, ok: false, 0, Stopwatch.GetElapsedTime(started));
                throw;
            }

            EdgeMetrics.OriginFetch(kind, ok: true, kind == "slice" ? value?.Length ?? 0 : 0, Stopwatch.GetElapsedTime(started));
            if (value is not null)
            {
                await redis.SetAsync(key, value, Lifetime(fresh));
            }

            return (value, CacheResult.Miss);
        }
        finally
        {
            if (lease == Lease.Acquired)
            {
                await redis.ReleaseLeaseAsync(key);
            }
        }
    }

    private void StartReadAhead(MediaPath path, CachedObject entry, long index)
    {
        var last = Math.Min(entry.SliceCount - 1, index + _options.ReadAheadSlices);
        if (!entry.TryAdvanceReadAhead(last))
        {
            return; // an earlier request already started read-ahead this far
        }

        for (var next = index + 1; next <= last; next++)
        {
            var key = entry.SliceKey(next);
            if (memory.Get<byte[]>(key) is not null || _fills.ContainsKey(key))
            {
                continue;
            }

            if (!_readAhead.Wait(0))
            {
                EdgeMetrics.ReadAheadSkipped();
                return;
            }

            EdgeMetrics.ReadAheadStarted();
            _ = ReadAheadAsync(path, entry, next, key);
        }
    }

    private async Task ReadAheadAsync(MediaPath path, CachedObject entry, long index, string key)
    {
        try
        {
            await CoalesceAsync(key, () => FillSliceAsync(path, entry, index, key), CancellationToken.None, client: false);
        }
        catch (OriginUnavailableException e)
        {
            Log.ReadAheadFailed(logger, path.UrlPath, index, e.Message);
        }
        finally
        {
            _readAhead.Release();
        }
    }

    private TimeSpan TtlFor(MediaPath path) =>
        TimeSpan.FromSeconds(path.IsPlaylist ? _options.PlaylistTtlSeconds : _options.MediaTtlSeconds);

    private TimeSpan Lifetime(TimeSpan fresh) => fresh + TimeSpan.FromSeconds(_options.StaleIfErrorSeconds);

    private bool IsFresh(byte[] bytes) => Deserialize(bytes) is { } cached && cached.FreshUntil > time.GetUtcNow();

    /// <summary>
    /// One fill per key in flight (as OutputCaching's dispatcher does), awaited by each caller with its own token.
    /// A caller that joins a running fill reports <see cref="CacheResult.Coalesced"/> unless the fill found it stale.
    /// </summary>
    /// <remarks>
    /// A client's wait is bounded twice (self-protection against a slow origin or Redis): at most
    /// <see cref="CacheOptions.MaxWaitingRequests"/> clients wait at once (the next gets <see cref="EdgeBusyException"/>,
    /// a 503), and none waits longer than <see cref="CacheOptions.MaxWaitMilliseconds"/> (a 504). Read-ahead passes
    /// <paramref name="client"/> false: it has its own bound and waits for its fill to finish.
    /// </remarks>
    private async Task<Lookup<T>> CoalesceAsync<T>(string key, Func<Task<Lookup<T>>> fill, CancellationToken cancellationToken, bool client = true)
    {
        var mine = new TaskCompletionSource<Lookup<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = (Task<Lookup<T>>)_fills.GetOrAdd(key, mine.Task);
        var joined = running != mine.Task;
        if (!joined)
        {
            _ = RunFillAsync(key, fill, mine);
        }

        if (!client)
        {
            return await running;
        }

        if (Interlocked.Increment(ref _waiting) > _options.MaxWaitingRequests)
        {
            Interlocked.Decrement(ref _waiting);
            EdgeMetrics.Rejected();
            throw new EdgeBusyException($"{_options.MaxWaitingRequests} requests are already waiting for the origin on this edge");
        }

        Lookup<T> result;
        try
        {
            result = await running.WaitAsync(TimeSpan.FromMilliseconds(_options.MaxWaitMilliseconds), time, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new OriginUnavailableException($"no answer from upstream within {_options.MaxWaitMilliseconds} ms", timedOut: true);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return !joined || result.Result == CacheResult.Stale ? result : result with { Result = CacheResult.Coalesced };
    }

    /// <remarks>The entry is removed before the waiters are released, so a caller that saw the result never joins a finished fill.</remarks>
    private async Task RunFillAsync<T>(string key, Func<Task<Lookup<T>>> fill, TaskCompletionSource<Lookup<T>> completion)
    {
        Lookup<T> result;
        try
        {
            result = await fill();
        }
        catch (Exception e)
        {
            _fills.TryRemove(new KeyValuePair<string, Task>(key, completion.Task));
            completion.SetException(e);
            return;
        }

        _fills.TryRemove(new KeyValuePair<string, Task>(key, completion.Task));
        completion.SetResult(result);
    }

    public void Dispose() => _readAhead.Dispose();

    private static CachedMeta? Deserialize(byte[] json)
    {
        try
        {
            return JsonSerializer.Deserialize<CachedMeta>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
