using System.Text;
using Vod.Common.Hls;

namespace Vod.Common.Tests;

/// <summary>
/// Redis Cluster routes a key by its slot: CRC16 (XMODEM) of the key, or of its hash tag (the text between the first
/// <c>{</c> and the next <c>}</c>, when not empty), modulo 16384. A script or a transaction must find all its keys in one
/// slot (else CROSSSLOT), and the shared cache must not put a hot title's slices on one shard.
/// </summary>
public sealed class RedisClusterSlotTests
{
    [Theory]
    [InlineData("foo", 12182)] // as CLUSTER KEYSLOT answers
    [InlineData("somekey", 11058)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("foo{}{bar}", 8363)] // an empty tag: the whole key
    public void Slot_FollowsTheClusterSpecification(string key, int slot) => Assert.Equal(slot, Slot(key));

    [Fact]
    public void PurgeOutbox_ScriptAndTransactionKeys_ShareOneSlot()
    {
        // PurgeLog.AppendAsync (script: HINCRBY generations, XADD stream), SnapshotAsync (MULTI: XREVRANGE, HGETALL).
        Assert.Equal(Slot(RedisKeys.PurgeStream), Slot(RedisKeys.TitleGenerations));
        Assert.Equal(Slot(RedisKeys.PurgeStream), Slot(RedisKeys.PurgeAcks));
    }

    [Fact]
    public void EachRegistry_HashAndSortedSet_ShareOneSlot()
    {
        Assert.Equal(Slot(RedisKeys.EdgeAnnouncements), Slot(RedisKeys.EdgeHeartbeats));
        Assert.Equal(Slot(RedisKeys.OriginAnnouncements), Slot(RedisKeys.OriginHeartbeats));
    }

    [Fact]
    public void CachedObjectOrSlice_AndItsFillLease_ShareOneSlot()
    {
        Assert.True(MediaPath.TryParse("abcdefghij23/v1/360p/media.mp4", out var path));
        for (var index = 0; index < 50; index++)
        {
            var slice = EdgeCacheKeys.Slice(path, 3, "\"0f-1a}{\"", index); // braces from an origin's ETag change nothing
            Assert.Equal(Slot(slice), Slot(EdgeCacheKeys.Lease(slice)));
        }

        Assert.Equal(Slot(EdgeCacheKeys.Meta(path, 3)), Slot(EdgeCacheKeys.Lease(EdgeCacheKeys.Meta(path, 3))));
    }

    [Fact]
    public void HotTitle_SlicesAndFiles_SpreadOverManySlots()
    {
        Assert.True(MediaPath.TryParse("abcdefghij23/v1/360p/media.mp4", out var media));
        Assert.True(MediaPath.TryParse("abcdefghij23/v1/720p/media.mp4", out var other));

        var slices = Enumerable.Range(0, 64).Select(i => Slot(EdgeCacheKeys.Slice(media, 0, "\"e\"", i))).ToList();
        var metas = new[] { media, other }.Select(p => Slot(EdgeCacheKeys.Meta(p, 0))).ToList();

        // 64 slices in 16384 slots: all but a handful distinct; with a per-title tag they were all one.
        Assert.True(slices.Distinct().Count() >= 60, $"{slices.Distinct().Count()} slots for 64 slices");
        // Three primaries own a third of the slots each: one title's slices reach every one of them.
        Assert.Equal(3, slices.Select(s => s * 3 / 16384).Distinct().Count());
        Assert.NotEqual(metas[0], metas[1]);
    }

    /// <summary>The cluster's key slot, as redis-server computes it (<c>keyHashSlot</c>).</summary>
    private static int Slot(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var open = Array.IndexOf(bytes, (byte)'{');
        if (open >= 0)
        {
            var close = Array.IndexOf(bytes, (byte)'}', open + 1);
            if (close > open + 1)
            {
                bytes = bytes[(open + 1)..close];
            }
        }

        ushort crc = 0;
        foreach (var b in bytes)
        {
            crc ^= (ushort)(b << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc & 16383;
    }
}
