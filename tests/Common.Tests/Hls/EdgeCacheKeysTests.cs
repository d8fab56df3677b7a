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
