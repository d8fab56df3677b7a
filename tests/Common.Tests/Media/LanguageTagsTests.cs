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

    [Theory]
    [InlineData("en-US", "English")]
    [InlineData("fr-CA", "French")]
    [InlineData("zh-Hant-TW", "Chinese")]
    [InlineData("pt-BR-x-custom", "Portuguese")]
    [InlineData("und-Latn", null)]
    public void EnglishName_TagWithSubtags_IsItsPrimaryLanguage(string tag, string? expected)
    {
        Assert.Equal(expected, LanguageTags.EnglishName(tag));
    }

    [Theory]
    [InlineData("en", "en")]
    [InlineData("EN-us", "en-US")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("pt-br", "pt-BR")]
    [InlineData("  de-CH ", "de-CH")] // trimmed
    [InlineData("eng", "en")] // ISO 639-2 in the table: its two-letter tag
    [InlineData("fre", "fr")]
    [InlineData("GER-at", "de-AT")]
    [InlineData("haw", "haw")] // three letters, none shorter: kept
    [InlineData("und", "und")]
    [InlineData("es-419", "es-419")] // UN M.49 region
    [InlineData("SR-LATN-rs", "sr-Latn-RS")]
    [InlineData("zh-YUE-hk", "zh-yue-HK")] // extended language
    [InlineData("de-CH-1901", "de-CH-1901")] // variant: a digit and three
    [InlineData("sl-ROZAJ-biske", "sl-rozaj-biske")] // variants: five to eight
    [InlineData("en-US-u-CA-gregory", "en-US-u-ca-gregory")] // extension
    [InlineData("en-a-bbb-B-ccc", "en-a-bbb-b-ccc")]
    [InlineData("en-x-Custom-A", "en-x-custom-a")] // private use
    [InlineData("en-Latn-GB-oxendict-x-a-b-c", "en-Latn-GB-oxendict-x-a-b-c")]
    [InlineData("zh-Hans-CN-x-abcdefgh-12345678-abcd", "zh-Hans-CN-x-abcdefgh-12345678-abcd")] // 35 characters
    public void TryNormalize_WellFormed_IsCanonicalCase(string input, string expected)
    {
        Assert.True(LanguageTags.TryNormalize(input, out var tag));
        Assert.Equal(expected, tag);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("e")]
    [InlineData("english")] // a name, not a tag
    [InlineData("en_US")] // POSIX locale
    [InlineData("en--us")]
    [InlineData("-en")]
    [InlineData("en-")]
    [InlineData("en-US-")]
    [InlineData("e\u0000n")]
    [InlineData("en\tUS")]
    [InlineData("en-US\r\nX-Injected: 1")]
    [InlineData("en US")]
    [InlineData("\"en\"")]
    [InlineData("en-ü")]
    [InlineData("123")]
    [InlineData("x-private")] // private use alone has no language
    [InlineData("i-klingon")] // grandfathered irregular
    [InlineData("en-US-US")] // two regions
    [InlineData("en-a")] // extension with no subtag
    [InlineData("en-x")] // private use with no subtag
    [InlineData("en-a-b")] // extension subtags are 2-8 characters
    [InlineData("de-1901-1901")] // repeated variant
    [InlineData("en-a-bbb-a-ccc")] // repeated extension
    [InlineData("en-abcdefghi")] // subtag over 8 characters
    [InlineData("zh-Hans-CN-x-abcdefgh-12345678-abcde")] // 36 characters
    public void TryNormalize_Malformed_IsFalse(string? input)
    {
        Assert.False(LanguageTags.TryNormalize(input, out var tag));
        Assert.Equal("", tag);
    }
}
