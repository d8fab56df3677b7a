using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Vod.Edge.Caching;

/// <summary>L1: process memory bounded in bytes. Every entry's size is its byte length, as MemoryOutputCacheStore does.</summary>
internal sealed class MemoryEdgeCacheStore(IOptions<CacheOptions> options) : IEdgeCacheStore, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions
    {
        SizeLimit = options.Value.MemoryLimitBytes,
        CompactionPercentage = 0.10,
    });

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => ValueTask.FromResult(Get<byte[]>(key));

    public ValueTask SetAsync(string key, byte[] value, TimeSpan validFor, CancellationToken cancellationToken)
    {
        Set(key, value, value.Length + key.Length, validFor);
        return ValueTask.CompletedTask;
    }

    /// <summary>Typed entries (object metadata) skip serialization on the hot path; <paramref name="size"/> is an estimate.</summary>
    public T? Get<T>(string key)
        where T : class => _cache.Get<T>(key);

    public void Set<T>(string key, T value, long size, TimeSpan validFor)
        where T : class =>
        _cache.Set(key, value, new MemoryCacheEntryOptions { Size = size, AbsoluteExpirationRelativeToNow = validFor });

    public void Remove(string key) => _cache.Remove(key);

    public void Dispose() => _cache.Dispose();
}
