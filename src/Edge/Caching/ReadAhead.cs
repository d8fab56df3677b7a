using Microsoft.Extensions.Options;
using Vod.Common.Hls;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Caching;

/// <summary>
/// While a client reads an object in order, the next <see cref="CacheOptions.ReadAheadSlices"/> slices are fetched in
/// the background, so its next request is a hit. At most <see cref="CacheOptions.ReadAheadConcurrency"/> such fetches
/// run at once; more are skipped, never queued. A sequential reader costs one comparison per request
/// (<see cref="CachedObject.TryAdvanceReadAhead"/>), not a lookup per slice ahead.
/// </summary>
internal sealed class ReadAhead(
    MemoryEdgeCacheStore memory,
    FillCoalescer fills,
    IOptions<CacheOptions> options,
    EdgeMetrics metrics,
    ILogger<ReadAhead> logger) : IDisposable
{
    private readonly SemaphoreSlim _running = new(options.Value.ReadAheadConcurrency);
    private readonly int _slices = options.Value.ReadAheadSlices;

    /// <summary>Starts fetching the slices after <paramref name="index"/> that are neither cached nor being fetched.</summary>
    /// <param name="fill">Fills one slice into the cache (the tier logic's own fill).</param>
    public void After(MediaPath path, CachedObject entry, long index, Func<MediaPath, CachedObject, long, string, Task<Lookup<byte[]>>> fill)
    {
        if (_slices == 0 || path.IsPlaylist)
        {
            return;
        }

        var last = Math.Min(entry.SliceCount - 1, index + _slices);
        if (!entry.TryAdvanceReadAhead(last))
        {
            return; // an earlier request already started read-ahead this far
        }

        for (var next = index + 1; next <= last; next++)
        {
            var key = entry.SliceKey(next);
            if (memory.Get<byte[]>(key) is not null || fills.IsFilling(key))
            {
                continue;
            }

            if (!_running.Wait(0))
            {
                metrics.ReadAheadSkipped();
                return;
            }

            metrics.ReadAheadStarted();
            _ = FetchAsync(path, entry, next, key, fill);
        }
    }

    private async Task FetchAsync(MediaPath path, CachedObject entry, long index, string key, Func<MediaPath, CachedObject, long, string, Task<Lookup<byte[]>>> fill)
    {
        try
        {
            if (!await fills.InBackgroundAsync(key, () => fill(path, entry, index, key)))
            {
                metrics.ReadAheadSkipped(); // the edge's fill limit is reached: client requests come first
            }
        }
        catch (OriginUnavailableException e)
        {
            Log.ReadAheadFailed(logger, path.UrlPath, index, e.Message);
        }
        finally
        {
            _running.Release();
        }
    }

    public void Dispose() => _running.Dispose();
}
