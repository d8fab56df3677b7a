using Vod.Load.Viewer;

namespace Vod.Load.Tests.Viewer;

public sealed class PlaylistParserTests
{
    private static readonly Uri Origin = new("http://127.0.0.1:5100/play/t1/master.m3u8");

    private const string Master = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-CONTENT-STEERING:SERVER-URI="/steering/t1",PATHWAY-ID="edge-2"
        #EXT-X-STREAM-INF:BANDWIDTH=3176042,AVERAGE-BANDWIDTH=3136398,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000,PATHWAY-ID="edge-2"
        http://127.0.0.1:5202/titles/t1/v1/720p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=548752,AVERAGE-BANDWIDTH=532944,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2",FRAME-RATE=30.000,PATHWAY-ID="edge-2"
        http://127.0.0.1:5202/titles/t1/v1/240p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=3176042,AVERAGE-BANDWIDTH=3136398,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000,PATHWAY-ID="edge-1"
        http://127.0.0.1:5201/titles/t1/v1/720p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=548752,AVERAGE-BANDWIDTH=532944,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2",FRAME-RATE=30.000,PATHWAY-ID="edge-1"
        http://127.0.0.1:5201/titles/t1/v1/240p/index.m3u8
        """;

    [Fact]
    public void ParseMaster_SteeredVariants_ReadsPathwaysRungsAndSteering()
    {
        var master = PlaylistParser.ParseMaster(Master, Origin);

        Assert.Equal(4, master.Variants.Count);
        Assert.Equal("/steering/t1", master.SteeringUri);
        Assert.Equal("edge-2", master.DefaultPathway);
        Assert.Equal(["edge-2", "edge-1"], master.Pathways);
        Assert.Equal([548752L, 3176042L], master.Rungs);
        var v = master.Find("edge-1", 3176042)!;
        Assert.Equal(new Uri("http://127.0.0.1:5201/titles/t1/v1/720p/index.m3u8"), v.Uri);
        Assert.Equal(720, v.Height);
        Assert.Equal(3136398, v.AverageBandwidth);
    }

    /// <summary>The origin's master for a title with demuxed audio: one audio group per pathway (relative URIs here).</summary>
    private const string AudioMaster = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-CONTENT-STEERING:SERVER-URI="/steering/t1",PATHWAY-ID="edge-2"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio-edge-2",NAME="Audio",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="http://localhost:5202/titles/t1/v2/audio/index.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio-edge-1",NAME="Commentary",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=NO,URI="/titles/t1/v2/commentary/index.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio-edge-1",NAME="Audio",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="http://127.0.0.1:5201/titles/t1/v2/audio/index.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="muxed",NAME="In the video",DEFAULT=YES
        #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",URI="subs/en.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=852967,AVERAGE-BANDWIDTH=799421,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=25.000,AUDIO="audio-edge-2",PATHWAY-ID="edge-2"
        http://localhost:5202/titles/t1/v2/360p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=852967,AVERAGE-BANDWIDTH=799421,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=25.000,AUDIO="audio-edge-1",PATHWAY-ID="edge-1"
        http://127.0.0.1:5201/titles/t1/v2/360p/index.m3u8
        """;

    [Fact]
    public void ParseMaster_AudioGroups_ReadsAudioRenditionsWithUrisAndEachVariantsGroup()
    {
        var master = PlaylistParser.ParseMaster(AudioMaster, Origin);

        // The rendition without URI (audio in the variant) and the subtitles are not audio to fetch.
        Assert.Equal(
            [
                new AudioRendition("audio-edge-2", new Uri("http://localhost:5202/titles/t1/v2/audio/index.m3u8"), true),
                new AudioRendition("audio-edge-1", new Uri("http://127.0.0.1:5100/titles/t1/v2/commentary/index.m3u8"), false), // against the master's URL
                new AudioRendition("audio-edge-1", new Uri("http://127.0.0.1:5201/titles/t1/v2/audio/index.m3u8"), true),
            ],
            master.Audio);
        Assert.Equal("audio-edge-2", master.Find("edge-2", 852967)!.AudioGroup);
        Assert.Equal("audio-edge-1", master.Find("edge-1", 852967)!.AudioGroup);
        // The group's DEFAULT=YES rendition, although another of the group comes first.
        Assert.Equal(new Uri("http://127.0.0.1:5201/titles/t1/v2/audio/index.m3u8"), master.AudioFor(master.Find("edge-1", 852967))!.Uri);
        Assert.Null(master.AudioFor(master.Find("edge-1", 852967)! with { AudioGroup = "muxed" }));
    }

