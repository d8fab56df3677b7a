using System.Xml.Linq;
using Vod.Common.Catalog;
using Vod.Common.Dash;

namespace Vod.Common.Tests.Dash;

public class DashManifestTests
{
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";

    private static readonly Title SingleFile = new()
    {
        Id = "abcdefgh2345",
        Name = "t",
        Status = TitleStatus.Ready,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Source = "s.mp4",
        Version = "v1",
        DurationSeconds = 30.016,
        Renditions =
        [
            new("360p", 640, 360, 820_000, 700_000, "avc1.64001e", 25, "360p/index.m3u8") { Dash = new("media.mp4", "0-845", "846-981") },
            new("720p", 1280, 720, 3_400_000, 2_900_000, "avc1.64001f", 25, "720p/index.m3u8") { Dash = new("media.mp4", "0-850", "851-986") },
        ],
        Audio = [new("audio", 130_000, 128_000, "mp4a.40.2", 2, 48000, "audio/index.m3u8") { Dash = new("media.mp4", "0-764", "765-900"), Language = "en", Label = "English" }],
    };

    private static readonly (string, string)[] TwoEdges = [("edge-b", "http://b:5202/t/tok/titles/abcdefgh2345/v1/"), ("edge-a", "http://a:5201/t/tok/titles/abcdefgh2345/v1/")];

    private static XElement Parse(string mpd) => XDocument.Parse(mpd).Root!;

    [Fact]
    public void Write_TwoEdges_OneBaseUrlPerEdgeInOrderWithItsServiceLocation_AndContentSteeringDefaultingToAllInOrder()
    {
        var root = Parse(DashManifest.Write(SingleFile, TwoEdges, "http://o:5100/steering/abcdefgh2345"));

        Assert.Equal(Mpd + "MPD", root.Name);
        Assert.Equal("static", (string?)root.Attribute("type"));
        Assert.Equal("PT30.016S", (string?)root.Attribute("mediaPresentationDuration"));
        Assert.Equal(
            [("edge-b", "http://b:5202/t/tok/titles/abcdefgh2345/v1/"), ("edge-a", "http://a:5201/t/tok/titles/abcdefgh2345/v1/")],
            root.Elements(Mpd + "BaseURL").Select(b => ((string)b.Attribute("serviceLocation")!, b.Value)));
        var steering = Assert.Single(root.Elements(Mpd + "ContentSteering"));
        Assert.Equal("http://o:5100/steering/abcdefgh2345", steering.Value);
        Assert.Equal("edge-b edge-a", (string?)steering.Attribute("defaultServiceLocation")); // all of them: Shaka uses only these until steering answers
    }

    [Fact]
    public void Write_SingleFiles_SegmentBaseWithTheIndexAndInitRanges_VideoTopFirst_ThenAudio()
    {
        var root = Parse(DashManifest.Write(SingleFile, TwoEdges));

        Assert.Equal("urn:mpeg:dash:profile:isoff-on-demand:2011", (string?)root.Attribute("profiles"));
        var sets = root.Element(Mpd + "Period")!.Elements(Mpd + "AdaptationSet").ToList();
        Assert.Equal(["video/mp4", "audio/mp4"], sets.Select(s => (string)s.Attribute("mimeType")!));
        var video = sets[0].Elements(Mpd + "Representation").ToList();
        Assert.Equal(["720p", "360p"], video.Select(r => (string)r.Attribute("id")!));
        Assert.Equal("avc1.64001f", (string?)video[0].Attribute("codecs"));
        Assert.Equal("3400000", (string?)video[0].Attribute("bandwidth"));
        Assert.Equal("720p/media.mp4", video[0].Element(Mpd + "BaseURL")!.Value);
        var segmentBase = video[0].Element(Mpd + "SegmentBase")!;
        Assert.Equal("851-986", (string?)segmentBase.Attribute("indexRange"));
        Assert.Equal("0-850", (string?)segmentBase.Element(Mpd + "Initialization")!.Attribute("range"));
        var audio = Assert.Single(sets[1].Elements(Mpd + "Representation"));
        Assert.Equal("mp4a.40.2", (string?)audio.Attribute("codecs"));
        Assert.Equal("48000", (string?)audio.Attribute("audioSamplingRate"));
        Assert.Equal("2", (string?)audio.Element(Mpd + "AudioChannelConfiguration")!.Attribute("value"));
        Assert.Equal("audio/media.mp4", audio.Element(Mpd + "BaseURL")!.Value);
    }

