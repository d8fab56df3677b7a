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
/// The tiers: objects under <c>/titles/</c> as metadata plus fixed-size slices, each looked up in L1 (this edge's
/// memory), then L2 (shared by the fleet), then filled from the origin.
/// <code>
///   request ──► L1 memory ──miss──► FillCoalescer ──► FleetFill: L2 ──miss──► lease? ──► origin (HEAD / ranged GET)
///                  ▲                (one fill per key     (one fetch per key per fleet)          │
///                  │                 on this edge)                                                │
///                  └────────────────────────── fill L1 (and L2) ◄────────────────────────────────┘
/// </code>
/// A slice key is path + ETag + index, so a changed object never mixes old and new bytes and slices need no
/// revalidation; metadata has a freshness lifetime (short for playlists). When the origin fails, an expired copy is
/// served (stale-if-error). Read-ahead (<see cref="ReadAhead"/>) fills the slices a reader will ask for next.
/// </summary>
internal sealed class SliceCache(
    MemoryEdgeCacheStore memory,
    ISharedCacheStore shared,
    FillCoalescer fills,
    FleetFill fleet,
    ReadAhead nextSlices,
    TitleGenerations generations,
    OriginHttpClient origin,
    IOptions<CacheOptions> options,
    TimeProvider time,
    EdgeMetrics metrics,
    ILogger<SliceCache> logger)
{
    private const long MetaSizeEstimate = 512;
    private readonly CacheOptions _options = options.Value;
    private Func<MediaPath, CachedObject, long, string, Task<Lookup<byte[]>>>? _fillSlice;

    public int SliceBytes => _options.SliceBytes;

    /// <summary>Whether a request for this many bytes looks like a player reading media, and so should start read-ahead.</summary>
    public bool ReadsAheadFor(long requestedBytes) => requestedBytes >= _options.ReadAheadMinBytes;

    /// <returns>The object's metadata, or null when the origin does not have it.</returns>
    /// <exception cref="OriginUnavailableException">The origin failed and nothing, not even an expired copy, is cached.</exception>
    public async ValueTask<Lookup<CachedObject?>> GetObjectAsync(MediaPath path, CancellationToken cancellationToken)
    {
        var generation = generations.Of(path.TitleId);
        var key = EdgeCacheKeys.Meta(path, generation);
        var inMemory = memory.Get<object>(key);
        var cached = inMemory as CachedObject;
        if ((cached is not null && cached.FreshUntil > time.GetUtcNow()) || inMemory is NotFound)
        {
            metrics.MetaLookup(CacheResult.L1Hit);
            return new(cached, CacheResult.L1Hit);
        }

        Lookup<CachedObject?> lookup;
        try
        {
            lookup = await fills.ForClientAsync(key, () => FillMetaAsync(path, generation, key, cached), cancellationToken);
        }
        catch (OriginUnavailableException e) when (cached is not null)
        {
            // This request stopped waiting (busy edge, or the wait limit is shorter than the origin's timeout):
            // an expired copy in memory still beats an error (stale-if-error).
            Log.ServingStale(logger, path.UrlPath, e.Message);
            lookup = new(cached, CacheResult.Stale);
        }

        metrics.MetaLookup(lookup.Result);
        return lookup;
    }

    /// <summary>Slice <paramref name="index"/> of the object: <see cref="SliceBytes"/> long, shorter at the end.</summary>
    /// <param name="readAhead">Also start fetching the next slices in the background (a client is reading in order).</param>
    public async ValueTask<Lookup<byte[]>> GetSliceAsync(MediaPath path, CachedObject entry, long index, bool readAhead, CancellationToken cancellationToken)
    {
        var key = entry.SliceKey(index);
        var lookup = memory.Get<byte[]>(key) is { } hit
            ? new Lookup<byte[]>(hit, CacheResult.L1Hit)
            : await fills.ForClientAsync(key, () => FillSliceAsync(path, entry, index, key), cancellationToken);
        metrics.SliceLookup(lookup.Result);
        if (readAhead)
        {
            nextSlices.After(path, entry, index, _fillSlice ??= FillSliceAsync);
        }

        return lookup;
    }

    private async Task<Lookup<CachedObject?>> FillMetaAsync(MediaPath path, long generation, string key, CachedObject? expired)
    {
        var fresh = TtlFor(path);
        try
        {
            var (bytes, result) = await fleet.GetOrFetchAsync(key, IsFresh, () => FromOriginAsync("meta", async () =>
            {
                var meta = await origin.HeadAsync(path.UrlPath, CancellationToken.None);
                return meta is null ? null : JsonSerializer.SerializeToUtf8Bytes(new CachedMeta(meta, time.GetUtcNow() + fresh));
            }), Lifetime(fresh));

            if (bytes is null || Deserialize(bytes) is not { } cached)
            {
                RememberNotFound(path, key);
                return new(null, result);
            }

            var entry = new CachedObject(path, generation, cached, _options.SliceBytes);
            memory.Set(path.TitleId, key, entry, MetaSizeEstimate, Lifetime(fresh));
            return new(entry, result);
        }
        catch (OriginUnavailableException e)
        {
            var stale = expired ?? (await shared.GetAsync(key) is { } bytes && Deserialize(bytes) is { } meta
                ? new CachedObject(path, generation, meta, _options.SliceBytes)
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
        var (bytes, result) = await fleet.GetOrFetchAsync(key, b => b.Length == length,
            () => FromOriginAsync("slice", async () => await origin.GetRangeAsync(path.UrlPath, entry.Meta.ETag, from, length, CancellationToken.None)),
            Lifetime(fresh));
        memory.Set(path.TitleId, key, bytes!, bytes!.Length + key.Length, Lifetime(fresh));
        return new(bytes, result);
    }

    /// <summary>A short negative entry: repeating a request for a missing object costs no origin request for a while.</summary>
    private void RememberNotFound(MediaPath path, string key)
    {
        if (_options.NotFoundTtl > TimeSpan.Zero)
        {
            memory.Set(path.TitleId, key, NotFound.Instance, MetaSizeEstimate, _options.NotFoundTtl);
        }
        else
        {
            memory.Remove(key);
        }
    }

    /// <summary>An origin request, counted and timed by kind.</summary>
    private async Task<byte[]?> FromOriginAsync(string kind, Func<Task<byte[]?>> fetch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var value = await fetch();
            metrics.OriginFetch(kind, ok: true, kind == "slice" ? value?.Length ?? 0 : 0, Stopwatch.GetElapsedTime(started));
            return value;
        }
        catch (OriginUnavailableException)
        {
            metrics.OriginFetch(kind, ok: false, 0, Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    private TimeSpan TtlFor(MediaPath path) => path.IsPlaylist ? _options.PlaylistTtl : _options.MediaTtl;

    private TimeSpan Lifetime(TimeSpan fresh) => fresh + _options.StaleIfError;

    private bool IsFresh(byte[] bytes) => Deserialize(bytes) is { } cached && cached.FreshUntil > time.GetUtcNow();

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

/// <summary>What L1 holds for an object the origin said does not exist, until <see cref="CacheOptions.NotFoundTtl"/> passes.</summary>
internal sealed class NotFound
{
    public static readonly NotFound Instance = new();

    private NotFound()
    {
    }
}
