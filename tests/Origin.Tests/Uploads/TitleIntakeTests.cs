using Vod.Origin.Uploads;

namespace Vod.Origin.Tests.Uploads;

public class TitleIntakeTests
{
    [Theory]
    [InlineData("movie.mp4", ".mp4")]
    [InlineData("MOVIE.MP4", ".mp4")]
    [InlineData(".MP4", ".mp4")]
    [InlineData("x.m3u8", ".m3u8")]
    [InlineData("holiday.2024.mkv", ".mkv")]
    [InlineData("clip.webm", ".webm")]
    [InlineData("a.abcdefgh", ".abcdefgh")] // 8 characters: the longest kept
    public void SourceExtension_ShortAlphanumericExtension_IsKeptInLowerCase(string fileName, string expected)
    {
        Assert.Equal(expected, TitleIntake.SourceExtension(fileName));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("noext")]
    [InlineData("trailing.")]
    [InlineData("a.abcdefghi")] // 9 characters
    [InlineData("a.mp4;rm -rf")]
    [InlineData("a.mp 4")]
    [InlineData("a.mp4%00")]
    [InlineData("a.m-4")]
    [InlineData("a.m_4")]
    [InlineData("a.мр4")]
    [InlineData("../../etc/passwd")]
    public void SourceExtension_MissingOrUnusualExtension_IsBin(string? fileName)
    {
        Assert.Equal(".bin", TitleIntake.SourceExtension(fileName));
    }
}