    [Fact]
    public void Write_FilePerSegment_SegmentTemplateWithARunLengthTimeline()
    {
        var template = new DashSegments("seg_$Number%05d$.m4s", Initialization: "init.mp4", StartNumber: 0, Timescale: 12800, StartTime: 0,
            SegmentDurations: [51200, 51200, 51200, 25600]);
        var title = SingleFile with
        {
            Renditions = [SingleFile.Renditions[0] with { Dash = template }],
            Audio = [SingleFile.Audio[0] with { Dash = template with { Timescale = 48000, SegmentDurations = [192000, 96000] } }],
        };

        var root = Parse(DashManifest.Write(title, TwoEdges));

        Assert.Equal("urn:mpeg:dash:profile:isoff-live:2011", (string?)root.Attribute("profiles"));
        var representation = root.Descendants(Mpd + "Representation").First();
        Assert.Equal("360p/", representation.Element(Mpd + "BaseURL")!.Value);
        var segmentTemplate = representation.Element(Mpd + "SegmentTemplate")!;
        Assert.Equal("init.mp4", (string?)segmentTemplate.Attribute("initialization"));
        Assert.Equal("seg_$Number%05d$.m4s", (string?)segmentTemplate.Attribute("media"));
        Assert.Equal("12800", (string?)segmentTemplate.Attribute("timescale"));
        Assert.Equal(
            ["t=0 d=51200 r=2", "d=25600"],
            segmentTemplate.Element(Mpd + "SegmentTimeline")!.Elements(Mpd + "S").Select(s => string.Join(' ', s.Attributes().Select(a => $"{a.Name}={a.Value}"))));
    }

    [Fact]
    public void Write_SegmentLists_EachSingleFileAsItsRangesWithATimeline_OthersUnchanged()
    {
        var list = new Vod.Common.Hls.ByteRangePlaylist(851, [new(987, 1000, 4.0), new(1987, 2000, 4.0), new(3987, 500, 2.026667)]);

        var root = Parse(DashManifest.Write(SingleFile, TwoEdges, segmentLists: new Dictionary<string, Vod.Common.Hls.ByteRangePlaylist> { ["720p/index.m3u8"] = list }));

        Assert.Equal("urn:mpeg:dash:profile:full:2011", (string?)root.Attribute("profiles"));
        var representations = root.Descendants(Mpd + "Representation").ToDictionary(r => (string)r.Attribute("id")!);
        var segmentList = representations["720p"].Element(Mpd + "SegmentList")!;
        Assert.Equal("720p/media.mp4", representations["720p"].Element(Mpd + "BaseURL")!.Value);
        Assert.Equal("1000000", (string?)segmentList.Attribute("timescale"));
        Assert.Equal("0-850", (string?)segmentList.Element(Mpd + "Initialization")!.Attribute("range"));
        Assert.Equal(["987-1986", "1987-3986", "3987-4486"], segmentList.Elements(Mpd + "SegmentURL").Select(u => (string)u.Attribute("mediaRange")!));
        Assert.Equal(
            ["t=0 d=4000000 r=1", "d=2026667"],
            segmentList.Element(Mpd + "SegmentTimeline")!.Elements(Mpd + "S").Select(s => string.Join(' ', s.Attributes().Select(a => $"{a.Name}={a.Value}"))));
        Assert.NotNull(representations["360p"].Element(Mpd + "SegmentBase")); // not in the lists: unchanged
        Assert.Null(representations["720p"].Element(Mpd + "SegmentBase"));
    }

    [Fact]
    public void Write_Av1Copies_AVideoAdaptationSetOfTheirOwnAfterTheH264One_IdsOfTheOtherSetsUnchanged()
    {
        var av1 = SingleFile.Renditions.Select(r => r with
        {
            Name = $"{r.Name}-av1",
            Codecs = r.Height == 720 ? "av01.0.05M.08" : "av01.0.01M.08",
            Bandwidth = r.Bandwidth * 7 / 10,
            Playlist = $"{r.Name}-av1/index.m3u8",
        });
        var subtitles = SubtitleTrackInfo.Create("sub1", "en", "English", uploaded: false);
        var title = SingleFile with { Renditions = [.. SingleFile.Renditions, .. av1], Subtitles = [subtitles] };

        var root = Parse(DashManifest.Write(title, TwoEdges));

        var sets = root.Element(Mpd + "Period")!.Elements(Mpd + "AdaptationSet").ToList();
        Assert.Equal(
            [("0", "video"), ("3", "video"), ("1", "audio"), ("2", "text")],
            sets.Select(s => ((string)s.Attribute("id")!, (string)s.Attribute("contentType")!)));
        Assert.Equal(
            [("720p", "avc1.64001f"), ("360p", "avc1.64001e")],
            sets[0].Elements(Mpd + "Representation").Select(r => ((string)r.Attribute("id")!, (string)r.Attribute("codecs")!)));
        Assert.Equal(
            [("720p-av1", "av01.0.05M.08", "2380000"), ("360p-av1", "av01.0.01M.08", "574000")],
            sets[1].Elements(Mpd + "Representation").Select(r => ((string)r.Attribute("id")!, (string)r.Attribute("codecs")!, (string)r.Attribute("bandwidth")!)));
        Assert.Equal("720p-av1/media.mp4", sets[1].Element(Mpd + "Representation")!.Element(Mpd + "BaseURL")!.Value);
        Assert.Equal(("1280", "720"), ((string)sets[1].Attribute("maxWidth")!, (string)sets[1].Attribute("maxHeight")!));
    }

