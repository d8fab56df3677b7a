using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

/// <summary>The edge's quick check of a name and the origin's content-type map agree on every name.</summary>
public sealed class HlsContentTypesTests
{
    [Theory]
    [InlineData("v1/360p/index.m3u8", true)]
    [InlineData("v1/360p/media.mp4", true)]
    [InlineData("v1/360p/seg-00001.m4s", true)]
    [InlineData("v1/poster.jpg", true)]
    [InlineData("v1/trickplay/storyboard.vtt", true)]
    [InlineData("v1/trickplay/sheet_000.jpg", true)]
    [InlineData("v1/360p/MEDIA.MP4", true)]
    [InlineData("title.json", false)]
    [InlineData("v1/notes.txt", false)]
    [InlineData("v1/360p/media.mp4.bak", false)]
    [InlineData("v1/360p/index.m3u8.tmp", false)]
    [InlineData("v1/360p/media", false)]
    [InlineData("v1/360p/media.ts", false)]
    public void IsServable_AgreesWithTheContentTypeMap(string relative, bool servable)
    {
        Assert.True(MediaPath.TryParse("aaaaaaaaaaaa/" + relative, out var path));

        Assert.Equal(servable, HlsContentTypes.IsServable(path));
        Assert.Equal(servable, HlsContentTypes.Instance.TryGetContentType(path.RelativePath, out _));
    }
}
