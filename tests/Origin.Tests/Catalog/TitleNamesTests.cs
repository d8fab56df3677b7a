using Vod.Origin.Catalog;

namespace Vod.Origin.Tests.Catalog;

public class TitleNamesTests
{
    [Theory]
    [InlineData("Big Buck Bunny", "Big Buck Bunny")]
    [InlineData("Sintel (2010) — 4K", "Sintel (2010) — 4K")]
    [InlineData("Été à Zürich 東京 🎬", "Été à Zürich 東京 🎬")]
    public void Sanitize_PrintableName_IsKept(string raw, string expected)
    {
        Assert.Equal(expected, TitleNames.Sanitize(raw, 200));
    }

    [Theory]
    [InlineData("Big\u0000Buck\u0007Bunny\u001b[31m", "BigBuckBunny[31m")]
    [InlineData("\u007fTrailer\u009b", "Trailer")]
    public void Sanitize_ControlCharacters_AreRemoved(string raw, string expected)
    {
        Assert.Equal(expected, TitleNames.Sanitize(raw, 200));
    }

    [Theory]
    [InlineData("invoice\u202Egnp.exe", "invoicegnp.exe")] // right-to-left override
    [InlineData("\u2066admin\u2069", "admin")] // isolates
    [InlineData("zero\u200Bwidth\uFEFF", "zerowidth")] // zero-width space and BOM
    [InlineData("soft\u00ADhyphen", "softhyphen")]
    public void Sanitize_BidiAndFormatCharacters_AreRemoved(string raw, string expected)
    {
        Assert.Equal(expected, TitleNames.Sanitize(raw, 200));
    }

    [Theory]
    [InlineData("  Big   Buck\t\tBunny  ", "Big Buck Bunny")]
    [InlineData("Line one\r\nLine two", "Line one Line two")]
    [InlineData("no\u00A0break\u2003em\u2028line", "no break em line")]
    public void Sanitize_Whitespace_IsCollapsedToSingleSpacesAndTrimmed(string raw, string expected)
    {
        Assert.Equal(expected, TitleNames.Sanitize(raw, 200));
    }

    [Fact]
    public void Sanitize_LongName_IsCutAtMaxLength()
    {
        var name = TitleNames.Sanitize(new string('x', 500), 200);

        Assert.Equal(new string('x', 200), name);
    }

    [Fact]
    public void Sanitize_SurrogatePairAtTheLimit_IsDroppedNotSplitOrOverflowing()
    {
        Assert.Equal("ab", TitleNames.Sanitize("ab\U0001F3AC", 3));
    }

    [Fact]
    public void Sanitize_CutRightAfterASpace_HasNoTrailingSpace()
    {
        Assert.Equal("abcd", TitleNames.Sanitize("abcd efgh", 5));
    }

    [Fact]
    public void Sanitize_RemovedCharacters_DoNotCountTowardsTheLength()
    {
        Assert.Equal("abcde", TitleNames.Sanitize("\u202E\u202E\u202E\u202Eabcdefgh", 5));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r\n")]
    [InlineData("\u202E\u200B\u0007")]
    [InlineData(" \u0000 \u2066 ")]
    public void Sanitize_NothingPrintable_ReturnsNull(string? raw)
    {
        Assert.Null(TitleNames.Sanitize(raw, 200));
    }
}
