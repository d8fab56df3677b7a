using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Vod.Common.Catalog;
using Vod.Common.Dash;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Tests.Packaging;

/// <summary>
/// The DASH addressing of what ffmpeg's HLS muxer wrote, on real ffmpeg output (6 s, 2 s segments, two video rungs
/// and the audio): the global segment index inserted into single files, the timeline of file-per-segment renditions,
/// and ffmpeg itself decoding both the rewritten HLS playlists and an MPD written over the same files.
/// </summary>
public sealed class DashIndexTests : IDisposable
{
    private static readonly Rendition[] Rungs = [new("180p", 320, 180, 300), new("120p", 214, 120, 150)];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> LadderAsync(SegmentLayout layout)
    {
        var source = _temp.Combine("source.mp4");
        if (!File.Exists(source))
        {
            await Ffmpeg.TestClipAsync(source, 320, 180, 6, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac");
        }

        var output = _temp.Combine(layout.ToString());
        foreach (var name in Rungs.Select(r => r.Name).Append(FfmpegLadderCommand.AudioDirectory))
        {
            Directory.CreateDirectory(Path.Combine(output, name));
        }

        var options = new LadderOptions { Preset = "ultrafast", SegmentSeconds = 2, Layout = layout };
        await Ffmpeg.RunAsync(FfmpegLadderCommand.Build(source, output, Rungs, options, audioTracks: 1, frameRate: 25).All);
        return output;
    }

    private static List<(long Length, long Offset)> Ranges(string playlist) =>
        Regex.Matches(File.ReadAllText(playlist), @"#EXT-X-BYTERANGE:(\d+)@(\d+)")
            .Select(m => (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();

    private static double PlaylistSeconds(string playlist) =>
        Regex.Matches(File.ReadAllText(playlist), @"#EXTINF:([\d.]+),").Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    private static (long First, long Last) Range(string range) =>
        range.Split('-') is [var a, var b] ? (long.Parse(a, CultureInfo.InvariantCulture), long.Parse(b, CultureInfo.InvariantCulture)) : throw new FormatException(range);

    private static Title TitleOf(string directory, Func<string, DashSegments> dash) => new()
    {
        Id = "abcdefgh2345",
        Name = "t",
        Status = TitleStatus.Ready,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Source = "s.mp4",
        Version = "v1",
        DurationSeconds = 6,
        Renditions = Rungs.Select(r => new RenditionInfo(r.Name, r.Width, r.Height, r.VideoKbps * 1000, r.VideoKbps * 1000,
            CodecString.FromInitFile(Path.Combine(directory, r.Name, File.Exists(Path.Combine(directory, r.Name, "init.mp4")) ? "init.mp4" : "media.mp4")),
            25, $"{r.Name}/index.m3u8")
        { Dash = dash(Path.Combine(directory, r.Name)) }).ToList(),
        Audio = [new AudioRenditionInfo("audio", 130_000, 128_000, "mp4a.40.2", 2, 48000, "audio/index.m3u8") { Dash = dash(Path.Combine(directory, "audio")) }],
    };

    [Fact]
    public async Task IndexSingleFile_RealLadder_IndexesEverySegmentAfterTheInit_AndHlsAndDashBothDecodeCleanly()
    {
        var output = await LadderAsync(SegmentLayout.SingleFile);
        var directory = Path.Combine(output, "180p");
        var playlist = Path.Combine(directory, "index.m3u8");
        var before = Ranges(playlist);
        var initLength = before[0].Offset;
        var sizeBefore = new FileInfo(Path.Combine(directory, "media.mp4")).Length;

        var title = TitleOf(output, DashIndex.IndexSingleFile);

        var dash = title.Renditions[0].Dash!;
        Assert.Equal($"0-{initLength - 1}", dash.InitializationRange);
        var (indexFirst, indexLast) = Range(dash.IndexRange!);
        Assert.Equal(initLength, indexFirst);
        var sidxLength = indexLast - indexFirst + 1;
        var bytes = await File.ReadAllBytesAsync(Path.Combine(directory, "media.mp4"));
        Assert.Equal(sizeBefore + sidxLength, bytes.Length);

        // The box at IndexRange: a sidx of exactly that length, one reference per playlist segment, whose sizes cover
        // the rest of the file and whose durations add up to the playlist's.
        var sidx = bytes.AsSpan((int)indexFirst, (int)sidxLength);
        Assert.Equal(sidxLength, BinaryPrimitives.ReadUInt32BigEndian(sidx));
        Assert.Equal("sidx"u8.ToArray(), sidx[4..8].ToArray());
        var timescale = BinaryPrimitives.ReadUInt32BigEndian(sidx[16..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(sidx[38..]);
        Assert.Equal(before.Count, count);
        long sizes = 0, ticks = 0;
        for (var i = 0; i < count; i++)
        {
            var reference = sidx[(40 + (12 * i))..];
            Assert.Equal(before[i].Length, BinaryPrimitives.ReadUInt32BigEndian(reference)); // type 0 (media) | size
            sizes += before[i].Length;
            ticks += BinaryPrimitives.ReadUInt32BigEndian(reference[4..]);
            Assert.Equal(0x9000_0000u, BinaryPrimitives.ReadUInt32BigEndian(reference[8..])); // starts with a SAP of type 1
        }

        Assert.Equal(bytes.Length - indexLast - 1, sizes);
        Assert.Equal(PlaylistSeconds(playlist), (double)ticks / timescale, 2);

        // The playlist's ranges moved up by the index's length, each still starting at its fragment's own sidx.
        var after = Ranges(playlist);
        Assert.Equal(before.Select(r => (r.Length, r.Offset + sidxLength)), after);
        Assert.All(after, r => Assert.Equal("sidx"u8.ToArray(), bytes.AsSpan((int)r.Offset + 4, 4).ToArray()));

        Assert.Equal("", await Ffmpeg.RunAsync(["-nostdin", "-v", "error", "-i", playlist, "-f", "null", "-"]));
        await File.WriteAllTextAsync(Path.Combine(output, "manifest.mpd"), DashManifest.Write(title, [("local", output + "/")]));
        Assert.Equal("", await Ffmpeg.RunAsync(["-nostdin", "-v", "error", "-i", Path.Combine(output, "manifest.mpd"), "-map", "0:v:0", "-map", "0:a:0", "-f", "null", "-"]));
    }

    [Fact]
    public async Task TimelineOf_FilePerSegment_HasEverySegmentsDurationInOrder_AndFfmpegDecodesTheMpd()
    {
        var output = await LadderAsync(SegmentLayout.FilePerSegment);

        var title = TitleOf(output, DashIndex.TimelineOf);

        foreach (var (dash, playlist) in title.Renditions.Select(r => (r.Dash!, r.Playlist)).Append((title.Audio[0].Dash!, title.Audio[0].Playlist)))
        {
            var path = Path.Combine(output, playlist);
            Assert.Equal("seg_$Number%05d$.m4s", dash.Media);
            Assert.Equal("init.mp4", dash.Initialization);
            Assert.Equal(0, dash.StartNumber);
            Assert.Equal(Regex.Count(File.ReadAllText(path), "#EXTINF"), dash.SegmentDurations!.Count);
            Assert.Equal(PlaylistSeconds(path), (double)dash.SegmentDurations.Sum() / dash.Timescale, 2);
        }

        await File.WriteAllTextAsync(Path.Combine(output, "manifest.mpd"), DashManifest.Write(title, [("local", output + "/")]));
        Assert.Equal("", await Ffmpeg.RunAsync(["-nostdin", "-v", "error", "-i", Path.Combine(output, "manifest.mpd"), "-map", "0:v:0", "-map", "0:a:0", "-f", "null", "-"]));
    }

    [Fact]
    public async Task IndexSingleFile_SegmentsWithAGap_IsRefusedAndChangesNothing()
    {
        var output = await LadderAsync(SegmentLayout.SingleFile);
        var directory = Path.Combine(output, "120p");
        var playlist = Path.Combine(directory, "index.m3u8");
        var second = Ranges(playlist)[1];
        var text = File.ReadAllText(playlist).Replace($"@{second.Offset}\n", $"@{second.Offset + 1}\n", StringComparison.Ordinal);
        await File.WriteAllTextAsync(playlist, text);
        var media = await File.ReadAllBytesAsync(Path.Combine(directory, "media.mp4"));

        Assert.Throws<InvalidDataException>(() => DashIndex.IndexSingleFile(directory));

        Assert.Equal(text, await File.ReadAllTextAsync(playlist));
        Assert.Equal(media, await File.ReadAllBytesAsync(Path.Combine(directory, "media.mp4")));
    }
}
