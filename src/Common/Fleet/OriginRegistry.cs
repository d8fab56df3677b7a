using StackExchange.Redis;

namespace Vod.Common.Fleet;

/// <summary>An origin as it announces itself: its id and the public base URL pages and players reach it on.</summary>
public sealed record OriginAnnouncement(string Id, string Url, DateTimeOffset StartedAt);

/// <summary>
/// The live origin registry in Redis, written and read by the origins themselves (every origin serves the same catalog
/// from the same media store, so any of them can answer a page that another one served): <c>vod:origins</c> is a hash
/// of id → announcement, <c>vod:origins:heartbeats</c> a sorted set of id → last heartbeat (Unix ms).
/// </summary>
public static class OriginRegistry
{
    public const string Announcements = RedisKeys.OriginAnnouncements;
    public const string Heartbeats = RedisKeys.OriginHeartbeats;
    private static readonly FleetRegistry<OriginAnnouncement> Registry = new(Announcements, Heartbeats, o => o.Id);

    public static Task HeartbeatAsync(IDatabase db, OriginAnnouncement origin, DateTimeOffset now) => Registry.HeartbeatAsync(db, origin, now);

    public static Task DeregisterAsync(IDatabase db, string originId) => Registry.DeregisterAsync(db, originId);

    /// <summary>Every registered origin with its last heartbeat; entries that do not parse are skipped.</summary>
    public static Task<IReadOnlyList<(OriginAnnouncement Origin, DateTimeOffset LastHeartbeat)>> ReadAsync(IDatabase db) => Registry.ReadAsync(db);

    /// <summary>Origin ids are Redis fields and log fields: the same rule as edge ids.</summary>
    public static bool IsValidId(string? id) => FleetMemberId.IsValid(id);
}
