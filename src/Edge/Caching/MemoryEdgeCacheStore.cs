using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Vod.Edge.Caching;

/// <summary>
/// L1: process memory bounded in bytes. Every entry's size is its byte length (as ASP.NET Core's
/// MemoryOutputCacheStore does), so <see cref="CacheOptions.MemoryLimitBytes"/> bounds what cached bytes may occupy:
/// an entry that does not fit is not stored. Each entry is tied to its title, so a purge drops a whole title at once.
/// </summary>
internal sealed class MemoryEdgeCacheStore : IDisposable
{
    private readonly MemoryCache _cache;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _titles = new(StringComparer.Ordinal);

    public MemoryEdgeCacheStore(IOptions<CacheOptions> options)
    {
        LimitBytes = options.Value.MemoryLimitBytes;
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = LimitBytes,
            CompactionPercentage = 0.10,
            TrackStatistics = true,
        });
    }

    public long LimitBytes { get; }

    /// <summary>Bytes of cached entries currently held.</summary>
    public long CurrentBytes => _cache.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    public T? Get<T>(string key)
        where T : class => _cache.Get<T>(key);

    public void Set<T>(string titleId, string key, T value, long size, TimeSpan lifetime)
        where T : class
    {
        var options = new MemoryCacheEntryOptions { Size = size, AbsoluteExpirationRelativeToNow = lifetime };
        options.AddExpirationToken(new CancellationChangeToken(TitleToken(titleId)));
        _cache.Set(key, value, options);
    }

    public void Remove(string key) => _cache.Remove(key);

    /// <summary>Evicts every entry of the title.</summary>
    public void PurgeTitle(string titleId)
    {
        if (_titles.TryRemove(titleId, out var source))
        {
            source.Cancel();
            source.Dispose();
        }
    }

    /// <summary>Evicts everything: purges may have been missed, so nothing in memory can be trusted.</summary>
    public void PurgeAll()
    {
        _cache.Clear();
        foreach (var titleId in _titles.Keys)
        {
            PurgeTitle(titleId);
        }
    }

    private CancellationToken TitleToken(string titleId)
    {
        while (true)
        {
            var source = _titles.GetOrAdd(titleId, _ => new CancellationTokenSource());
            try
            {
                return source.Token;
            }
            catch (ObjectDisposedException)
            {
                // Purged between the lookup and the read: take the new source.
                _titles.TryRemove(new KeyValuePair<string, CancellationTokenSource>(titleId, source));
            }
        }
    }

    public void Dispose()
    {
        _cache.Dispose();
        foreach (var source in _titles.Values)
        {
            source.Dispose();
        }
    }
}
