using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

public sealed class EdgeCacheKeysTests
{
    [Theory]
    [InlineData("*")]
    [InlineData("abcdefghij2*")]
    [InlineData("ABCDEFGHIJKL")]
    [InlineData("abc}{defghij")]
    [InlineData("")]
    public void TitlePattern_InvalidId_Throws(string id) =>
        Assert.Throws<ArgumentException>(() => EdgeCacheKeys.TitlePattern(id));

    [Fact]
    public void TitlePattern_ValidId_IsTheStartOfTheHashTag() =>
        Assert.Equal("vod:edge:{abcdefghij23:*", EdgeCacheKeys.TitlePattern("abcdefghij23"));

    [Fact]
    public void Keys_AreReadable_WithTheObjectOrSliceInTheHashTag()
    {
        Assert.True(MediaPath.TryParse("abcdefghij23/v1/360p/media.mp4", out var path));

        Assert.Equal("vod:edge:{abcdefghij23:4:m:v1/360p/media.mp4}", EdgeCacheKeys.Meta(path, 4));
        Assert.Equal("vod:edge:{abcdefghij23:4:s:v1/360p/media.mp4:17}:\"e1\"", EdgeCacheKeys.Slice(path, 4, "\"e1\"", 17));
        Assert.Equal("vod:edge:{abcdefghij23:4:m:v1/360p/media.mp4}:lease", EdgeCacheKeys.Lease(EdgeCacheKeys.Meta(path, 4)));
    }
}

public sealed class EdgeCacheKeysGenerationTests
{
    [Fact]
    public void EveryKeyOfATitle_ChangesWithItsGeneration_AndStaysUnderItsPattern()
    {
        Assert.True(MediaPath.TryParse("abcdefghij23/v1/360p/media.mp4", out var path));
        var pattern = EdgeCacheKeys.TitlePattern("abcdefghij23").TrimEnd('*');

        string[] before = [EdgeCacheKeys.Meta(path, 0), EdgeCacheKeys.Slice(path, 0, "\"e\"", 0)];
        string[] after = [EdgeCacheKeys.Meta(path, 1), EdgeCacheKeys.Slice(path, 1, "\"e\"", 0)];

        Assert.All(before.Concat(after), key => Assert.StartsWith(pattern, key, StringComparison.Ordinal));
        Assert.Empty(before.Intersect(after));
    }
}
