using Vod.Load.Viewer;

namespace Vod.Load.Tests.Viewer;

public sealed class PlaybackBufferTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Append_BelowStartBuffer_KeepsLoading()
    {
        var buffer = new PlaybackBuffer(watchSeconds: 30, startSeconds: 8);

        buffer.Append(4, S(0.2));

        Assert.Equal(PlaybackState.Loading, buffer.State);
        Assert.Null(buffer.StartupTime);
    }

    [Fact]
    public void Append_ReachingStartBuffer_PlaysAndRecordsStartupTime()
    {
        var buffer = new PlaybackBuffer(watchSeconds: 30, startSeconds: 8);

        buffer.Append(4, S(0.2));
        buffer.Append(4, S(0.35));

        Assert.Equal(PlaybackState.Playing, buffer.State);
        Assert.Equal(S(0.35), buffer.StartupTime);
    }

    [Fact]
    public void Advance_WhilePlaying_ConsumesBufferInRealTime()
    {
        var buffer = Playing(out _);

        buffer.Advance(S(3.5)); // started at 0.5 with 8 s

        Assert.Equal(5, buffer.BufferedSeconds, 6);
        Assert.Equal(3, buffer.PlayheadSeconds, 6);
        Assert.Equal(0, buffer.Rebuffers);
    }

    [Fact]
    public void Advance_BufferRunsDry_CountsOneRebufferAndStalledTime()
    {
        var buffer = Playing(out _);

        buffer.Advance(S(10.5)); // 8 s played by 8.5, stalled 2 s
        buffer.Advance(S(11.5));

        Assert.Equal(PlaybackState.Stalled, buffer.State);
        Assert.Equal(1, buffer.Rebuffers);
        Assert.Equal(S(3), buffer.StalledTime);
        Assert.Equal(S(8), buffer.WatchedTime);
    }

    [Fact]
    public void Append_WhileStalled_ResumesAndStopsCountingStall()
    {
        var buffer = Playing(out _);
        buffer.Advance(S(9.5));

        buffer.Append(4, S(10.5));
        buffer.Advance(S(12.5));

        Assert.Equal(PlaybackState.Playing, buffer.State);
        Assert.Equal(1, buffer.Rebuffers);
        Assert.Equal(S(2), buffer.StalledTime);
        Assert.Equal(2, buffer.BufferedSeconds, 6);
    }

    [Fact]
    public void Append_SegmentsInTime_NeverStalls()
    {
        var buffer = new PlaybackBuffer(watchSeconds: 20, startSeconds: 8);
        var now = 0.0;
        for (var segment = 0; segment < 5; segment++)
        {
            buffer.Append(4, S(now += 0.1));
            now = Math.Max(now, 4 * segment - 2); // fetch each next segment 2 s before it is needed
        }

        buffer.Advance(S(60));

        Assert.Equal(PlaybackState.Ended, buffer.State);
        Assert.Equal(0, buffer.Rebuffers);
        Assert.Equal(TimeSpan.Zero, buffer.StalledTime);
        Assert.Equal(S(20), buffer.WatchedTime);
    }

    [Fact]
    public void Advance_PastTheEndWithEverythingDownloaded_EndsWithoutRebuffer()
    {
        var buffer = new PlaybackBuffer(watchSeconds: 8, startSeconds: 8);
        buffer.Append(8, S(1));

        buffer.Advance(S(20));

        Assert.Equal(PlaybackState.Ended, buffer.State);
        Assert.Equal(0, buffer.Rebuffers);
        Assert.Equal(S(8), buffer.WatchedTime);
        Assert.True(buffer.Complete);
    }

    [Fact]
    public void Append_WatchShorterThanStartBuffer_StartsOnceEverythingIsThere()
    {
        var buffer = new PlaybackBuffer(watchSeconds: 3, startSeconds: 8);

        buffer.Append(4, S(0.3));

        Assert.Equal(PlaybackState.Playing, buffer.State);
        Assert.Equal(3, buffer.BufferedSeconds, 6); // only what is watched counts
    }

    [Fact]
    public void TimeUntilBufferAt_Playing_IsTheExcess()
    {
        var buffer = Playing(out _);

        Assert.Equal(S(2), buffer.TimeUntilBufferAt(6));
        Assert.Equal(TimeSpan.Zero, buffer.TimeUntilBufferAt(9));
    }

    /// <summary>Playing since 0.5 s with 8 s buffered, 30 s to watch.</summary>
    private static PlaybackBuffer Playing(out TimeSpan startedAt)
    {
        var buffer = new PlaybackBuffer(watchSeconds: 30, startSeconds: 8);
        buffer.Append(4, S(0.25));
        buffer.Append(4, S(0.5));
        startedAt = buffer.StartupTime!.Value;
        return buffer;
    }
}
