using System.Diagnostics;
using Vod.Media;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Tests.Ladder;

public class FfmpegLadderCommandTests
{
    private const string Input = "/media/uploads/abcdefgh2345.mp4";
    private const string Output = "/media/staging/abcdefgh2345-x";

    private static readonly Rendition[] TwoRenditions =
    [
        new("720p", 1280, 720, 3000),
        new("360p", 640, 360, 700),
    ];

    private static FfmpegRun Build(
        LadderOptions? options = null,
        int audioTracks = 1,
        double frameRate = 25,
        IReadOnlyList<Rendition>? renditions = null) =>
        FfmpegLadderCommand.Build(Input, Output, renditions ?? TwoRenditions, options ?? new LadderOptions(), audioTracks, frameRate);

    /// <summary>The value that follows each occurrence of <paramref name="option"/>.</summary>
    private static List<string> ValuesOf(IReadOnlyList<string> args, string option) =>
        args.Select((a, i) => (a, i)).Where(x => x.a == option && x.i + 1 < args.Count).Select(x => args[x.i + 1]).ToList();

    private static int IndexOf(IReadOnlyList<string> args, string value) => args.ToList().IndexOf(value);

    [Fact]
    public void Build_Always_RestrictsProtocolsAndDemuxersBeforeTheInput()
    {
        var all = Build().All;

        var input = IndexOf(all, "-i");
        Assert.Equal(Input, all[input + 1]);
        var protocols = IndexOf(all, "-protocol_whitelist");
        var formats = IndexOf(all, "-format_whitelist");
        Assert.InRange(protocols, 0, input - 2);
        Assert.InRange(formats, 0, input - 2);
        Assert.Equal("file", all[protocols + 1]);
        Assert.Equal(FfmpegArguments.FormatWhitelist, all[formats + 1]);
    }

    [Theory]
    [InlineData("hls")]
    [InlineData("concat")]
    [InlineData("image2")]
    [InlineData("tty")]
    public void FormatWhitelist_PlaylistAndFileListDemuxers_AreNotAllowed(string demuxer)
    {
        Assert.DoesNotContain(demuxer, FfmpegArguments.FormatWhitelist.Split(','));
    }

    [Fact]
    public void Build_ThreeRenditions_SplitsThePictureOnceIntoOneScaledBranchPerRendition()
    {
        Rendition[] three = [new("720p", 1280, 720, 3000), new("480p", 854, 480, 1200), new("240p", 426, 240, 400)];

        var command = Build(renditions: three);

        var graph = Assert.Single(ValuesOf(command.OutputArguments, "-filter_complex"));
        Assert.StartsWith("[0:v]split=3[s0][s1][s2];", graph, StringComparison.Ordinal);
        Assert.Contains("[s0]scale=1280:720,setsar=1[v0]", graph, StringComparison.Ordinal);
        Assert.Contains("[s1]scale=854:480,setsar=1[v1]", graph, StringComparison.Ordinal);
        Assert.Contains("[s2]scale=426:240,setsar=1[v2]", graph, StringComparison.Ordinal);
        Assert.Equal(["[v0]", "[v1]", "[v2]"], ValuesOf(command.OutputArguments, "-map").Where(m => m.StartsWith('[')));
    }

    [Fact]
    public void Build_EveryRendition_ForcesKeyframesOnSegmentBoundariesWithoutSceneCuts()
    {
        var command = Build(new LadderOptions { SegmentSeconds = 4 });

        Assert.Equal(["expr:gte(t,n_forced*4)", "expr:gte(t,n_forced*4)"], ValuesOf(command.All, "-force_key_frames"));
        Assert.Equal(["0", "0"], ValuesOf(command.All, "-sc_threshold"));
    }

    [Theory]
    [InlineData(25.0, 4, "100")]
    [InlineData(29.97, 4, "120")]
    [InlineData(23.976, 6, "144")]
    [InlineData(60.0, 2, "120")]
    public void Build_KnownFrameRate_GopIsOneSegmentOfFrames(double frameRate, int segmentSeconds, string expectedGop)
    {
        var command = Build(new LadderOptions { SegmentSeconds = segmentSeconds }, frameRate: frameRate);

        Assert.Equal([expectedGop, expectedGop], ValuesOf(command.All, "-g"));
        Assert.Equal([expectedGop, expectedGop], ValuesOf(command.All, "-keyint_min"));
        Assert.Equal([$"{segmentSeconds}", $"{segmentSeconds}", $"{segmentSeconds}"], ValuesOf(command.All, "-hls_time")); // two videos and the audio
    }

