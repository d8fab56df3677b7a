using Microsoft.Extensions.Logging.Abstractions;
using Vod.Media.Probing;
using Vod.Transcoder.Subtitles;

namespace Vod.Transcoder.Tests.Subtitles;

/// <summary>Real ffmpeg and ffprobe: the text subtitle streams of a source become the version's WebVTT tracks.</summary>
public sealed class SubtitleExtractorTests
{
    private const string Srt = "1\n00:00:00,500 --> 00:00:01,500\nFirst\n\n2\n00:00:02,000 --> 00:00:03,250\nSecond <i>line</i>\n";

    private static async Task<(string Clip, SourceInfo Source)> ClipAsync(TempDirectory dir, string name, params string[] subtitleOptions)
    {
        var srt = dir.Combine("in.srt");
        await File.WriteAllTextAsync(srt, Srt);
        var clip = dir.Combine(name);
        await Ffmpeg.RunAsync([
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-i", srt, "-t", "4",
            "-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            .. subtitleOptions,
            clip,
        ]);
        return (clip, await SourceProbe.ProbeAsync(clip, new ProbeOptions(), CancellationToken.None));
    }

    [Fact]
    public async Task ExtractAsync_MovTextInMp4_OneTrackWithTheLanguagesNameAndTheCuesAsWebVtt()
    {
        using var dir = new TempDirectory();
        var (clip, source) = await ClipAsync(dir, "mov-text.mp4", "-map", "1:s", "-c:s", "mov_text", "-metadata:s:s:0", "language=ger");
        var ladder = Directory.CreateDirectory(dir.Combine("ladder")).FullName;

        var tracks = await new SubtitleExtractor(NullLogger<SubtitleExtractor>.Instance).ExtractAsync(clip, source, source.Duration, ladder, dir.Path, CancellationToken.None);

        var track = Assert.Single(tracks);
        Assert.Equal(("sub1", "de", "German", "subtitles/sub1.m3u8", "subtitles/sub1.vtt", false), (track.Name, track.Language, track.Label, track.Playlist, track.File, track.Uploaded));
        Assert.Equal(
            "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nFirst\n\n00:00:02.000 --> 00:00:03.250\nSecond <i>line</i>\n\n",
            await File.ReadAllTextAsync(Path.Combine(ladder, track.File)));
        var playlist = await File.ReadAllTextAsync(Path.Combine(ladder, track.Playlist));
        Assert.Contains("#EXTINF:4.000,\nsub1.vtt\n#EXT-X-ENDLIST", playlist, StringComparison.Ordinal);
        Assert.Equal(["sub1.m3u8", "sub1.vtt"], Directory.EnumerateFiles(Path.Combine(ladder, "subtitles")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ExtractAsync_SubRipAndAssInMatroska_ATrackEachInStreamOrder_TitledFromTheStream()
    {
        using var dir = new TempDirectory();
        var (clip, source) = await ClipAsync(dir, "two.mkv",
            "-map", "1:s", "-map", "1:s", "-c:s:0", "srt", "-c:s:1", "ass",
            "-metadata:s:s:0", "language=eng", "-metadata:s:s:0", "title=English SDH", "-metadata:s:s:1", "language=jpn");
        var ladder = Directory.CreateDirectory(dir.Combine("ladder")).FullName;

        var tracks = await new SubtitleExtractor(NullLogger<SubtitleExtractor>.Instance).ExtractAsync(clip, source, source.Duration, ladder, dir.Path, CancellationToken.None);

        Assert.Equal([("sub1", "en", "English SDH"), ("sub2", "ja", "Japanese")], tracks.Select(t => (t.Name, t.Language, t.Label)));
        foreach (var track in tracks)
        {
            var vtt = await File.ReadAllTextAsync(Path.Combine(ladder, track.File));
            Assert.Contains("00:00:00.500 --> 00:00:01.500\nFirst\n", vtt, StringComparison.Ordinal);
            Assert.Contains("00:00:02.000 --> 00:00:03.250\n", vtt, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(dir.Combine("ladder", "subtitles-0.vtt"))); // ffmpeg's raw output stays out of the version
    }

    [Fact]
    public async Task ExtractAsync_NoSubtitleStream_NoTrackAndNoDirectory()
    {
        using var dir = new TempDirectory();
        var clip = dir.Combine("plain.mp4");
        await Ffmpeg.TestClipAsync(clip, 320, 180, 2);
        var source = await SourceProbe.ProbeAsync(clip, new ProbeOptions(), CancellationToken.None);
        var ladder = Directory.CreateDirectory(dir.Combine("ladder")).FullName;

        Assert.Empty(await new SubtitleExtractor(NullLogger<SubtitleExtractor>.Instance).ExtractAsync(clip, source, source.Duration, ladder, dir.Path, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(ladder, "subtitles")));
    }
}
