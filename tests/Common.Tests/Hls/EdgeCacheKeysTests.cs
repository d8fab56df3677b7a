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
        Assert.Throws<ArgumentException>(() => Vod.Common.Hls.EdgeCacheKeys.TitlePattern(id));

    [Fact]
    public void TitlePattern_ValidId_IsTheHashTaggedPrefix() =>
        Assert.Equal("vod:edge:{abcdefghij23}:*", Vod.Common.Hls.EdgeCacheKeys.TitlePattern("abcdefghij23"));
}

public sealed class EdgeCacheKeysGenerationTests
{
    [Fact]
    public void EveryKeyOfATitle_ChangesWithItsGeneration_AndStaysUnderItsPurgePattern()
    {
        Assert.True(Vod.Common.Hls.MediaPath.TryParse("abcdefghij23/v1/360p/media.mp4", out var path));
        var pattern = Vod.Common.Hls.EdgeCacheKeys.TitlePattern("abcdefghij23").TrimEnd('*');

        string[] before = [Vod.Common.Hls.EdgeCacheKeys.Meta(path, 0), Vod.Common.Hls.EdgeCacheKeys.SlicePrefix(path, 0, "\"e\"")];
        string[] after = [Vod.Common.Hls.EdgeCacheKeys.Meta(path, 1), Vod.Common.Hls.EdgeCacheKeys.SlicePrefix(path, 1, "\"e\"")];

        Assert.All(before.Concat(after), key => Assert.StartsWith(pattern, key, StringComparison.Ordinal));
        Assert.Empty(before.Intersect(after));
    }
}
