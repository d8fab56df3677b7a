using System.Text.Json;
using StackExchange.Redis;

namespace Vod.Common.Fleet;

/// <summary>
/// The shape every registry in Redis shares (edges, origins): a hash of id → JSON announcement and a sorted set of
/// id → last heartbeat (Unix ms). A member whose heartbeat is older than its reader's expiry is dead, whether it said
/// goodbye or not; the announcement is written with every heartbeat, so a wiped Redis is refilled within one period.
/// Redis is not trusted: every entry read goes through the reader's <see cref="FleetTrust"/>, and writers sign their
/// announcements when the fleet has a key.
/// </summary>
/// <typeparam name="T">The announcement, serialized as JSON.</typeparam>
public sealed class FleetRegistry<T>(string announcements, string heartbeats)
    where T : class, IFleetAnnouncement<T>
{
    public string Announcements { get; } = announcements;

    public string Heartbeats { get; } = heartbeats;

    /// <summary>Writes <paramref name="member"/>'s announcement, signed with <paramref name="key"/> when given, and its heartbeat.</summary>
    public async Task HeartbeatAsync(IDatabase db, T member, DateTimeOffset now, FleetKey? key = null)
    {
        var signed = key is null ? member.WithSignature(null) : member.WithSignature(key.Sign(member.SignedText()));
        var batch = db.CreateBatch();
        var announce = batch.HashSetAsync(Announcements, signed.Id, JsonSerializer.Serialize(signed));
        var beat = batch.SortedSetAddAsync(Heartbeats, signed.Id, now.ToUnixTimeMilliseconds());
        batch.Execute();
        await Task.WhenAll(announce, beat);
    }

    public async Task DeregisterAsync(IDatabase db, string id)
    {
        var batch = db.CreateBatch();
        var announce = batch.HashDeleteAsync(Announcements, id);
        var beat = batch.SortedSetRemoveAsync(Heartbeats, id);
        batch.Execute();
        await Task.WhenAll(announce, beat);
    }

    /// <summary>
    /// Every member that passes <paramref name="trust"/>, with its last heartbeat (members that never beat are left
    /// out), and every entry refused with the reason.
    /// </summary>
    public async Task<FleetRead<T>> ReadAsync(IDatabase db, FleetTrust trust)
    {
        var announced = db.HashGetAllAsync(Announcements);
        var beats = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var entry in await db.SortedSetRangeByRankWithScoresAsync(Heartbeats))
        {
            if (entry.Score is >= 0 and <= 253402300799999) // DateTimeOffset's range in Unix ms
            {
                beats[(string)entry.Element!] = DateTimeOffset.FromUnixTimeMilliseconds((long)entry.Score);
            }
        }

        var members = new List<(T, DateTimeOffset)>();
        var refused = new List<RefusedEntry>();
        foreach (var entry in await announced)
        {
            var field = (string)entry.Name!;
            T? member;
            try
            {
                member = JsonSerializer.Deserialize<T>((string)entry.Value!);
            }
            catch (JsonException)
            {
                member = null;
            }

            if (member is null)
            {
                refused.Add(new RefusedEntry(RefusedEntry.Printable(field), "not an announcement"));
            }
            else if (trust.Refuse(field, member) is { } reason)
            {
                refused.Add(new RefusedEntry(RefusedEntry.Printable(field), reason));
            }
            else if (beats.TryGetValue(field, out var beat))
            {
                members.Add((member, beat));
            }
        }

        return new FleetRead<T>(members, refused);
    }
}
