using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Vod.Common.Hls;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Caching;

/// <summary>
/// Objects under <c>/titles/</c> as metadata plus fixed-size slices, each looked up through the tiers:
/// <code>
///   request ──► L1 memory ──miss──► L2 Redis ──miss──► origin (HEAD for metadata, ranged GET for a slice)
///                  ▲                    ▲                   │
///                  └──── fill ──────────┴────── fill ───────┘
/// </code>
/// A slice key is path + ETag + index, so a changed object never mixes old and new bytes. Concurrent misses for one
/// key on this edge share one fill; the fill runs on its own, not on the first caller's cancellation token, and each
/// waiter stops waiting when its own request is aborted.
/// </summary>
internal sealed class SliceCache(
    MemoryEdgeCacheStore memory,
    RedisEdgeCacheStore redis,
    OriginHttpClient origin,
    IOptions<CacheOptions> options)
{
    private const long MetaSizeEstimate = 512;
    private readonly ConcurrentDictionary<string, Task<object?>> _fills = new(StringComparer.Ordinal);
    private readonly CacheOptions _options = options.Value;

    public int SliceBytes => _options.SliceBytes;

    /// <summary>Number of fills in flight (for tests and metrics).</summary>
    public int PendingFills => _fills.Count;

    /// <returns>The object's metadata, or null when the origin does not have it.</returns>
    public async ValueTask<ObjectMeta?> GetMetaAsync(MediaPath path, CancellationToken cancellationToken)
    {
        var key = "m:" + path.UrlPath;
        if (memory.Get<ObjectMeta>(key) is { } hit)
        {
            return hit;
        }

        return (ObjectMeta?)await CoalesceAsync(key, async () =>
        {
            var ttl = TtlFor(path);
            if (await redis.GetAsync(key, CancellationToken.None) is { } json && Deserialize(json) is { } cached)
            {
                memory.Set(key, cached, MetaSizeEstimate, ttl);
                return cached;
            }

            var meta = await origin.HeadAsync(path.UrlPath, CancellationToken.None);
            if (meta is not null)
            {
                memory.Set(key, meta, MetaSizeEstimate, ttl);
                await redis.SetAsync(key, JsonSerializer.SerializeToUtf8Bytes(meta), ttl, CancellationToken.None);
            }

            return meta;
        }, cancellationToken);
    }

    /// <summary>Slice <paramref name="index"/> of the object: <see cref="SliceBytes"/> long, shorter at the end.</summary>
    public async ValueTask<byte[]> GetSliceAsync(MediaPath path, ObjectMeta meta, long index, CancellationToken cancellationToken)
    {
        var key = $"s:{path.UrlPath}:{meta.ETag}:{index}";
        if (memory.Get<byte[]>(key) is { } hit)
        {
            return hit;
        }

        var from = index * _options.SliceBytes;
        var length = (int)Math.Min(_options.SliceBytes, meta.Size - from);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length, nameof(index));
        return (byte[])(await CoalesceAsync(key, async () =>
        {
            var ttl = TtlFor(path);
            if (await redis.GetAsync(key, CancellationToken.None) is { } shared && shared.Length == length)
            {
                await memory.SetAsync(key, shared, ttl, CancellationToken.None);
                return shared;
            }

            var bytes = await origin.GetRangeAsync(path.UrlPath, meta.ETag, from, length, CancellationToken.None);
            await memory.SetAsync(key, bytes, ttl, CancellationToken.None);
            await redis.SetAsync(key, bytes, ttl, CancellationToken.None);
            return bytes;
        }, cancellationToken))!;
    }

    private TimeSpan TtlFor(MediaPath path) =>
        TimeSpan.FromSeconds(path.IsPlaylist ? _options.PlaylistTtlSeconds : _options.MediaTtlSeconds);

    /// <summary>One fill per key in flight (as OutputCaching's dispatcher does), awaited by each caller with its own token.</summary>
    private Task<object?> CoalesceAsync(string key, Func<Task<object?>> fill, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _fills.GetOrAdd(key, mine.Task);
        if (running == mine.Task)
        {
            _ = RunFillAsync(key, fill, mine);
        }

        return running.WaitAsync(cancellationToken);
    }

    /// <remarks>The entry is removed before the waiters are released, so a caller that saw the result never joins a finished fill.</remarks>
    private async Task RunFillAsync(string key, Func<Task<object?>> fill, TaskCompletionSource<object?> completion)
    {
        object? result;
        try
        {
            result = await fill();
        }
        catch (Exception e)
        {
            _fills.TryRemove(new KeyValuePair<string, Task<object?>>(key, completion.Task));
            completion.SetException(e);
            return;
        }

        _fills.TryRemove(new KeyValuePair<string, Task<object?>>(key, completion.Task));
        completion.SetResult(result);
    }

    private static ObjectMeta? Deserialize(byte[] json)
    {
        try
        {
            return JsonSerializer.Deserialize<ObjectMeta>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
