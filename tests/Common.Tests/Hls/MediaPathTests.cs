using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

public class MediaPathTests
{
    // Every rejected path below starts with this valid id, so each case fails for its own reason only.
    private const string Id = "abcdefgh2345";

    [Fact]
    public void TryParse_RenditionFile_ReturnsTitleAndRelativePath()
    {
        var id = TitleId.New();

        Assert.True(MediaPath.TryParse($"{id}/v1/360p/media.mp4", out var path));

        Assert.Equal(id, path.TitleId);
        Assert.Equal("v1/360p/media.mp4", path.RelativePath);
        Assert.Equal($"/titles/{id}/v1/360p/media.mp4", path.UrlPath);
        Assert.Equal(".mp4", path.Extension);
        Assert.False(path.IsPlaylist);
    }

    [Theory]
    [InlineData("v1/360p/index.m3u8")]
    [InlineData("v1/master.m3u8")]
    [InlineData("v1/360p/INDEX.M3U8")]
    public void TryParse_Playlist_IsPlaylist(string relative)
    {
        Assert.True(MediaPath.TryParse($"{Id}/{relative}", out var path));

        Assert.True(path.IsPlaylist);
    }

    [Theory]
    [InlineData("v1/360p/seg_00001.m4s")]
    [InlineData("v1/360p/init.mp4")]
    [InlineData("v1/poster.jpg")]
    [InlineData("v-2_b/a/b/c/d")] // the most segments allowed
    public void TryParse_SafePath_Accepts(string relative)
    {
        Assert.True(MediaPath.TryParse($"{Id}/{relative}", out var path));

        Assert.Equal(relative, path.RelativePath);
    }

    [Fact]
    public void TryParse_SegmentOfMaximumLength_Accepts()
    {
        Assert.True(MediaPath.TryParse($"{Id}/{new string('a', MediaPath.MaxSegmentLength)}", out _));
    }

    public static TheoryData<string?, string> Rejected => new()
    {
        { null, "null" },
        { "", "empty" },
        { "..", "parent directory alone" },
        { "abc/../x", "parent directory after a non-id" },
        { $"{Id}/..", "parent directory" },
        { $"{Id}/v1/../../etc/passwd", "parent directory in the middle" },
        { $"{Id}/.", "current directory" },
        { $"{Id}/v1/.hidden", "dot-file" },
        { $"{Id}/.git/config", "dot-directory" },
        { $"{Id}/v1\\360p\\media.mp4", "backslash" },
        { $"{Id}/..\\title.json", "backslash with parent" },
        { $"{Id}/%2e%2e/title.json", "percent-encoded parent" },
        { $"{Id}/v1%2f360p", "percent-encoded slash" },
        { $"{Id}/v1/media.mp4\0.m3u8", "NUL" },
        { $"{Id}//media.mp4", "empty segment" },
        { $"{Id}/v1/", "trailing slash" },
        { $"/{Id}/v1/media.mp4", "leading slash" },
        { Id, "title id alone" },
        { $"{Id}/a/b/c/d/e/f", "too many segments" },
        { $"{Id}/{new string('a', MediaPath.MaxSegmentLength + 1)}", "overlong segment" },
        { $"{Id}/v1/media mp4", "space" },
        { $"{Id}/v1/média.mp4", "non-ASCII letter" },
        { "ABCDEFGH2345/v1/media.mp4", "upper-case title id" },
        { "abcdefgh234/v1/media.mp4", "short title id" },
        { "not-a-title/v1/media.mp4", "invalid title id" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void TryParse_UnsafePath_Rejects(string? raw, string why)
    {
        Assert.False(MediaPath.TryParse(raw, out _), $"accepted a path with {why}: '{raw}'");
    }
}
