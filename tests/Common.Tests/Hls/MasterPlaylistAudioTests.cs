using Vod.Common.Catalog;
using Vod.Common.Hls;

namespace Vod.Common.Tests.Hls;

/// <summary>A title's master with separate audio: one audio group per pathway, each variant naming its own pathway's group.</summary>
public class MasterPlaylistAudioTests
{
    private static readonly RenditionInfo[] Video =
    [
        new("360p", 640, 360, 820_000, 700_000, "avc1.64001e", 25, "360p/index.m3u8"),
        new("720p", 1280, 720, 3_400_000, 2_900_000, "avc1.64001f", 25, "720p/index.m3u8"),
    ];

    private static readonly AudioRenditionInfo[] Audio = [new("audio", 130_000, 128_000, "mp4a.40.2", 2, 48000, "audio/index.m3u8") { Label = "Audio" }];

    private static readonly (string? Id, string BaseUri)[] TwoEdges = [("edge-a", "http://a:5201/titles/t/v1/"), ("edge-b", "http://b:5202/titles/t/v1/")];

    private static List<(string StreamInf, string Uri)> Variants(string playlist)
    {
        var lines = playlist.Split('\n');
        return lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).Select(x => (x.l, lines[x.i + 1])).ToList();
    }

    [Fact]
    public void ForTitle_SeparateAudioOnTwoPathways_OneGroupPerPathwayOnThatPathwaysHost()
    {
        var master = MasterPlaylist.ForTitle(Video, Audio, TwoEdges, ("http://o/steering/t", "edge-a"));

        var media = master.Split('\n').Where(l => l.StartsWith("#EXT-X-MEDIA:", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio-edge-a\",NAME=\"Audio\",LANGUAGE=\"und\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"http://a:5201/titles/t/v1/audio/index.m3u8\"",
                "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio-edge-b\",NAME=\"Audio\",LANGUAGE=\"und\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"http://b:5202/titles/t/v1/audio/index.m3u8\"",
            ],
            media);
        var variants = Variants(master);
        Assert.Equal(4, variants.Count);
        Assert.All(variants, v => Assert.Contains(
            v.Uri.StartsWith("http://a:", StringComparison.Ordinal) ? ",AUDIO=\"audio-edge-a\",PATHWAY-ID=\"edge-a\"" : ",AUDIO=\"audio-edge-b\",PATHWAY-ID=\"edge-b\"",
            v.StreamInf, StringComparison.Ordinal));
    }

    [Fact]
    public void ForTitle_Subtitles_OneGroupPerPathway_NoneDefault_EveryVariantNamesItsPathwaysGroup()
    {
        SubtitleTrackInfo[] subtitles = [SubtitleTrackInfo.Create("sub1", "en", "English", uploaded: false), SubtitleTrackInfo.Create("sub2", "en", "English", uploaded: true)];

        var master = MasterPlaylist.ForTitle(Video, Audio, TwoEdges, ("http://o/steering/t", "edge-a"), subtitles);

        var media = master.Split('\n').Where(l => l.StartsWith("#EXT-X-MEDIA:TYPE=SUBTITLES", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs-edge-a\",NAME=\"English (1)\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"http://a:5201/titles/t/v1/subtitles/sub1.m3u8\"",
                "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs-edge-a\",NAME=\"English (2)\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"http://a:5201/titles/t/v1/subtitles/sub2.m3u8\"",
                "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs-edge-b\",NAME=\"English (1)\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"http://b:5202/titles/t/v1/subtitles/sub1.m3u8\"",
                "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs-edge-b\",NAME=\"English (2)\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"http://b:5202/titles/t/v1/subtitles/sub2.m3u8\"",
            ],
            media);
        Assert.All(Variants(master), v => Assert.Contains(
            v.Uri.StartsWith("http://a:", StringComparison.Ordinal) ? ",AUDIO=\"audio-edge-a\",SUBTITLES=\"subs-edge-a\",PATHWAY-ID=\"edge-a\"" : ",AUDIO=\"audio-edge-b\",SUBTITLES=\"subs-edge-b\",PATHWAY-ID=\"edge-b\"",
            v.StreamInf, StringComparison.Ordinal));
        Assert.DoesNotContain("SUBTITLES=", MasterPlaylist.ForTitle(Video, Audio, TwoEdges), StringComparison.Ordinal); // no tracks, no group
    }

    [Fact]
    public void ForTitle_SeparateAudio_VariantBandwidthAndCodecsCoverVideoAndAudio_TopRungFirst()
    {
        var variants = Variants(MasterPlaylist.ForTitle(Video, Audio, TwoEdges));

        Assert.Equal("http://a:5201/titles/t/v1/720p/index.m3u8", variants[0].Uri);
        Assert.StartsWith("#EXT-X-STREAM-INF:BANDWIDTH=3530000,AVERAGE-BANDWIDTH=3028000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\"", variants[0].StreamInf, StringComparison.Ordinal);
        Assert.StartsWith("#EXT-X-STREAM-INF:BANDWIDTH=950000,AVERAGE-BANDWIDTH=828000,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\"", variants[1].StreamInf, StringComparison.Ordinal);
    }

    [Fact]
    public void ForTitle_MuxedVersionWithoutSeparateAudio_NoGroupsAndCodecsAsStored()
    {
        RenditionInfo[] muxed = [Video[0] with { Codecs = "avc1.64001e,mp4a.40.2" }];

        var master = MasterPlaylist.ForTitle(muxed, [], TwoEdges);

        Assert.DoesNotContain("#EXT-X-MEDIA", master, StringComparison.Ordinal);
        Assert.DoesNotContain("AUDIO=", master, StringComparison.Ordinal);
        Assert.All(Variants(master), v => Assert.Contains("BANDWIDTH=820000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\"", v.StreamInf, StringComparison.Ordinal));
    }

    [Fact]
    public void ForTitle_VersionsOwnMaster_RelativeUrisAndOneGroupWithoutPathways()
    {
        var master = MasterPlaylist.ForTitle(Video, Audio, [(null, "")]);

        Assert.Contains("GROUP-ID=\"audio\"", master, StringComparison.Ordinal);
        Assert.Contains("URI=\"audio/index.m3u8\"", master, StringComparison.Ordinal);
        Assert.Equal(["720p/index.m3u8", "360p/index.m3u8"], Variants(master).Select(v => v.Uri));
        Assert.DoesNotContain("PATHWAY-ID", master, StringComparison.Ordinal);
    }

    [Fact]
    public void ForTitle_TwoAudioTracks_BothInEachPathwaysGroup_FirstDefault_BandwidthCoversTheLarger()
    {
        AudioRenditionInfo[] two =
        [
            Audio[0] with { Language = "en", Label = "English" },
            Audio[0] with { Name = "audio2", Playlist = "audio2/index.m3u8", Bandwidth = 200_000, Language = "fr", Label = "French" },
        ];

        var master = MasterPlaylist.ForTitle(Video, two, TwoEdges);

        var media = master.Split('\n').Where(l => l.StartsWith("#EXT-X-MEDIA:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, media.Count);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio-edge-a\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"http://a:5201/titles/t/v1/audio/index.m3u8\"", media);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio-edge-b\",NAME=\"French\",LANGUAGE=\"fr\",DEFAULT=NO,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"http://b:5202/titles/t/v1/audio2/index.m3u8\"", media);
        Assert.StartsWith("#EXT-X-STREAM-INF:BANDWIDTH=3600000,", Variants(master)[0].StreamInf, StringComparison.Ordinal); // 3.4 Mb/s + the larger track
    }

    [Fact]
    public void ForTitle_TwoTracksWithOneLabel_NamesStayUniqueInTheGroup()
    {
        var master = MasterPlaylist.ForTitle(Video, [Audio[0], Audio[0] with { Name = "audio2", Playlist = "audio2/index.m3u8" }], [(null, "")]);

        Assert.Contains("NAME=\"Audio (1)\"", master, StringComparison.Ordinal);
        Assert.Contains("NAME=\"Audio (2)\"", master, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AudioUriWithAQuote_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => MasterPlaylist.ForTitle(Video, Audio, [("edge-a", "http://a/\"x/")]));
    }
}
