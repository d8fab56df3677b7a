using System.Globalization;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Vod.Common.Fleet;

/// <summary>An origin as it announces itself: its id and the public base URL pages and players reach it on.</summary>
/// <param name="Signature">The fleet key's signature over every other field (<see cref="SignedText"/>), when the fleet has a key.</param>
public sealed record OriginAnnouncement(string Id, string Url, DateTimeOffset StartedAt, string? Signature = null)
    : IFleetAnnouncement<OriginAnnouncement>
{
    [JsonIgnore]
    public IEnumerable<string?> Urls => [Url];

    public string SignedText() => string.Join('\n', "origin", Id, Url, StartedAt.UtcTicks.ToString(CultureInfo.InvariantCulture));

    public OriginAnnouncement WithSignature(string? signature) => this with { Signature = signature };
}

/// <summary>
/// The live origin registry in Redis, written and read by the origins themselves (every origin serves the same catalog
/// from the same media store, so any of them can answer a page that another one served): <c>vod:origins</c> is a hash
/// of id → announcement, <c>vod:origins:heartbeats</c> a sorted set of id → last heartbeat (Unix ms).
/// </summary>
public static class OriginRegistry
{
    public const string Announcements = RedisKeys.OriginAnnouncements;
    public const string Heartbeats = RedisKeys.OriginHeartbeats;
    private static readonly FleetRegistry<OriginAnnouncement> Registry = new(Announcements, Heartbeats);

    /// <summary>Writes the origin's announcement (signed when <paramref name="key"/> is given) and heartbeat.</summary>
    public static Task HeartbeatAsync(IDatabase db, OriginAnnouncement origin, DateTimeOffset now, FleetKey? key = null) =>
        Registry.HeartbeatAsync(db, origin, now, key);

    public static Task DeregisterAsync(IDatabase db, string originId) => Registry.DeregisterAsync(db, originId);

    /// <summary>Every registered origin that <paramref name="trust"/> accepts, with its last heartbeat, and the entries it refused.</summary>
    public static Task<FleetRead<OriginAnnouncement>> ReadAsync(IDatabase db, FleetTrust trust) => Registry.ReadAsync(db, trust);

    /// <summary>Origin ids are Redis fields and log fields: the same rule as edge ids.</summary>
    public static bool IsValidId(string? id) => FleetMemberId.IsValid(id);
}
