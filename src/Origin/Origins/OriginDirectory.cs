using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Vod.Common.Fleet;

namespace Vod.Origin.Origins;

/// <summary>
/// This origin's view of the origin registry, as of the last successful read (the <see cref="OriginAnnouncer"/> reads
/// it with every heartbeat). While Redis is unavailable nothing here changes: <c>/api/origins</c> keeps the last known
/// list (heartbeats are judged as of that read, so they do not all expire together) and always names this origin.
/// </summary>
internal sealed class OriginDirectory(IOptions<OriginOptions> options, TimeProvider time)
{
    // Written by the announcer's loop only (one writer); requests read the immutable snapshot.
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private volatile Snapshot _snapshot = new(null, [], DateTimeOffset.MinValue, FrozenSet<string>.Empty);

    /// <summary>This origin as announced, once the server listens.</summary>
    public OriginAnnouncement? Self => _snapshot.Self;

    /// <summary><c>/api/origins</c>: the live origins, this one first.</summary>
    /// <param name="fallbackSelf">This origin's URL as the request reached it, for the moment before it has announced itself.</param>
    public IReadOnlyList<string> Live(string fallbackSelf)
    {
        var snapshot = _snapshot;
        return OriginList.Order(snapshot.Self?.Url ?? fallbackSelf, snapshot.Registry, snapshot.ReadAt, options.Value.Expiry);
    }

    /// <summary>
    /// CORS: whether a page from <paramref name="requestOrigin"/> may call this origin's API. Every origin in the registry
    /// counts, alive or not, and one that left stays known for <see cref="OriginOptions.ForgetAfter"/>: its pages
    /// are still open in browsers, and they fall back to us precisely because it is gone.
    /// </summary>
    public bool AllowsPageOrigin(string requestOrigin) => OriginList.IsKnownPageOrigin(requestOrigin, _snapshot.PageOrigins);

    public void Announced(OriginAnnouncement self)
    {
        var snapshot = _snapshot with { Self = self };
        _snapshot = snapshot with { PageOrigins = PageOrigins(snapshot) };
    }

    /// <summary>A successful registry read.</summary>
    public void Update(IReadOnlyList<(OriginAnnouncement Origin, DateTimeOffset LastHeartbeat)> registry)
    {
        var snapshot = _snapshot with { Registry = registry, ReadAt = time.GetUtcNow() };
        _snapshot = snapshot with { PageOrigins = PageOrigins(snapshot) };
    }

    private FrozenSet<string> PageOrigins(Snapshot snapshot)
    {
        var now = time.GetUtcNow();
        foreach (var (origin, beat) in snapshot.Registry)
        {
            if (OriginList.TryGetPageOrigin(origin.Url, out var key) && (!_lastSeen.TryGetValue(key, out var seen) || seen < beat))
            {
                _lastSeen[key] = beat;
            }
        }

        if (OriginList.TryGetPageOrigin(snapshot.Self?.Url, out var own))
        {
            _lastSeen[own] = now;
        }

        var forget = now - options.Value.ForgetAfter;
        foreach (var key in _lastSeen.Where(e => e.Value < forget).Select(e => e.Key).ToList())
        {
            _lastSeen.Remove(key);
        }

        return _lastSeen.Keys.ToFrozenSet(StringComparer.Ordinal);
    }

    private sealed record Snapshot(
        OriginAnnouncement? Self,
        IReadOnlyList<(OriginAnnouncement Origin, DateTimeOffset LastHeartbeat)> Registry,
        DateTimeOffset ReadAt,
        FrozenSet<string> PageOrigins);
}
