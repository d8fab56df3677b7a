using StackExchange.Redis;

namespace Vod.Common.Fleet;

/// <summary>An edge as it announces itself: its id (the HLS pathway id players see) and its public base URL.</summary>
/// <param name="ProbeUrl">Where the origin reaches it for health probes, when that differs from the public URL (containers).</param>
/// <param name="Load">What the edge has served since it started, refreshed with every heartbeat.</param>
public sealed record EdgeAnnouncement(string Id, string Url, DateTimeOffset StartedAt, string? ProbeUrl = null, EdgeLoad? Load = null);

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
    private static readonly FleetRegistry<EdgeAnnouncement> Registry = new(Announcements, Heartbeats, e => e.Id);

    public static Task HeartbeatAsync(IDatabase db, EdgeAnnouncement edge, DateTimeOffset now) => Registry.HeartbeatAsync(db, edge, now);

    public static Task DeregisterAsync(IDatabase db, string edgeId) => Registry.DeregisterAsync(db, edgeId);

    /// <summary>Every registered edge with its last heartbeat; entries that do not parse are skipped.</summary>
    public static Task<IReadOnlyList<(EdgeAnnouncement Edge, DateTimeOffset LastHeartbeat)>> ReadAsync(IDatabase db) => Registry.ReadAsync(db);

    /// <summary>Edge ids become HLS pathway ids and Redis fields: short, plain, and validated at start.</summary>
    public static bool IsValidId(string? id) => FleetMemberId.IsValid(id);
}