    [Fact]
    public void Build_SingleFileLayout_WritesOneByteRangeFilePerRendition()
    {
        var command = Build(new LadderOptions { Layout = SegmentLayout.SingleFile });

        Assert.Equal(Enumerable.Repeat("single_file+independent_segments", 3), ValuesOf(command.All, "-hls_flags"));
        Assert.Equal(
            [Path.Combine(Output, "720p", "media.mp4"), Path.Combine(Output, "360p", "media.mp4"), Path.Combine(Output, "audio", "media.mp4")],
            ValuesOf(command.All, "-hls_segment_filename"));
        Assert.Empty(ValuesOf(command.All, "-hls_fmp4_init_filename"));
    }

    [Fact]
    public void Build_FilePerSegmentLayout_WritesInitAndNumberedSegments()
    {
        var command = Build(new LadderOptions { Layout = SegmentLayout.FilePerSegment });

        Assert.Equal(Enumerable.Repeat("independent_segments", 3), ValuesOf(command.All, "-hls_flags"));
        Assert.Equal(Enumerable.Repeat("init.mp4", 3), ValuesOf(command.All, "-hls_fmp4_init_filename"));
        Assert.Equal(
            [Path.Combine(Output, "720p", "seg_%05d.m4s"), Path.Combine(Output, "360p", "seg_%05d.m4s"), Path.Combine(Output, "audio", "seg_%05d.m4s")],
            ValuesOf(command.All, "-hls_segment_filename"));
    }

    [Fact]
    public void Build_TwoRenditions_EachOutputIsTheRenditionsPlaylistInItsOwnDirectory_AudioLast()
    {
        var command = Build();

        var hlsOutputs = command.All.Where(a => a.EndsWith(".m3u8", StringComparison.Ordinal)).ToList();
        Assert.Equal([Path.Combine(Output, "720p", "index.m3u8"), Path.Combine(Output, "360p", "index.m3u8"), Path.Combine(Output, "audio", "index.m3u8")], hlsOutputs);
        Assert.Equal(hlsOutputs[^1], command.LastOutput);
        Assert.Equal(command.LastOutput, command.All[^1]);
    }

    [Fact]
    public void Build_WithAudio_EncodesTheFirstAudioTrackOnceIntoAnOutputOfItsOwn()
    {
        var command = Build(new LadderOptions { AudioKbps = 96 }, audioTracks: 1);

        Assert.Equal(["0:a:0"], ValuesOf(command.All, "-map").Where(m => !m.StartsWith('[')));
        Assert.Equal(["aac"], ValuesOf(command.All, "-c:a"));
        Assert.Equal(["96k"], ValuesOf(command.All, "-b:a"));
        // The audio output begins after the last video output's file name and holds no video.
        var all = command.All.ToList();
        var audioStart = all.IndexOf(Path.Combine(Output, "360p", "index.m3u8")) + 1;
        Assert.Equal(audioStart + 1, all.IndexOf("0:a:0"));
        Assert.DoesNotContain("-c:v", all[audioStart..]);
        Assert.Equal(Path.Combine(Output, "audio", "index.m3u8"), command.LastOutput);
    }

    [Fact]
    public void Build_TwoAudioStreams_EachIntoAnOutputOfItsOwn_InStreamOrder()
    {
        var command = Build(audioTracks: 2);

        Assert.Equal(["0:a:0", "0:a:1"], ValuesOf(command.All, "-map").Where(m => !m.StartsWith('[')));
        Assert.Equal(
            [Path.Combine(Output, "audio", "media.mp4"), Path.Combine(Output, "audio2", "media.mp4")],
            ValuesOf(command.All, "-hls_segment_filename").Where(f => f.Contains("audio", StringComparison.Ordinal)));
        Assert.Equal(Path.Combine(Output, "audio2", "index.m3u8"), command.LastOutput);
    }

