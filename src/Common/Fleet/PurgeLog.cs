using System.Globalization;
using StackExchange.Redis;
using Vod.Common.Hls;

namespace Vod.Common.Fleet;

/// <summary>One purge in the outbox: the title every edge must drop, and the generation it has from now on.</summary>
/// <param name="StreamId">The entry's id in <see cref="RedisKeys.PurgeStream"/> (<c>ms-seq</c>), what an edge acknowledges.</param>
public sealed record Purge(string StreamId, string TitleId, long Generation);

/// <summary>
/// The purge outbox in Redis, written by the origins and replayed by the edges, so that a purge cannot be lost to an
/// edge that was disconnected when it went out (pub/sub on <see cref="RedisKeys.EdgePurgeChannel"/> only wakes the
/// edges up):
/// <list type="bullet">
/// <item><see cref="RedisKeys.PurgeStream"/>, a stream of {title, generation}, trimmed to about <see cref="MaxEntries"/>;</item>
/// <item><see cref="RedisKeys.TitleGenerations"/>, title id → generation, bumped by every purge of that title: an edge puts
/// the generation in its cache keys, so a fill that started before a purge cannot write the purged object back;</item>
/// <item><see cref="RedisKeys.PurgeAcks"/>, edge id → the last entry that edge applied, which the origin compares with
/// the entry it appended to tell whether every live edge has the purge.</item>
/// </list>
/// An edge starts from <see cref="SnapshotAsync"/>, then reads on with <see cref="ReadAfterAsync"/> from the snapshot's
/// last id; when that reports a gap (entries it had not read were trimmed, or Redis lost the stream) it drops its
/// whole memory cache and takes a new snapshot. What a Redis writer could put in here is validated on read: an entry
/// with a bad title or generation is skipped, never thrown at an edge.
/// </summary>
public static class PurgeLog
{
    /// <summary>The stream is trimmed to about this many entries: an edge that falls further behind drops its L1.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>The last id of an empty stream: read from here, an edge gets every entry.</summary>
    public const string Start = "0-0";

    private const string TitleField = "title";
    private const string GenerationField = "generation";

    // One script, so the generation and the entry that announces it are never apart (an origin that dies between
    // them would leave a generation no edge hears of). Both keys are passed as KEYS and share the tag {purges}: one slot.
    private static readonly LuaScript AppendScript = LuaScript.Prepare(
        "local generation = redis.call('HINCRBY', @generations, @title, 1) " +
        "local id = redis.call('XADD', @stream, 'MAXLEN', '~', @maxEntries, '*', 'title', @title, 'generation', generation) " +
        "return {id, generation}");

    /// <summary>
    /// The channel that wakes the edges (<see cref="RedisKeys.EdgePurgeChannel"/>): sharded (SPUBLISH/SSUBSCRIBE) on a Redis
    /// Cluster, where a plain PUBLISH would be broadcast to every node of the cluster, and plain on one server (Sentinel
    /// or standalone, which may be older than Redis 7). Null while no node is connected: the kind is not known yet.
    /// </summary>
    public static RedisChannel? WakeChannel(IConnectionMultiplexer redis)
    {
        var connected = redis.GetServers().Where(s => s.IsConnected).ToList();
        if (connected.Count == 0)
        {
            return null;
        }

        return connected.Any(s => s.ServerType == ServerType.Cluster)
            ? RedisChannel.Sharded(RedisKeys.EdgePurgeChannel)
            : RedisChannel.Literal(RedisKeys.EdgePurgeChannel);
    }

    /// <summary>Origin: bumps the title's generation and appends {title, generation} to the stream, atomically.</summary>
    /// <exception cref="ArgumentException"><paramref name="titleId"/> is not a valid title id.</exception>
    /// <exception cref="RedisException">Redis is unreachable (or <see cref="TimeoutException"/>): nothing was recorded.</exception>
    public static async Task<Purge> AppendAsync(IDatabase db, string titleId)
    {
        if (!TitleId.IsValid(titleId))
        {
            throw new ArgumentException("not a valid title id", nameof(titleId));
        }

        var result = (RedisResult[])(await db.ScriptEvaluateAsync(AppendScript, new
        {
            generations = (RedisKey)RedisKeys.TitleGenerations,
            stream = (RedisKey)RedisKeys.PurgeStream,
            title = (RedisValue)titleId,
            maxEntries = MaxEntries,
        }))!;
        return new Purge((string)result[0]!, titleId, (long)result[1]);
    }

