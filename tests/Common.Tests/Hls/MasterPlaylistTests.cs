using System.Globalization;
using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

public class MasterPlaylistTests
{
    private static readonly Variant Hd = new("720p/index.m3u8", 3_400_000, 2_900_000, 1280, 720, "avc1.64001f,mp4a.40.2", 29.97);
    private static readonly Variant Sd = new("360p/index.m3u8", 820_000, 700_000, 640, 360, "avc1.64001e,mp4a.40.2", 29.97);

    private static string[] Lines(string playlist) => playlist.Split('\n');

    [Fact]
    public void Write_TwoVariants_WritesHeaderThenOneStreamInfPerVariantFollowedByItsUri()
    {
        var lines = Lines(MasterPlaylist.Write([Hd, Sd]));

        Assert.Equal("#EXTM3U", lines[0]);
        var streams = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, streams.Count);
        Assert.Equal("720p/index.m3u8", lines[streams[0].i + 1]);
        Assert.Equal("360p/index.m3u8", lines[streams[1].i + 1]);
    }

    [Fact]
    public void Write_Variant_WritesEveryAttributeAPlayerNeeds()
    {
        var lines = Lines(MasterPlaylist.Write([Hd]));

        var streamInf = Assert.Single(lines, l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal));
        Assert.Equal(
            "#EXT-X-STREAM-INF:BANDWIDTH=3400000,AVERAGE-BANDWIDTH=2900000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\",FRAME-RATE=29.970",
            streamInf);
    }

    [Theory]
    [InlineData(25.0, "FRAME-RATE=25.000")]
    [InlineData(23.976023976, "FRAME-RATE=23.976")]
    [InlineData(59.94, "FRAME-RATE=59.940")]
    public void Write_FrameRate_HasThreeDecimals(double frameRate, string expected)
    {
        var playlist = MasterPlaylist.Write([Hd with { FrameRate = frameRate }]);

        Assert.Contains(expected + "\n", playlist, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_CurrentCultureUsesDecimalComma_FrameRateStillUsesDecimalPoint()
    {
        // The build runs with InvariantGlobalization, so "de-DE" cannot be loaded; this culture has its number format.
        var german = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        german.NumberFormat.NumberDecimalSeparator = ",";
        german.NumberFormat.NumberGroupSeparator = ".";
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = german;
        try
        {
            Assert.Equal("29,970", 29.97.ToString("0.000", CultureInfo.CurrentCulture)); // the culture really bites

            var playlist = MasterPlaylist.Write([Hd with { Bandwidth = 12_345_678 }]);

            Assert.Contains("FRAME-RATE=29.970", playlist, StringComparison.Ordinal);
            Assert.Contains("BANDWIDTH=12345678,", playlist, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Write_VariantWithPathway_AddsQuotedPathwayId()
    {
        var playlist = MasterPlaylist.Write([Hd with { PathwayId = "edge-1" }]);

        Assert.Contains("FRAME-RATE=29.970,PATHWAY-ID=\"edge-1\"\n720p/index.m3u8\n", playlist, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_VariantWithoutPathway_HasNoPathwayId()
    {
        Assert.DoesNotContain("PATHWAY-ID", MasterPlaylist.Write([Hd, Sd]), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WithSteering_WritesContentSteeringTagBeforeTheVariants()
    {
        var lines = Lines(MasterPlaylist.Write([Hd with { PathwayId = "edge-1" }], ("https://origin.example/steer/abc", "edge-1")));

        var steering = lines.ToList().IndexOf("#EXT-X-CONTENT-STEERING:SERVER-URI=\"https://origin.example/steer/abc\",PATHWAY-ID=\"edge-1\"");
        var firstVariant = lines.ToList().FindIndex(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal));
        Assert.InRange(steering, 1, firstVariant - 1);
    }

    [Fact]
    public void Write_WithoutSteering_HasNoContentSteeringTag()
    {
        Assert.DoesNotContain("#EXT-X-CONTENT-STEERING", MasterPlaylist.Write([Hd]), StringComparison.Ordinal);
    }
}
