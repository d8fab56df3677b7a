using System.Collections.Concurrent;
using Vod.Edge.Caching;

namespace Vod.Edge.Tests.Caching;

/// <summary>
/// The shared store (L2 and the fleet fill leases) in memory, for unit tests of the tiers and the fill protocol. It
/// behaves as <see cref="RedisEdgeCacheStore"/> does from one edge's point of view; other edges are played by the
/// test through <see cref="HoldLeaseAsAnotherEdge"/> and <see cref="Put"/>. Every call is logged in order.
/// The real store is tested against a real redis-server (FleetLeaseTests, the integration tests).
/// </summary>
internal sealed class InMemorySharedStore : ISharedCacheStore
{
    private const string Me = "this-edge";
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _leases = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>While false, the store answers as an unreachable Redis does: misses and no leases, at once.</summary>
    public bool Available { get; set; } = true;

    /// <summary>Every call so far, as "verb key".</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    public void Put(string key, byte[] value) => _values[key] = value;

    public bool Contains(string key) => _values.ContainsKey(key);

    public byte[]? Get(string key) => _values.TryGetValue(key, out var value) ? value : null;

    public void HoldLeaseAsAnotherEdge(string key) => _leases[key] = "another-edge";

    public void ReleaseAnotherEdgesLease(string key) => _leases.TryRemove(new KeyValuePair<string, string>(key, "another-edge"));

    public bool IsLeased(string key) => _leases.ContainsKey(key);

    public ValueTask<byte[]?> GetAsync(string key)
    {
        _calls.Enqueue($"get {key}");
        return ValueTask.FromResult(Available && _values.TryGetValue(key, out var value) ? value : null);
    }

    public ValueTask SetAsync(string key, byte[] value, TimeSpan lifetime)
    {
        _calls.Enqueue($"set {key}");
        if (Available)
        {
            _values[key] = value;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<Lease> TryAcquireLeaseAsync(string key, TimeSpan lifetime)
    {
        _calls.Enqueue($"lease {key}");
        if (!Available)
        {
            return ValueTask.FromResult(Lease.Unavailable);
        }

        return ValueTask.FromResult(_leases.TryAdd(key, Me) ? Lease.Acquired : Lease.HeldByAnother);
    }

    public ValueTask<bool> IsLeaseHeldAsync(string key) => ValueTask.FromResult(Available && _leases.ContainsKey(key));

    public ValueTask ReleaseLeaseAsync(string key)
    {
        _calls.Enqueue($"release {key}");
        _leases.TryRemove(new KeyValuePair<string, string>(key, Me));
        return ValueTask.CompletedTask;
    }
}
