using Vod.Common.Catalog;
using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

/// <summary>A title with AV1 copies of its rungs: every variant in the same master, H.264 first on each pathway.</summary>
public class MasterPlaylistAv1Tests
{
    private static readonly RenditionInfo[] Video =
    [
        new("720p", 1280, 720, 3_300_000, 2_900_000, "avc1.64001f", 25, "720p/index.m3u8"),
        new("360p", 640, 360, 800_000, 700_000, "avc1.64001e", 25, "360p/index.m3u8"),
        new("720p-av1", 1280, 720, 2_400_000, 2_000_000, "av01.0.05M.08", 25, "720p-av1/index.m3u8"),
        new("360p-av1", 640, 360, 560_000, 490_000, "av01.0.01M.08", 25, "360p-av1/index.m3u8"),
    ];

    private static readonly AudioRenditionInfo[] Audio = [new("audio", 130_000, 128_000, "mp4a.40.2", 2, 48000, "audio/index.m3u8") { Label = "English" }];

    private static List<(string StreamInf, string Uri)> Variants(string playlist)
    {
        var lines = playlist.Split('\n');
        return lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).Select(x => (x.l, lines[x.i + 1])).ToList();
    }

    [Fact]
    public void ForTitle_H264AndAv1OnTwoPathways_H264RungsFirstThenAv1_EachWithItsCodecsAndBandwidthAndThePathwaysAudioGroup()
    {
        var master = MasterPlaylist.ForTitle(Video, Audio, [("edge-a", "http://a/v1/"), ("edge-b", "http://b/v1/")], ("http://o/steering/t", "edge-a"));

        var variants = Variants(master);
        Assert.Equal(
            [
                "http://a/v1/720p/index.m3u8", "http://a/v1/360p/index.m3u8", "http://a/v1/720p-av1/index.m3u8", "http://a/v1/360p-av1/index.m3u8",
                "http://b/v1/720p/index.m3u8", "http://b/v1/360p/index.m3u8", "http://b/v1/720p-av1/index.m3u8", "http://b/v1/360p-av1/index.m3u8",
            ],
            variants.Select(v => v.Uri));
        Assert.Equal(
            "#EXT-X-STREAM-INF:BANDWIDTH=2530000,AVERAGE-BANDWIDTH=2128000,RESOLUTION=1280x720,CODECS=\"av01.0.05M.08,mp4a.40.2\",FRAME-RATE=25.000,AUDIO=\"audio-edge-b\",PATHWAY-ID=\"edge-b\"",
            variants[6].StreamInf);
        Assert.Contains("CODECS=\"avc1.64001f,mp4a.40.2\"", variants[4].StreamInf, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("avc1.64001f", true)]
    [InlineData("avc1.4d401e,mp4a.40.2", true)]
    [InlineData("avc3.640028", true)]
    [InlineData("av01.0.08M.08", false)]
    [InlineData("hvc1.1.6.L93.B0", false)]
    public void IsH264_ByTheVideoSampleEntry(string codecs, bool expected)
    {
        Assert.Equal(expected, MasterPlaylist.IsH264(codecs));
    }
}