    [Fact]
    public void ParseMaster_NoMediaTags_NoAudioAndVariantsWithoutGroup()
    {
        var master = PlaylistParser.ParseMaster(Master, Origin);

        Assert.Empty(master.Audio);
        Assert.All(master.Variants, v => Assert.Null(v.AudioGroup));
        Assert.Null(master.AudioFor(master.Variants[0]));
    }

    [Fact]
    public void WithClones_AudioGroups_ClonesTheBaseGroupOnTheNewHostUnderHlsJsName()
    {
        var steering = SteeringManifest.Parse("""
            {"VERSION":1,"TTL":5,"PATHWAY-PRIORITY":["edge-3","edge-2"],
             "PATHWAY-CLONES":[{"BASE-ID":"edge-1","ID":"edge-3","URI-REPLACEMENT":{"HOST":"127.0.0.1:5203"}}]}
            """);
        var master = PlaylistParser.ParseMaster(AudioMaster, Origin);

        var cloned = master.WithClones(steering.Clones);

        var variant = cloned.Find("edge-3", 852967)!;
        Assert.Equal("audio-edge-1_clone_edge-3", variant.AudioGroup);
        Assert.Equal(new Uri("http://127.0.0.1:5203/titles/t1/v2/audio/index.m3u8"), cloned.AudioFor(variant)!.Uri);
        Assert.Equal(2, cloned.Audio.Count(a => a.GroupId == "audio-edge-1_clone_edge-3")); // the whole group, both renditions
        Assert.Equal(master.Audio, cloned.Audio.Take(master.Audio.Count)); // the base groups are kept as they were
        Assert.Same(cloned, cloned.WithClones(steering.Clones)); // applied again: the pathway exists, nothing added
    }

    [Fact]
    public void ParseMaster_QuotedCommaInCodecs_DoesNotSplitAttributes()
    {
        var attributes = PlaylistParser.Attributes("BANDWIDTH=1,CODECS=\"avc1.64001f,mp4a.40.2\",PATHWAY-ID=\"a\"");

        Assert.Equal("avc1.64001f,mp4a.40.2", attributes["CODECS"]);
        Assert.Equal("a", attributes["PATHWAY-ID"]);
        Assert.Equal("1", attributes["BANDWIDTH"]);
    }

    [Fact]
    public void ParseMaster_NotAPlaylist_Throws()
    {
        Assert.Throws<FormatException>(() => PlaylistParser.ParseMaster("{\"title\":\"x\"}", Origin));
    }