    [Fact]
    public void Build_WithoutAudio_MapsNoAudioTrack()
    {
        var command = Build(audioTracks: 0);

        Assert.DoesNotContain("0:a:0", command.All);
        Assert.DoesNotContain("-c:a", command.All);
        Assert.Equal(["[v0]", "[v1]"], ValuesOf(command.All, "-map"));
    }

    [Fact]
    public void Build_Rendition_EncodesAtItsBitrateWithTheConfiguredPreset()
    {
        var command = Build(new LadderOptions { Preset = "ultrafast" });

        Assert.Equal(["3000k", "700k"], ValuesOf(command.All, "-b:v"));
        Assert.Equal(["ultrafast", "ultrafast"], ValuesOf(command.All, "-preset"));
    }

    [Fact]
    public void Build_PerTitleRendition_ConstantQualityWithItsPeakCapped_BesideAFixedOne()
    {
        var command = Build(renditions: [new Rendition("720p", 1280, 720, 2400, Crf: 25), new Rendition("360p", 640, 360, 700)]);

        Assert.Equal(["25"], ValuesOf(command.All, "-crf"));
        Assert.Equal(["700k"], ValuesOf(command.All, "-b:v")); // the fixed rung keeps its average bitrate
        Assert.Equal(["2400k", "770k"], ValuesOf(command.All, "-maxrate"));
        Assert.Equal(["4800k", "1400k"], ValuesOf(command.All, "-bufsize"));
    }

    private static readonly LadderOptions WithAv1 = new() { Codecs = ["h264", "av1"] };

