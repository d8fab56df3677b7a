using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Vod.Origin.Steering;

/// <summary>
/// Which players' pathway reports (<c>_HLS_pathway</c>, <c>_HLS_throughput</c> on a steering reload) count. A player
/// reloads the steering answer once per TTL, so one report per client, title and pathway per TTL is what honest players
/// send; anything more is a client replaying the URL, and counting it would let anyone inflate
/// <c>AvoidedByPlayers</c> (or skew the throughput histogram) at will. The caller only asks about pathways that are
/// known edges, so made-up ids never count and never take a slot.
/// </summary>
/// <remarks>
/// A client is its address; an IPv6 client is its /64 (one host usually has the whole prefix, so rotating addresses
/// inside it does not make a new client). The table is bounded: expired entries are swept at most once per window, and
/// when it is full of live entries new reports are not counted (the signal undercounts; memory never grows).
/// </remarks>
internal sealed class PathwayReports(IOptions<SteeringOptions> options, TimeProvider time)
{
    /// <summary>Clients × titles × pathways remembered at once (about 100 bytes each).</summary>
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<(string Client, string Title, string Pathway), long> _lastCounted = new();
    private long _nextSweep;

    /// <summary>
    /// Whether this report counts: true the first time a client reports <paramref name="pathway"/> for
    /// <paramref name="titleId"/> within one steering TTL (<see cref="Window"/>), false for repeats (and when the table
    /// is full).
    /// </summary>
    public bool TryCount(IPAddress? client, string titleId, string pathway)
    {
        var now = time.GetTimestamp();
        var window = (long)(Window(options.Value.Ttl).TotalSeconds * time.TimestampFrequency);
        Sweep(now, window);

        var key = (ClientKey(client), titleId, pathway);
        if (_lastCounted.TryGetValue(key, out var last))
        {
            return now - last >= window && _lastCounted.TryUpdate(key, now, last);
        }

        return _lastCounted.Count < Capacity && _lastCounted.TryAdd(key, now);
    }

    /// <summary>
    /// How long after a counted report the same one counts again: the TTL players are sent (whole seconds), less a tenth,
    /// so that an honest reload a little early (timer jitter, a faster response) is not dropped, which would halve the
    /// signal; a replay still counts at most once per 4.5 s with the default TTL.
    /// </summary>
    internal static TimeSpan Window(TimeSpan ttl) => TimeSpan.FromSeconds(Math.Max(1, (int)ttl.TotalSeconds) * 0.9);

    /// <summary>How many reports are remembered (for tests).</summary>
    internal int Count => _lastCounted.Count;

    private void Sweep(long now, long window)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + window, due) != due)
        {
            return; // not yet, or another request is sweeping
        }

        foreach (var (key, last) in _lastCounted)
        {
            if (now - last >= window)
            {
                _lastCounted.TryRemove(KeyValuePair.Create(key, last)); // only if no request renewed it meanwhile
            }
        }
    }

    /// <summary>An IPv4 address as it is; an IPv6 address as its /64 prefix.</summary>
    internal static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }
}