    /// <summary>
    /// Edge, at start-up or after a gap: every title's generation and the stream's last id (<see cref="Start"/> when the
    /// stream is empty), read in one transaction so no purge falls between the two (both keys share the tag {purges}).
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, long> Generations, string LastId)> SnapshotAsync(IDatabase db)
    {
        var transaction = db.CreateTransaction();
        var last = transaction.StreamRangeAsync(RedisKeys.PurgeStream, "-", "+", 1, Order.Descending);
        var all = transaction.HashGetAllAsync(RedisKeys.TitleGenerations);
        await transaction.ExecuteAsync();

        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in await all)
        {
            var title = (string?)entry.Name;
            if (TitleId.IsValid(title) && TryParseGeneration(entry.Value, out var generation))
            {
                generations[title!] = generation;
            }
        }

        var lastEntry = await last;
        return (generations, lastEntry.Length > 0 ? (string)lastEntry[0].Id! : Start);
    }

    /// <summary>
    /// Edge: the valid entries after <paramref name="afterId"/> (exclusive), oldest first, at most <paramref name="count"/>
    /// (invalid entries are skipped, and do not count).
    /// <para>
    /// <c>Gap</c> is true when entries after <paramref name="afterId"/> may be gone or out of its reach: the first entry
    /// still kept is newer than <paramref name="afterId"/> (the stream was trimmed past it, or Redis lost the stream and
    /// a new one began), the last entry is older (a new stream whose ids started lower), or, from <see cref="Start"/>,
    /// the stream has trimmed any entry. The edge must then drop its whole L1 and take a
    /// new <see cref="SnapshotAsync"/>; <c>Entries</c> is empty. The rule errs towards a gap: an edge whose last applied
    /// entry was exactly the last one trimmed drops its L1 needlessly.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="afterId"/> is not a stream id (<c>ms-seq</c>).</exception>
    public static async Task<(IReadOnlyList<Purge> Entries, bool Gap)> ReadAfterAsync(IDatabase db, string afterId, int count)
    {
        if (!EntryId.TryParse(afterId, out var after))
        {
            throw new ArgumentException("not a stream id", nameof(afterId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        // The entries first, then the check: a trim between the two can only make the check report a gap, never hide one.
        var entries = new List<Purge>();
        var cursor = afterId;
        while (entries.Count < count)
        {
            var wanted = count - entries.Count;
            var page = await db.StreamRangeAsync(RedisKeys.PurgeStream, "(" + cursor, "+", wanted);
            foreach (var entry in page)
            {
                cursor = (string)entry.Id!;
                if (TryParse(entry) is { } purge)
                {
                    entries.Add(purge);
                }
            }

            if (page.Length < wanted)
            {
                break;
            }
        }

        return await HasGapAsync(db, after) ? ([], true) : (entries, false);
    }

    /// <summary>Edge: this edge applied every purge up to <paramref name="streamId"/>.</summary>
    public static Task AckAsync(IDatabase db, string edgeId, string streamId)
    {
        if (!FleetMemberId.IsValid(edgeId))
        {
            throw new ArgumentException("not a valid edge id", nameof(edgeId));
        }

        if (!EntryId.TryParse(streamId, out _))
        {
            throw new ArgumentException("not a stream id", nameof(streamId));
        }

        return db.HashSetAsync(RedisKeys.PurgeAcks, edgeId, streamId);
    }

    /// <summary>
    /// Origin: which of <paramref name="liveEdgeIds"/> have not acknowledged <paramref name="streamId"/> (or a later
    /// entry) yet, in the order given. Ids that are not valid edge ids are ignored (no edge can have them); an
    /// acknowledgement that does not parse counts as none.
    /// </summary>
    public static async Task<IReadOnlyList<string>> PendingAsync(IDatabase db, string streamId, IEnumerable<string> liveEdgeIds)
    {
        if (!EntryId.TryParse(streamId, out var wanted))
        {
            throw new ArgumentException("not a stream id", nameof(streamId));
        }

        var edges = liveEdgeIds.Where(FleetMemberId.IsValid).Distinct(StringComparer.Ordinal).ToArray();
        if (edges.Length == 0)
        {
            return [];
        }

        var acks = await db.HashGetAsync(RedisKeys.PurgeAcks, [.. edges.Select(e => (RedisValue)e)]);
        var pending = new List<string>();
        for (var i = 0; i < edges.Length; i++)
        {
            if (!EntryId.TryParse((string?)acks[i], out var acked) || acked.CompareTo(wanted) < 0)
            {
                pending.Add(edges[i]);
            }
        }

        return pending;
    }

    private static async Task<bool> HasGapAsync(IDatabase db, EntryId after)
    {
        if (after != default)
        {
            // Trimmed past the edge's position, or a stream that went backwards: Redis lost it (a wipe, or a failover to a
            // replica that had not caught up) and the new one may hold entries older than the position, never read after it.
            var first = db.StreamRangeAsync(RedisKeys.PurgeStream, "-", "+", 1);
            var last = db.StreamRangeAsync(RedisKeys.PurgeStream, "-", "+", 1, Order.Descending);
            return await first is [var oldest] && Compare(oldest.Id, after) > 0
                || await last is [var newest] && Compare(newest.Id, after) < 0;
        }

        // From the start every entry is new to the edge, so any entry trimmed away is one it missed. An empty stream
        // holds nothing to miss (and a snapshot of it is Start again: reporting a gap there would never end).
        StreamInfo info;
        try
        {
            info = await db.StreamInfoAsync(RedisKeys.PurgeStream);
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return info.Length > 0 && info.EntriesAdded > info.Length;
    }

    /// <summary>How a stream id Redis handed out compares with <paramref name="other"/>; an unreadable id counts as newest.</summary>
    private static int Compare(RedisValue id, EntryId other) =>
        EntryId.TryParse((string?)id, out var parsed) ? parsed.CompareTo(other) : 1;

    private static Purge? TryParse(StreamEntry entry)
    {
        var title = (string?)entry[TitleField];
        return TitleId.IsValid(title) && TryParseGeneration(entry[GenerationField], out var generation)
            ? new Purge((string)entry.Id!, title!, generation)
            : null;
    }

    private static bool TryParseGeneration(RedisValue value, out long generation) =>
        long.TryParse((string?)value, NumberStyles.None, CultureInfo.InvariantCulture, out generation) && generation > 0;

    /// <summary>A stream id, <c>ms-seq</c>, compared as the two numbers Redis orders by (not as text: "9-0" &lt; "10-0").</summary>
    private readonly record struct EntryId(ulong Milliseconds, ulong Sequence) : IComparable<EntryId>
    {
        public static bool TryParse(string? text, out EntryId id)
        {
            id = default;
            var dash = text is null ? -1 : text.IndexOf('-', StringComparison.Ordinal);
            if (text is null || dash <= 0
                || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                || !ulong.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                return false;
            }

            id = new EntryId(ms, seq);
            return true;
        }

        public int CompareTo(EntryId other) =>
            Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);
    }
}
