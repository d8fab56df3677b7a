using StackExchange.Redis;
using Vod.Common;
using Vod.Common.Fleet;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>The purge outbox in a real redis-server: ordered, replayable, honest about gaps, and deaf to garbage.</summary>
public sealed class PurgeLogTests : IAsyncLifetime
{
    private const string A = "aaaaaaaaaaaa";
    private const string B = "bbbbbbbbbbbb";
    private RedisServer _server = null!;
    private ConnectionMultiplexer _redis = null!;

    private IDatabase Db => _redis.GetDatabase();

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Append_SeveralPurges_BumpsEachTitlesGenerationAndKeepsOrder()
    {
        var empty = await PurgeLog.SnapshotAsync(Db);
        var first = await PurgeLog.AppendAsync(Db, A);
        var second = await PurgeLog.AppendAsync(Db, B);
        var third = await PurgeLog.AppendAsync(Db, A);
        var (generations, lastId) = await PurgeLog.SnapshotAsync(Db);
        var (entries, gap) = await PurgeLog.ReadAfterAsync(Db, PurgeLog.Start, 10);

        Assert.Empty(empty.Generations);
        Assert.Equal(PurgeLog.Start, empty.LastId);
        Assert.Equal([1L, 1L, 2L], new[] { first.Generation, second.Generation, third.Generation });
        Assert.Equal(2, generations.Count);
        Assert.Equal((2L, 1L), (generations[A], generations[B]));
        Assert.Equal(third.StreamId, lastId);
        Assert.False(gap);
        Assert.Equal([first, second, third], entries);
        await Assert.ThrowsAsync<ArgumentException>(() => PurgeLog.AppendAsync(Db, "../../etc/pw"));
    }

    [Fact]
    public async Task ReadAfter_AnEntry_ReturnsExactlyWhatCameAfterIt_AtMostCount()
    {
        var purges = new List<Purge>();
        for (var i = 0; i < 5; i++)
        {
            purges.Add(await PurgeLog.AppendAsync(Db, i % 2 == 0 ? A : B));
        }

        Assert.Equal(purges[2..], (await PurgeLog.ReadAfterAsync(Db, purges[1].StreamId, 10)).Entries);
        Assert.Equal(purges[2..4], (await PurgeLog.ReadAfterAsync(Db, purges[1].StreamId, 2)).Entries);
        await AssertReadAsync(purges[4].StreamId, [], gap: false);
        await Assert.ThrowsAsync<ArgumentException>(() => PurgeLog.ReadAfterAsync(Db, "yesterday", 10));
    }

    [Fact]
    public async Task ReadAfter_StreamTrimmedPastThePosition_ReportsGap_AndANewSnapshotReadsOn()
    {
        var purges = new List<Purge>();
        for (var i = 0; i < 4; i++)
        {
            purges.Add(await PurgeLog.AppendAsync(Db, A));
        }

        await Db.StreamTrimAsync(RedisKeys.PurgeStream, 2); // entries 0 and 1 are gone

        await AssertReadAsync(purges[0].StreamId, [], gap: true);
        await AssertReadAsync(PurgeLog.Start, [], gap: true);
        await AssertReadAsync(purges[2].StreamId, [purges[3]], gap: false);
        var snapshot = await PurgeLog.SnapshotAsync(Db);
        var next = await PurgeLog.AppendAsync(Db, B);

        Assert.Equal((purges[3].StreamId, 4L), (snapshot.LastId, snapshot.Generations[A]));
        await AssertReadAsync(snapshot.LastId, [next], gap: false);
    }

    [Fact]
    public async Task ReadAfter_RedisLostTheStream_ReportsGapOnceAPurgeFollows()
    {
        var before = await PurgeLog.AppendAsync(Db, A);
        await _redis.GetServer(_server.Configuration).FlushAllDatabasesAsync();

        await AssertReadAsync(before.StreamId, [], gap: false);
        await Task.Delay(5); // a new stream's first id is the time in ms: not the same as the lost entry's
        await PurgeLog.AppendAsync(Db, B);
        await AssertReadAsync(before.StreamId, [], gap: true);
    }

