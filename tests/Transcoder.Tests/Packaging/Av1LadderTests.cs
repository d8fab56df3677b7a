using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vod.Media.Probing;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Ladder.PerTitle;
using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Tests.Packaging;

/// <summary>
/// Real ffmpeg: with AV1 on, the packager writes an SVT-AV1 copy of every rendition beside the H.264 one, whose
/// segments start on keyframes at the same instants as the H.264 ones, whose codec string is read from its av1C box,
/// and which ffmpeg decodes without an error.
/// </summary>
public sealed class Av1LadderTests
{
    [Fact]
    public async Task PackageAsync_Av1On_EveryRenditionTwice_KeyframesAligned_CodecStringsRead_BothPlaylistsDecode()
    {
        using var temp = new TempDirectory();
        var clip = temp.Combine("source.mp4");
        await Ffmpeg.TestClipAsync(clip, 640, 360, 4, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac");
        var source = await SourceProbe.ProbeAsync(clip, new ProbeOptions(), CancellationToken.None);
        var options = new LadderOptions
        {
            Mode = LadderMode.Fixed, // the configured rungs below
            Codecs = ["h264", "av1"],
            Preset = "ultrafast",
            SegmentSeconds = 1,
            Layout = SegmentLayout.FilePerSegment, // a file per segment: each one's first frame is probed on its own
            Rungs = [new() { Name = "360p", Height = 360, VideoKbps = 600 }, new() { Name = "180p", Height = 180, VideoKbps = 250 }],
        };
        var output = Directory.CreateDirectory(temp.Combine("ladder")).FullName;

        var packaged = await new LadderPackager(Options.Create(options), new ComplexityPass(Options.Create(options), NullLogger<ComplexityPass>.Instance), NullLogger<LadderPackager>.Instance)
            .PackageAsync(clip, source, output, temp.Path, _ => { }, CancellationToken.None);

        Assert.Equal(["360p", "180p", "360p-av1", "180p-av1"], packaged.Renditions.Select(r => r.Name));
        Assert.Equal([(640, 360), (320, 180), (640, 360), (320, 180)], packaged.Renditions.Select(r => (r.Width, r.Height)));
        Assert.All(packaged.Renditions.Take(2), r => Assert.StartsWith("avc1.", r.Codecs, StringComparison.Ordinal));
        Assert.Equal(["av01.0.01M.08", "av01.0.00M.08"], packaged.Renditions.Skip(2).Select(r => r.Codecs)); // levels 2.1 and 2.0 (SVT-AV1 picks them)
        Assert.All(packaged.Renditions, r => Assert.NotNull(r.Dash));

        var master = await File.ReadAllTextAsync(Path.Combine(output, "master.m3u8"));
        Assert.Contains("CODECS=\"av01.0.01M.08,mp4a.40.2\"", master, StringComparison.Ordinal);
        Assert.Contains("360p-av1/index.m3u8", master, StringComparison.Ordinal);

        var keyframes = new Dictionary<string, IReadOnlyList<double>>();
        foreach (var r in packaged.Renditions)
        {
            var directory = Path.Combine(output, r.Name);
            var playlist = await File.ReadAllLinesAsync(Path.Combine(directory, "index.m3u8"));
            var segments = playlist.Where(l => l.EndsWith(".m4s", StringComparison.Ordinal)).ToList();
            Assert.Equal(4, segments.Count);
            var init = await File.ReadAllBytesAsync(Path.Combine(directory, "init.mp4"));
            foreach (var segment in segments)
            {
                // The init section and the segment alone: its first frame must decode on its own.
                var alone = Path.Combine(directory, $"alone-{segment}.mp4");
                await File.WriteAllBytesAsync(alone, [.. init, .. await File.ReadAllBytesAsync(Path.Combine(directory, segment))]);
                var first = (await Ffmpeg.ProbeAsync(["-v", "error", "-select_streams", "v", "-show_entries", "packet=flags", "-read_intervals", "%+#1", "-of", "csv=p=0", alone])).Trim();
                Assert.True(first.StartsWith('K'), $"{r.Name}/{segment} starts with a packet flagged '{first}', not a keyframe");
                File.Delete(alone);
            }

            keyframes[r.Name] = await KeyframeTimesAsync(Path.Combine(directory, "index.m3u8"));
            var errors = await Ffmpeg.RunAsync(["-nostdin", "-v", "error", "-i", Path.Combine(directory, "index.m3u8"), "-f", "null", "-"]);
            Assert.True(errors.Length == 0, $"{r.Name}: {errors}");
        }

        Assert.Equal([0.0, 1.0, 2.0, 3.0], keyframes["360p"]);
        Assert.All(packaged.Renditions, r => Assert.Equal(keyframes["360p"], keyframes[r.Name]));
    }

    [Fact]
    public async Task Build_Av1OnAtAnNtscFrameRate_BothCodecsPutKeyframesOnTheSameFrames()
    {
        // 29.97 fps, 4 s segments: a keyframe every 120 frames (4.004 s). Forced on time instead, x264's ninth would be
        // frame 1079 (the first at or past 36 s) while SVT-AV1, which only counts frames, puts its ninth at 1080.
        using var temp = new TempDirectory();
        var clip = temp.Combine("ntsc.mp4");
        await Ffmpeg.RunAsync([
            "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=30000/1001", "-t", "40",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip,
        ]);
        var options = new LadderOptions { Codecs = ["h264,av1"], Preset = "ultrafast", Av1Preset = 12 };
        Rendition[] renditions = [new("90p", 160, 90, 150)];
        var output = temp.Combine("ladder");
        foreach (var v in FfmpegLadderCommand.VideoOutputs(renditions, options, 29.97))
        {
            Directory.CreateDirectory(Path.Combine(output, v.Name));
        }

        await Ffmpeg.RunAsync(FfmpegLadderCommand.Build(clip, output, renditions, options, audioTracks: 0, frameRate: 29.97).All);

        var h264 = await KeyframeFramesAsync(Path.Combine(output, "90p", "media.mp4"));
        var av1 = await KeyframeFramesAsync(Path.Combine(output, "90p-av1", "media.mp4"));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 120), h264);
        Assert.Equal(h264, av1);
    }

    /// <summary>The numbers of a file's keyframes, counting its video packets in presentation order.</summary>
    private static async Task<IReadOnlyList<int>> KeyframeFramesAsync(string file)
    {
        var csv = await Ffmpeg.ProbeAsync(["-v", "error", "-select_streams", "v", "-show_entries", "packet=pts,flags", "-of", "csv=p=0", file]);
        return csv.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(','))
            .Select(f => (Pts: long.Parse(f[0], CultureInfo.InvariantCulture), Key: f[1].StartsWith('K')))
            .OrderBy(p => p.Pts)
            .Select((p, n) => (p.Key, n))
            .Where(p => p.Key)
            .Select(p => p.n)
            .ToList();
    }

    /// <summary>The presentation times of a rendition's keyframes, in seconds, from its HLS playlist.</summary>
    private static async Task<IReadOnlyList<double>> KeyframeTimesAsync(string playlist)
    {
        var csv = await Ffmpeg.ProbeAsync(["-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", playlist]);
        var times = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(','))
            .Where(f => f[1].StartsWith('K'))
            .Select(f => Math.Round(double.Parse(f[0], CultureInfo.InvariantCulture), 3))
            .Order()
            .ToList();
        var start = times[0]; // the HLS demuxer may start the timeline at the first sample's offset
        return times.Select(t => Math.Round(t - start, 3)).ToList();
    }
}