    [Fact]
    public void Build_Av1Off_NoAv1Output()
    {
        var command = Build();

        Assert.DoesNotContain("libsvtav1", command.All);
        Assert.DoesNotContain(command.All, a => a.Contains("-av1", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_Av1On_EachScaledPictureSplitAgainForItsAv1Copy()
    {
        var command = Build(WithAv1);

        var graph = Assert.Single(ValuesOf(command.OutputArguments, "-filter_complex"));
        Assert.Equal("[0:v]split=2[s0][s1];[s0]scale=1280:720,setsar=1,split=2[v0][v0av1];[s1]scale=640:360,setsar=1,split=2[v1][v1av1]", graph);
        Assert.Equal(["[v0]", "[v1]", "[v0av1]", "[v1av1]"], ValuesOf(command.OutputArguments, "-map").Where(m => m.StartsWith('[')));
    }

    [Fact]
    public void Build_Av1On_H264OutputsThenAv1CopiesInTheirOwnDirectoriesThenAudio()
    {
        var command = Build(WithAv1);

        Assert.Equal(
            ["720p", "360p", "720p-av1", "360p-av1", "audio"],
            command.All.Where(a => a.EndsWith("index.m3u8", StringComparison.Ordinal)).Select(a => Path.GetFileName(Path.GetDirectoryName(a))));
        Assert.Equal(["libx264", "libx264", "libsvtav1", "libsvtav1"], ValuesOf(command.All, "-c:v"));
        Assert.Equal(Path.Combine(Output, "720p-av1", "media.mp4"), ValuesOf(command.All, "-hls_segment_filename")[2]);
        Assert.Equal(Enumerable.Repeat("fmp4", 5), ValuesOf(command.All, "-hls_segment_type"));
    }

    [Fact]
    public void Build_Av1On_Av1CopyOfAFixedRung_VbrAtSeventyPercentWithoutACap_AtTheAv1Preset()
    {
        var command = Build(new LadderOptions { Codecs = ["h264", "av1"], Av1Preset = 9 });

        var av1 = AfterOutput(command, "360p"); // the 720p-av1 output's arguments
        Assert.Equal(["2100k"], ValuesOf(av1, "-b:v"));
        Assert.Equal(["9"], ValuesOf(av1, "-preset"));
        Assert.Equal(["yuv420p"], ValuesOf(av1, "-pix_fmt"));
        Assert.Empty(ValuesOf(av1, "-maxrate")); // SVT-AV1 1.4 caps CRF only
        Assert.Empty(ValuesOf(av1, "-crf"));
        Assert.Equal(["3000k", "700k", "2100k", "490k"], ValuesOf(command.All, "-b:v"));
    }

    [Fact]
    public void Build_Av1On_Av1CopyOfAPerTitleRung_CappedCrfMappedFromX264AtSeventyPercentOfItsCap()
    {
        var command = Build(WithAv1, renditions: [new Rendition("720p", 1280, 720, 2400, Crf: 25), new Rendition("360p", 640, 360, 700)]);

        Assert.Equal(["25", "39"], ValuesOf(command.All, "-crf"));
        var av1 = AfterOutput(command, "360p");
        Assert.Equal(["39"], ValuesOf(av1, "-crf"));
        Assert.Equal(["1680k"], ValuesOf(av1, "-maxrate"));
        Assert.Empty(ValuesOf(av1, "-b:v"));
    }

    [Fact]
    public void Build_Av1On_Av1CopyOfAPerTitleFixedBitrateRung_VbrAtSeventyPercentOfWhatItsTrialSpent()
    {
        // A per-title top rung kept at the fixed ladder's quality: x264 at the fixed 5 Mb/s, which the trial measured
        // spending 654 kb/s; and one whose trial spent more than the target (the target then bounds it).
        var quality = new Vod.Common.Catalog.RenditionQuality(null, 654, 70.4, 0.9999);
        var command = Build(WithAv1, renditions: [
            new Rendition("1080p", 1920, 1080, 5000, Crf: null, Quality: quality),
            new Rendition("720p", 1280, 720, 3000, Crf: null, Quality: quality with { SampleKbps = 3600 })]);

        Assert.Equal(["5000k", "3000k", "457k", "2100k"], ValuesOf(command.All, "-b:v"));
        Assert.Empty(ValuesOf(command.All, "-crf"));
    }

    [Theory]
    [InlineData(21, 33)]
    [InlineData(25, 39)]
    [InlineData(29, 45)]
    [InlineData(33, 51)]
    [InlineData(37, 57)]
    [InlineData(51, 63)]
    [InlineData(0, 2)]
    public void Av1Crf_MapsX264CrfToTheSvtAv1CrfOfAboutTheSameQuality(int x264, int expected)
    {
        Assert.Equal(expected, FfmpegLadderCommand.Av1Crf(x264));
    }

    [Theory]
    [InlineData(25.0, 4, "100")]
    [InlineData(29.97, 4, "120")]
    [InlineData(23.976, 6, "144")]
    public void Build_Av1On_BothCodecsKeyframesOnTheSameFrameNumbers_NoSceneCuts(double frameRate, int segmentSeconds, string gop)
    {
        var command = Build(new LadderOptions { Codecs = ["h264", "av1"], SegmentSeconds = segmentSeconds }, frameRate: frameRate);

        Assert.Equal(Enumerable.Repeat(gop, 4), ValuesOf(command.All, "-g"));
        Assert.Equal(Enumerable.Repeat($"expr:eq(mod(n,{gop}),0)", 2), ValuesOf(command.All, "-force_key_frames")); // x264's
        Assert.Equal(["scd=0", "scd=0"], ValuesOf(command.All, "-svtav1-params"));
    }

    [Fact]
    public void Build_Av1OnWithoutAFrameRate_H264Only()
    {
        var command = Build(WithAv1, frameRate: 0);

        Assert.DoesNotContain("libsvtav1", command.All);
        Assert.Equal(["expr:gte(t,n_forced*4)", "expr:gte(t,n_forced*4)"], ValuesOf(command.All, "-force_key_frames"));
        Assert.DoesNotContain(FfmpegLadderCommand.VideoOutputs(TwoRenditions, WithAv1, 0), v => v.Codec == VideoCodec.Av1);
    }

    [Fact]
    public void VideoOutputs_Av1On_EachRenditionInH264ThenInAv1()
    {
        var outputs = FfmpegLadderCommand.VideoOutputs(TwoRenditions, WithAv1, 25);

        Assert.Equal(
            [("720p", VideoCodec.H264), ("360p", VideoCodec.H264), ("720p-av1", VideoCodec.Av1), ("360p-av1", VideoCodec.Av1)],
            outputs.Select(o => (o.Name, o.Codec)));
        Assert.Same(TwoRenditions[0], outputs[2].Rendition);
    }

    [Fact]
    public void VideoOutputs_ARenditionNamedLikeAnothersAv1Copy_Throws()
    {
        Assert.Throws<ArgumentException>(() => FfmpegLadderCommand.VideoOutputs([new("720p", 1280, 720, 3000), new("720p-av1", 640, 360, 700)], WithAv1, 25));
    }

    /// <summary>The arguments of the output that follows the one written into <paramref name="directory"/>.</summary>
    private static List<string> AfterOutput(FfmpegRun command, string directory)
    {
        var all = command.All.ToList();
        var start = all.IndexOf(Path.Combine(Output, directory, "index.m3u8")) + 1;
        var end = all.FindIndex(start, a => a.EndsWith("index.m3u8", StringComparison.Ordinal));
        return all[start..end];
    }

    [Fact]
    public void Build_NoRenditions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Build(renditions: []));
    }

    [Fact]
    public void Join_ArgumentWithSpace_IsQuoted()
    {
        var line = FfmpegArguments.Join(["-i", "/media/my uploads/big buck.mp4", "-f", "hls"]);

        Assert.Equal("-i \"/media/my uploads/big buck.mp4\" -f hls", line);
    }

    [Fact]
    public void Join_ArgumentWithQuote_EscapesTheQuote()
    {
        var line = FfmpegArguments.Join(["say \"hi\""]);

        Assert.Equal("\"say \\\"hi\\\"\"", line);
    }

    [Fact]
    public void Join_EmptyArgument_IsKeptAsEmptyQuotes()
    {
        Assert.Equal("-metadata \"\" x", FfmpegArguments.Join(["-metadata", "", "x"]));
    }

    [Fact]
    public async Task Join_ArgumentsWithSpacesAndQuotes_ReachAProcessUnchanged()
    {
        // LadderPackager hands the joined string to FFMpegCore, which starts ffmpeg with ProcessStartInfo.Arguments.
        string[] args = ["/media/my uploads/big buck.mp4", "say \"hi\"", "[0:v]split=2[s0][s1]", @"/media/a\b c\", @"back\slash", "q\\\""];
        var start = new ProcessStartInfo("/usr/bin/printf", FfmpegArguments.Join(["%s\n", .. args]))
        {
            RedirectStandardOutput = true,
        };

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(args, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Join_PlainArguments_AreLeftAlone()
    {
        var command = Build();

        var line = FfmpegArguments.Join(command.OutputArguments);

        Assert.Equal(string.Join(' ', command.OutputArguments), line);
    }

    [Fact]
    public async Task Build_RunByRealFfmpeg_WritesPlaylistAndMediaForEveryRendition_VideoOnlyAndAudioOnly()
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("source.mp4");
        await Ffmpeg.TestClipAsync(source, 320, 180, 4, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac");
        var options = new LadderOptions
        {
            Preset = "ultrafast",
            SegmentSeconds = 2,
            Rungs =
            [
                new() { Name = "180p", Height = 180, VideoKbps = 300 },
                new() { Name = "120p", Height = 120, VideoKbps = 150 },
            ],
        };
        var renditions = LadderPlan.For(options.EffectiveRungs, 320, 180);
        Assert.Equal(["180p", "120p"], renditions.Select(r => r.Name));
        var output = temp.Combine("out");
        foreach (var name in renditions.Select(r => r.Name).Append("audio"))
        {
            Directory.CreateDirectory(Path.Combine(output, name));
        }

        var command = FfmpegLadderCommand.Build(source, output, renditions, options, audioTracks: 1, frameRate: 25);
        await Ffmpeg.RunAsync(command.All);

        Assert.All(renditions, r =>
        {
            var playlist = Path.Combine(output, r.Name, "index.m3u8");
            var media = Path.Combine(output, r.Name, "media.mp4");
            Assert.True(File.Exists(playlist), $"{r.Name}/index.m3u8 is missing");
            Assert.True(File.Exists(media), $"{r.Name}/media.mp4 is missing");
            Assert.True(new FileInfo(media).Length > 0, $"{r.Name}/media.mp4 is empty");
            Assert.Contains("#EXT-X-ENDLIST", File.ReadAllText(playlist), StringComparison.Ordinal);
            Assert.Matches("^avc1\\.[0-9a-f]{6}$", Vod.Transcoder.Packaging.CodecString.FromInitFile(media)); // video only
        });
        Assert.Equal("mp4a.40.2", Vod.Transcoder.Packaging.CodecString.FromInitFile(Path.Combine(output, "audio", "media.mp4")));
    }
}