    [Fact]
    public async Task ReadAfter_NewStreamWithLowerIds_ReportsGap()
    {
        // A failover to a replica that missed the last entries, on a host whose clock is behind: new entries get ids
        // below the edge's position, which reading after it would never return.
        await Db.StreamAddAsync(RedisKeys.PurgeStream, [new("title", A), new("generation", 1)], messageId: "5000-0");
        await AssertReadAsync("9000-0", [], gap: true);
        await AssertReadAsync("5000-0", [], gap: false);
    }

    [Fact]
    public async Task Pending_AfterAcks_ListsLiveEdgesBehindTheEntry_ComparingIdsAsNumbers()
    {
        var purge = await PurgeLog.AppendAsync(Db, A);
        var later = await PurgeLog.AppendAsync(Db, B);
        await PurgeLog.AckAsync(Db, "edge-1", purge.StreamId);
        await PurgeLog.AckAsync(Db, "edge-2", later.StreamId);
        await PurgeLog.AckAsync(Db, "edge-3", "1-0");
        await Db.HashSetAsync(RedisKeys.PurgeAcks, "edge-4", "not an id");

        Assert.Equal(["edge-3", "edge-4", "edge-5"],
            await PurgeLog.PendingAsync(Db, purge.StreamId, ["edge-1", "edge-2", "edge-3", "edge-4", "edge-5", "edge-5", "bad id\"", ""]));
        Assert.Equal(["edge-1"], await PurgeLog.PendingAsync(Db, later.StreamId, ["edge-1", "edge-2"]));
        // Redis orders ids as numbers: 10-0 comes after 9-5, although it sorts before it as text.
        await PurgeLog.AckAsync(Db, "edge-6", "10-0");
        Assert.Empty(await PurgeLog.PendingAsync(Db, "9-5", ["edge-6"]));
        Assert.Equal(["edge-6"], await PurgeLog.PendingAsync(Db, "10-1", ["edge-6"]));
        Assert.Empty(await PurgeLog.PendingAsync(Db, purge.StreamId, []));
        await Assert.ThrowsAsync<ArgumentException>(() => PurgeLog.AckAsync(Db, "edge 1\n", purge.StreamId));
    }

    [Fact]
    public async Task ReadAndSnapshot_EntriesWrittenByHandWithBadTitlesOrGenerations_AreSkipped()
    {
        var stream = RedisKeys.PurgeStream;
        await Db.StreamAddAsync(stream, [new("title", "../../../etc"), new("generation", 1)]);
        await Db.StreamAddAsync(stream, [new("title", A), new("generation", "many")]);
        await Db.StreamAddAsync(stream, [new("title", A), new("generation", -3)]);
        await Db.StreamAddAsync(stream, [new("something", "else")]);
        var valid = await PurgeLog.AppendAsync(Db, B);
        await Db.StreamAddAsync(stream, [new("title", "AAAAAAAAAAAA"), new("generation", 2)]);
        await Db.HashSetAsync(RedisKeys.TitleGenerations, [new("not/a/title", 7), new(A, "x")]);

        var (entries, gap) = await PurgeLog.ReadAfterAsync(Db, PurgeLog.Start, 1); // the garbage before does not use up the count
        var (generations, _) = await PurgeLog.SnapshotAsync(Db);

        Assert.False(gap);
        Assert.Equal([valid], entries);
        await AssertReadAsync(valid.StreamId, [], gap: false);
        Assert.Equal(B, Assert.Single(generations).Key);
        Assert.Equal(1, generations[B]);
    }

    private async Task AssertReadAsync(string afterId, Purge[] expected, bool gap)
    {
        var read = await PurgeLog.ReadAfterAsync(Db, afterId, 10);
        Assert.Equal(gap, read.Gap);
        Assert.Equal(expected, read.Entries);
    }
}
