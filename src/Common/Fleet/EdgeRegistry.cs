using System.Globalization;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Vod.Common.Fleet;

/// <summary>An edge as it announces itself: its id (the HLS pathway id players see) and its public base URL.</summary>
/// <param name="ProbeUrl">Where the origin reaches it for health probes, when that differs from the public URL (containers).</param>
/// <param name="Load">What the edge has served since it started, refreshed with every heartbeat.</param>
/// <param name="Signature">The fleet key's signature over every other field (<see cref="SignedText"/>), when the fleet has a key.</param>
public sealed record EdgeAnnouncement(string Id, string Url, DateTimeOffset StartedAt, string? ProbeUrl = null, EdgeLoad? Load = null, string? Signature = null)
    : IFleetAnnouncement<EdgeAnnouncement>
{
    [JsonIgnore]
    public IEnumerable<string?> Urls => [Url, ProbeUrl];

    // One field a line: ids and URLs that pass the rules have no line breaks, so no two announcements share a text.
    public string SignedText() => string.Join('\n',
        "edge", Id, Url, ProbeUrl ?? "-", StartedAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
        Load is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Load.Requests} {Load.Hits} {Load.BytesServed}"));

    public EdgeAnnouncement WithSignature(string? signature) => this with { Signature = signature };
}

/// <summary>An edge's counters as of its last heartbeat; hits are requests answered without the origin.</summary>
public sealed record EdgeLoad(long Requests, long Hits, long BytesServed);

/// <summary>
/// The live edge registry in Redis, written by edges and read by the origin (Eureka's job):
/// <c>vod:edges</c> is a hash of id → announcement, <c>vod:edges:heartbeats</c> a sorted set of id → last heartbeat
/// (Unix ms). An edge whose heartbeat is older than the expiry is dead, whether it said goodbye or not.
/// </summary>
public static class EdgeRegistry
{
    public const string Announcements = RedisKeys.EdgeAnnouncements;
    public const string Heartbeats = RedisKeys.EdgeHeartbeats;
    private static readonly FleetRegistry<EdgeAnnouncement> Registry = new(Announcements, Heartbeats);

    /// <summary>Writes the edge's announcement (signed when <paramref name="key"/> is given) and heartbeat.</summary>
    public static Task HeartbeatAsync(IDatabase db, EdgeAnnouncement edge, DateTimeOffset now, FleetKey? key = null) =>
        Registry.HeartbeatAsync(db, edge, now, key);

    public static Task DeregisterAsync(IDatabase db, string edgeId) => Registry.DeregisterAsync(db, edgeId);

    /// <summary>Every registered edge that <paramref name="trust"/> accepts, with its last heartbeat, and the entries it refused.</summary>
    public static Task<FleetRead<EdgeAnnouncement>> ReadAsync(IDatabase db, FleetTrust trust) => Registry.ReadAsync(db, trust);

    /// <summary>Every registered edge that passes the id and URL rules (no key, any host), with its last heartbeat.</summary>
    public static async Task<IReadOnlyList<(EdgeAnnouncement Edge, DateTimeOffset LastHeartbeat)>> ReadAsync(IDatabase db) =>
        (await Registry.ReadAsync(db, FleetTrust.Open)).Members;

    /// <summary>Edge ids become HLS pathway ids and Redis fields: short, plain, and validated at start.</summary>
    public static bool IsValidId(string? id) => FleetMemberId.IsValid(id);
}
