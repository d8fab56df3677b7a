using Microsoft.Net.Http.Headers;
using Vod.Common.Hls;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Caching;

/// <summary>
/// L1's entry for an object: its metadata plus what every request would otherwise recompute (the parsed ETag, the
/// formatted Last-Modified, the slice keys) and how far read-ahead has gone. One instance serves every request for
/// the object while it stays in memory, so the hot path allocates no keys or header strings.
/// </summary>
internal sealed class CachedObject
{
    private const int MaxRememberedKeys = 1 << 16;
    private readonly MediaPath _path;
    private readonly long _generation;
    private readonly string?[] _sliceKeys;
    private long _readAheadMark = -1;

    /// <param name="generation">The title's purge generation the entry was filled under (part of its slice keys).</param>
    public CachedObject(MediaPath path, long generation, CachedMeta cached, int sliceBytes)
    {
        Meta = cached.Meta;
        FreshUntil = cached.FreshUntil;
        EntityTag = EntityTagHeaderValue.Parse(Meta.ETag);
        if (Meta.LastModified is { } modified)
        {
            LastModified = new DateTimeOffset(modified.Ticks - (modified.Ticks % TimeSpan.TicksPerSecond), modified.Offset);
            LastModifiedHeader = HeaderUtilities.FormatDate(LastModified.Value);
        }

        if (Meta.CacheControl is { } cacheControl && CacheControlHeaderValue.TryParse(cacheControl, out var parsed))
        {
            MaxAge = parsed.MaxAge;
        }

        SliceBytes = sliceBytes;
        SliceCount = Meta.Size == 0 ? 0 : ((Meta.Size - 1) / sliceBytes) + 1;
        _path = path;
        _generation = generation;
        _sliceKeys = new string?[Math.Min(SliceCount, MaxRememberedKeys)];
    }

    public ObjectMeta Meta { get; }

    public DateTimeOffset FreshUntil { get; }

    public EntityTagHeaderValue EntityTag { get; }

    /// <summary>Last-Modified at HTTP's one-second precision, as compared in conditional requests.</summary>
    public DateTimeOffset? LastModified { get; }

    public string? LastModifiedHeader { get; }

    /// <summary>The freshness the origin gave the object (<c>max-age</c>), if any.</summary>
    public TimeSpan? MaxAge { get; }

    public int SliceBytes { get; }

    public long SliceCount { get; }

    /// <summary>The L1/L2 key of a slice; computed once per slice while the object stays cached.</summary>
    public string SliceKey(long index) =>
        index < _sliceKeys.Length ? _sliceKeys[index] ??= NewSliceKey(index) : NewSliceKey(index);

    private string NewSliceKey(long index) => EdgeCacheKeys.Slice(_path, _generation, Meta.ETag, index);

    /// <summary>The byte length of slice <paramref name="index"/> (the last one may be short).</summary>
    public int SliceLength(long index) => (int)Math.Min(SliceBytes, Meta.Size - (index * SliceBytes));

    /// <summary>
    /// Claims read-ahead up to slice <paramref name="upTo"/>; false when it was already claimed, so a sequential
    /// reader costs one comparison per request instead of a lookup per slice ahead.
    /// </summary>
    public bool TryAdvanceReadAhead(long upTo)
    {
        var mark = Volatile.Read(ref _readAheadMark);
        while (upTo > mark)
        {
            var seen = Interlocked.CompareExchange(ref _readAheadMark, upTo, mark);
            if (seen == mark)
            {
                return true;
            }

            mark = seen;
        }

        return false;
    }
}
