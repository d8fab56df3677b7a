using System.Text.Json;
using StackExchange.Redis;

namespace Vod.Common.Fleet;

/// <summary>
/// The shape every registry in Redis shares (edges, origins): a hash of id → JSON announcement and a sorted set of
/// id → last heartbeat (Unix ms). A member whose heartbeat is older than its reader's expiry is dead, whether it said
/// goodbye or not; the announcement is written with every heartbeat, so a wiped Redis is refilled within one period.
/// </summary>
/// <typeparam name="T">The announcement, serialized as JSON.</typeparam>
public sealed class FleetRegistry<T>(string announcements, string heartbeats, Func<T, string> idOf)
    where T : class
{
    public string Announcements { get; } = announcements;

    public string Heartbeats { get; } = heartbeats;

    public async Task HeartbeatAsync(IDatabase db, T member, DateTimeOffset now)
    {
        var id = idOf(member);
        var batch = db.CreateBatch();
        var announce = batch.HashSetAsync(Announcements, id, JsonSerializer.Serialize(member));
        var beat = batch.SortedSetAddAsync(Heartbeats, id, now.ToUnixTimeMilliseconds());
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

    /// <summary>Every registered member with its last heartbeat; entries that do not parse or never beat are skipped.</summary>
    public async Task<IReadOnlyList<(T Member, DateTimeOffset LastHeartbeat)>> ReadAsync(IDatabase db)
    {
        var announced = db.HashGetAllAsync(Announcements);
        var beats = (await db.SortedSetRangeByRankWithScoresAsync(Heartbeats))
            .ToDictionary(e => (string)e.Element!, e => DateTimeOffset.FromUnixTimeMilliseconds((long)e.Score));
        var members = new List<(T, DateTimeOffset)>();
        foreach (var entry in await announced)
        {
            T? member;
            try
            {
                member = JsonSerializer.Deserialize<T>((string)entry.Value!);
            }
            catch (JsonException)
            {
                continue;
            }

            if (member is not null && beats.TryGetValue(idOf(member), out var beat))
            {
                members.Add((member, beat));
            }
        }

        return members;
    }
}

public static class FleetMemberId
{
    /// <summary>Ids become HLS pathway ids, log fields and Redis fields: short, plain, and validated at start.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= 32 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
