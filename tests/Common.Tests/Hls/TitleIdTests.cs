using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

public class TitleIdTests
{
    [Fact]
    public void New_Always_ReturnsAValidTwelveCharacterId()
    {
        for (var i = 0; i < 100; i++)
        {
            var id = TitleId.New();

            Assert.Equal(12, id.Length);
            Assert.True(TitleId.IsValid(id), $"'{id}' is not valid");
            Assert.Matches("^[a-z2-7]{12}$", id);
        }
    }

    [Fact]
    public void New_CalledTwice_ReturnsDifferentIds()
    {
        Assert.NotEqual(TitleId.New(), TitleId.New());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abcdefgh234")] // 11
    [InlineData("abcdefgh23456")] // 13
    [InlineData("ABCDEFGH2345")] // upper case
    [InlineData("abcdefgh2301")] // 0 and 1 are not base-32
    [InlineData("abcdefgh23.5")]
    [InlineData("abcdefgh23/5")]
    [InlineData("../abcdefgh2")]
    public void IsValid_NotAnId_ReturnsFalse(string? id)
    {
        Assert.False(TitleId.IsValid(id));
    }
}
