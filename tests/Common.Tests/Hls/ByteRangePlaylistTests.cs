using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

public class ByteRangePlaylistTests
{
    private const string SingleFile = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-TARGETDURATION:4
        #EXT-X-PLAYLIST-TYPE:VOD
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MAP:URI="media.mp4",BYTERANGE="846@0"
        #EXTINF:4.000000,
        #EXT-X-BYTERANGE:348002@982
        media.mp4
        #EXTINF:2.026667,
        #EXT-X-BYTERANGE:23542@348984
        media.mp4
        #EXT-X-ENDLIST

        """;

    [Fact]
    public void Parse_SingleFilePlaylist_InitLengthAndEachSegmentsRangeAndDuration()
    {
        var playlist = ByteRangePlaylist.Parse(SingleFile.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal(846, playlist.InitLength);
        Assert.Equal([new ByteRangeSegment(982, 348002, 4.0), new ByteRangeSegment(348984, 23542, 2.026667)], playlist.Segments);
    }

    [Theory]
    [InlineData("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\nseg_00000.m4s\n")] // file per segment
    [InlineData("#EXTM3U\n#EXT-X-MAP:URI=\"media.mp4\",BYTERANGE=\"846@0\"\n#EXTINF:4,\n#EXT-X-BYTERANGE:100\nmedia.mp4\n")] // implicit offset
    [InlineData("#EXTM3U\n#EXT-X-MAP:URI=\"media.mp4\",BYTERANGE=\"846@10\"\n#EXTINF:4,\n#EXT-X-BYTERANGE:100@846\nmedia.mp4\n")] // init not at 0
    [InlineData("#EXTM3U\n#EXT-X-MAP:URI=\"media.mp4\",BYTERANGE=\"846@0\"\n#EXT-X-ENDLIST\n")] // no segments
    public void Parse_NotAnExplicitSingleFilePlaylist_IsRefused(string text)
    {
        Assert.Throws<FormatException>(() => ByteRangePlaylist.Parse(text));
    }
}