    [Fact]
    public void ParseMedia_ByteRangesAndMap_ResolvesOffsetsAndUris()
    {
        const string media = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-TARGETDURATION:4
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXT-X-MAP:URI="media.mp4",BYTERANGE="1373@0"
            #EXTINF:4.000000,
            #EXT-X-BYTERANGE:1564548@1373
            media.mp4
            #EXTINF:4.000000,
            #EXT-X-BYTERANGE:1000
            media.mp4
            #EXTINF:2.5,
            #EXT-X-BYTERANGE:500@9000
            media.mp4
            #EXT-X-ENDLIST
            """;
        var baseUri = new Uri("http://127.0.0.1:5201/titles/t1/v1/720p/index.m3u8");

        var playlist = PlaylistParser.ParseMedia(media, baseUri);

        var mediaUri = new Uri("http://127.0.0.1:5201/titles/t1/v1/720p/media.mp4");
        Assert.Equal(new MediaSegment(mediaUri, new ByteRange(0, 1373), 0), playlist.Init);
        Assert.Equal(3, playlist.Segments.Count);
        Assert.Equal(new ByteRange(1373, 1564548), playlist.Segments[0].Range);
        Assert.Equal(new ByteRange(1373 + 1564548, 1000), playlist.Segments[1].Range); // no offset: after the previous range
        Assert.Equal(new ByteRange(9000, 500), playlist.Segments[2].Range);
        Assert.Equal(mediaUri, playlist.Segments[2].Uri);
        Assert.Equal(10.5, playlist.DurationSeconds, 6);
        Assert.Equal(4, playlist.TargetDurationSeconds);
        Assert.True(playlist.Ended);
    }

    [Fact]
    public void ParseMedia_SegmentFiles_AreWholeResources()
    {
        const string media = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\nseg0.m4s\n#EXTINF:4,\nseg1.m4s\n";

        var playlist = PlaylistParser.ParseMedia(media, new Uri("http://127.0.0.1:5201/titles/t1/v1/240p/index.m3u8"));

        Assert.True(playlist.Init!.Range.IsWhole);
        Assert.All(playlist.Segments, s => Assert.True(s.Range.IsWhole));
        Assert.Equal("/titles/t1/v1/240p/seg1.m4s", playlist.Segments[1].Uri.AbsolutePath);
        Assert.False(playlist.Ended);
    }

    [Fact]
    public void SteeringManifest_OriginAnswer_ReadsPriorityAndTtl()
    {
        var steering = SteeringManifest.Parse("""{"VERSION":1,"TTL":5,"RELOAD-URI":"/steering/t1","PATHWAY-PRIORITY":["edge-2","edge-1"]}""");

        Assert.Equal(5, steering.TtlSeconds);
        Assert.Equal("/steering/t1", steering.ReloadUri);
        Assert.Equal(["edge-2", "edge-1"], steering.PathwayPriority);
        Assert.Throws<FormatException>(() => SteeringManifest.Parse("""{"VERSION":2,"TTL":5}"""));
    }

    [Fact]
    public void WithClones_SteeringClone_CopiesBaseVariantsOnTheNewHost()
    {
        var steering = SteeringManifest.Parse("""
            {"VERSION":1,"TTL":5,"PATHWAY-PRIORITY":["edge-3","edge-2"],
             "PATHWAY-CLONES":[{"BASE-ID":"edge-1","ID":"edge-3","URI-REPLACEMENT":{"HOST":"127.0.0.1:5203"}},
                               {"BASE-ID":"nope","ID":"edge-4"},{"BASE-ID":"edge-1","ID":"edge-2"}]}
            """);

        var master = PlaylistParser.ParseMaster(Master, Origin).WithClones(steering.Clones);

        Assert.Equal(["edge-2", "edge-1", "edge-3"], master.Pathways); // unknown base and existing id ignored
        Assert.Equal(new Uri("http://127.0.0.1:5203/titles/t1/v1/720p/index.m3u8"), master.Find("edge-3", 3176042)!.Uri);
        Assert.Equal(["edge-3", "edge-2", "edge-1"], VirtualViewer.SteeringOrder(steering.PathwayPriority, master.Pathways));
    }

    [Fact]
    public void SteeringOrder_UnknownAndMissingPathways_KeepsOnlyMasterPathways()
    {
        var order = VirtualViewer.SteeringOrder(["edge-3", "edge-1"], ["edge-2", "edge-1"]);

        Assert.Equal(["edge-1", "edge-2"], order);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5100/x", true)]
    [InlineData("http://127.1.2.3:5201/x", true)]
    [InlineData("http://localhost:5201/", true)]
    [InlineData("http://[::1]:5201/", true)]
    [InlineData("http://10.0.0.5:5201/", false)]
    [InlineData("http://example.com/", false)]
    [InlineData("ftp://127.0.0.1/", false)]
    public void IsLoopback_Addresses_OnlyThisMachine(string url, bool expected)
    {
        Assert.Equal(expected, Loopback.IsLoopback(new Uri(url)));
    }
}