    [Fact]
    public void Write_TwoAudioTracks_AnAdaptationSetEachWithItsLanguageAndLabel_TheFirstMain()
    {
        var french = SingleFile.Audio[0] with { Name = "audio2", Playlist = "audio2/index.m3u8", Language = "fr", Label = "French" };
        var root = Parse(DashManifest.Write(SingleFile with { Audio = [SingleFile.Audio[0], french] }, TwoEdges));

        var sets = root.Element(Mpd + "Period")!.Elements(Mpd + "AdaptationSet").Where(s => (string?)s.Attribute("contentType") == "audio").ToList();
        Assert.Equal(["en", "fr"], sets.Select(s => (string)s.Attribute("lang")!));
        Assert.Equal(["main", "alternate"], sets.Select(s => (string)s.Element(Mpd + "Role")!.Attribute("value")!));
        Assert.Equal(["English", "French"], sets.Select(s => s.Element(Mpd + "Label")!.Value));
        Assert.Equal(["audio/media.mp4", "audio2/media.mp4"], sets.Select(s => s.Element(Mpd + "Representation")!.Element(Mpd + "BaseURL")!.Value));
    }

    [Fact]
    public void Write_Subtitles_ATextAdaptationSetEachWithItsLanguageAndLabel_TheWholeWebVttFileAsItsBaseUrl()
    {
        var title = SingleFile with
        {
            Subtitles = [SubtitleTrackInfo.Create("sub1", "en", "English", uploaded: false), SubtitleTrackInfo.Create("sub3", "pt-BR", "Português <BR>", uploaded: true)],
        };

        var sets = Parse(DashManifest.Write(title, TwoEdges)).Descendants(Mpd + "AdaptationSet").ToList();

        var text = sets.Where(s => (string?)s.Attribute("contentType") == "text").ToList();
        Assert.Equal(["en", "pt-BR"], text.Select(s => (string?)s.Attribute("lang")));
        Assert.All(text, s => Assert.Equal("text/vtt", (string?)s.Attribute("mimeType")));
        Assert.All(text, s => Assert.Equal("subtitle", (string?)s.Element(Mpd + "Role")!.Attribute("value")));
        Assert.Equal(["English", "Português <BR>"], text.Select(s => s.Element(Mpd + "Label")!.Value));
        Assert.Equal(["subtitles/sub1.vtt", "subtitles/sub3.vtt"], text.Select(s => s.Element(Mpd + "Representation")!.Element(Mpd + "BaseURL")!.Value));
        Assert.Equal(["sub1", "sub3"], text.Select(s => (string?)s.Element(Mpd + "Representation")!.Attribute("id")));
        Assert.Equal(sets.Count, sets.Select(s => (string?)s.Attribute("id")).Distinct().Count()); // ids unique across video, audio and text
    }

    [Fact]
    public void Write_HostileEdgeIdAndUrl_AreEscapedAndAddNoElement()
    {
        const string id = "x\"><Period id=\"evil\"/><BaseURL>";
        const string url = "http://a/?q=1&r=<2>/";

        var root = Parse(DashManifest.Write(SingleFile, [(id, url)], "http://o/steering/x&y"));

        Assert.Single(root.Elements(Mpd + "Period"));
        var baseUrl = Assert.Single(root.Elements(Mpd + "BaseURL"));
        Assert.Equal(id, (string?)baseUrl.Attribute("serviceLocation"));
        Assert.Equal(url, baseUrl.Value);
        Assert.Equal("http://o/steering/x&y", root.Element(Mpd + "ContentSteering")!.Value);
    }

    [Fact]
    public void Write_VersionPackagedBeforeDash_CannotBeDescribed()
    {
        var old = SingleFile with { Renditions = [SingleFile.Renditions[0] with { Dash = null, Codecs = "avc1.64001e,mp4a.40.2" }], Audio = [] };

        Assert.False(DashManifest.CanDescribe(old));
        Assert.True(DashManifest.CanDescribe(SingleFile));
        Assert.Throws<ArgumentException>(() => DashManifest.Write(old, TwoEdges));
    }

    [Theory]
    [InlineData(25.0, "25")]
    [InlineData(29.97, "30000/1001")]
    [InlineData(23.976, "24000/1001")]
    [InlineData(59.94, "60000/1001")]
    [InlineData(12.5, "12500/1000")]
    public void FrameRate_IsAWholeNumberOrAFraction(double fps, string expected)
    {
        Assert.Equal(expected, DashManifest.FrameRate(fps));
    }
}
