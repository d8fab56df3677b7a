using Vod.Media.Probing;

namespace Vod.Common.Tests.Media;

public class LanguageTagsTests
{
    [Theory]
    [InlineData("eng", "en")]
    [InlineData("fre", "fr")] // ISO 639-2/B, as many muxers write it
    [InlineData("fra", "fr")] // ISO 639-2/T
    [InlineData("GER", "de")]
    [InlineData("fr", "fr")]
    [InlineData("haw", "haw")] // no two-letter code: kept
    [InlineData("und", "und")]
    [InlineData(null, "und")]
    [InlineData("", "und")]
    [InlineData("e\"n", "und")]
    [InlineData("english", "und")]
    public void FromStreamTag_IsBcp47(string? code, string expected)
    {
        Assert.Equal(expected, LanguageTags.FromStreamTag(code));
    }

    [Fact]
    public void EnglishName_KnownAndUnknown()
    {
        Assert.Equal("French", LanguageTags.EnglishName("fr"));
        Assert.Null(LanguageTags.EnglishName("und"));
        Assert.Null(LanguageTags.EnglishName("haw"));
    }
}
