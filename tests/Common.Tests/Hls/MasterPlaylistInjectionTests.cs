using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

/// <summary>Values that would end a quoted attribute or a line are refused, never written (registry values reach the writer).</summary>
public class MasterPlaylistInjectionTests
{
    private static readonly Variant Hd = new("https://edge-1.example.net/titles/t/v1/720p/index.m3u8", 3_400_000, 2_900_000, 1280, 720,
        "avc1.64001f,mp4a.40.2", 29.97, "edge-1");

    public static TheoryData<string, Variant> BadVariants => new()
    {
        { "quote in pathway id", Hd with { PathwayId = "edge\",URI=\"http://evil" } },
        { "newline in pathway id", Hd with { PathwayId = "edge\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttp://evil/x.m3u8" } },
        { "control character in pathway id", Hd with { PathwayId = "edge\u0007" } },
        { "quote in codecs", Hd with { Codecs = "avc1\"" } },
        { "newline in URI", Hd with { Uri = "http://edge\n#EXT-X-ENDLIST" } },
        { "carriage return in URI", Hd with { Uri = "http://edge/x.m3u8\r" } },
        { "quote in URI", Hd with { Uri = "http://evil/\"" } },
        { "space in URI", Hd with { Uri = "http://edge/a b.m3u8" } },
        { "empty URI", Hd with { Uri = "" } },
    };

    [Theory]
    [MemberData(nameof(BadVariants))]
    public void Write_ValueThatWouldEscapeItsPlace_Throws(string description, Variant variant) =>
        Assert.True(Assert.Throws<ArgumentException>(() => MasterPlaylist.Write([variant])) is not null, description);

    [Theory]
    [InlineData("/steering/t\"", "edge-1")]
    [InlineData("/steering/t", "edge-1\"")]
    [InlineData("/steering/t\n#EXT-X-ENDLIST", "edge-1")]
    public void Write_SteeringValueThatWouldEscape_Throws(string serverUri, string pathway) =>
        Assert.Throws<ArgumentException>(() => MasterPlaylist.Write([Hd], (serverUri, pathway)));

    [Fact]
    public void Write_PlainValues_AreWritten()
    {
        var playlist = MasterPlaylist.Write([Hd], ("/steering/t", "edge-1"));

        Assert.Contains("PATHWAY-ID=\"edge-1\"", playlist, StringComparison.Ordinal);
        Assert.Contains("\n" + Hd.Uri + "\n", playlist, StringComparison.Ordinal);
    }
}
