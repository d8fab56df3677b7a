using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Tests.Packaging;

public sealed class MediaPlaylistStatsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WritePlaylist(string text)
    {
        var path = _temp.Combine("index.m3u8");
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    [Fact]
    public void Read_SingleFileByteRangePlaylist_CountsSegmentBytesButNotTheInitSegment()
    {
        // As ffmpeg writes it with -hls_flags single_file: 1000 bytes of init, then 100 kB, 300 kB and 50 kB segments.
        var path = WritePlaylist("""
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-TARGETDURATION:4
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-MAP:URI="media.mp4",BYTERANGE="1000@0"
            #EXTINF:4.000000,
            #EXT-X-BYTERANGE:100000@1000
            media.mp4
            #EXTINF:4.000000,
            #EXT-X-BYTERANGE:300000@101000
            media.mp4
            #EXTINF:2.000000,
            #EXT-X-BYTERANGE:50000@401000
            media.mp4
            #EXT-X-ENDLIST
            """);

        var stats = MediaPlaylistStats.Read(path);

        Assert.Equal(3, stats.Segments);
        Assert.Equal(10.0, stats.DurationSeconds, precision: 6);
        Assert.Equal(600_000, stats.PeakBitsPerSecond); // 300 000 bytes in 4 s
        Assert.Equal(360_000, stats.AverageBitsPerSecond); // 450 000 bytes in 10 s
        Assert.Equal("media.mp4", stats.InitSegment);
    }

    [Fact]
    public void Read_FilePerSegmentPlaylist_TakesSegmentSizesFromTheFiles()
    {
        File.WriteAllBytes(_temp.Combine("init.mp4"), new byte[5000]);
        File.WriteAllBytes(_temp.Combine("seg_00000.m4s"), new byte[40_000]);
        File.WriteAllBytes(_temp.Combine("seg_00001.m4s"), new byte[60_000]);
        File.WriteAllBytes(_temp.Combine("seg_00002.m4s"), new byte[10_000]);
        var path = WritePlaylist("""
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-TARGETDURATION:4
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXT-X-MAP:URI="init.mp4"
            #EXTINF:4.000000,
            seg_00000.m4s
            #EXTINF:2.000000,
            seg_00001.m4s
            #EXTINF:0.500000,
            seg_00002.m4s
            #EXT-X-ENDLIST
            """);

        var stats = MediaPlaylistStats.Read(path);

        Assert.Equal(3, stats.Segments);
        Assert.Equal(6.5, stats.DurationSeconds, precision: 6);
        Assert.Equal(240_000, stats.PeakBitsPerSecond); // 60 000 bytes in 2 s
        Assert.Equal(135_385, stats.AverageBitsPerSecond); // 110 000 bytes in 6.5 s, rounded up
        Assert.Equal("init.mp4", stats.InitSegment);
    }

    [Fact]
    public void Read_PlaylistWithoutSegments_ThrowsInvalidData()
    {
        var path = WritePlaylist("""
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-TARGETDURATION:4
            #EXT-X-MAP:URI="media.mp4",BYTERANGE="1000@0"
            #EXT-X-ENDLIST
            """);

        Assert.Throws<InvalidDataException>(() => MediaPlaylistStats.Read(path));
    }

    [Fact]
    public void Read_PlaylistWithoutInitSegment_ThrowsInvalidData()
    {
        var path = WritePlaylist("""
            #EXTM3U
            #EXTINF:4.000000,
            #EXT-X-BYTERANGE:100000@0
            media.ts
            #EXT-X-ENDLIST
            """);

        Assert.Throws<InvalidDataException>(() => MediaPlaylistStats.Read(path));
    }
}
