using System.Globalization;
using System.Text.RegularExpressions;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.EndToEnd;

/// <summary>The walking skeleton: upload → ladder → origin → edge → a real player (ffmpeg).</summary>
[Collection(UntimedStackDefinition.Name)]
public sealed class UploadToPlaybackTests(StackFixture stack)
{
    [Fact]
    public async Task Upload_640x360Clip_PublishesOnlyRungsAtOrBelowSourceWithAlignedKeyframes()
    {
        var title = await stack.SampleTitleAsync();

        Assert.Equal(TitleStatus.Ready, title.Status);
        Assert.Equal(100, title.Progress);
        Assert.Equal(["360p", "240p"], title.Renditions.Select(r => r.Name));
        Assert.Equal((640, 360), (title.Renditions[0].Width, title.Renditions[0].Height));
        Assert.Equal((426, 240), (title.Renditions[1].Width, title.Renditions[1].Height));
        Assert.All(title.Renditions, r =>
        {
            Assert.Matches(@"^avc1\.64[0-9a-f]{4}$", r.Codecs); // video only: the audio is its own rendition
            Assert.InRange(r.AverageBandwidth, 100_000, r.Bandwidth);
            Assert.Equal(30, r.FrameRate);
        });

        var keyframeSets = new List<double[]>();
        foreach (var rendition in title.Renditions)
        {
            var media = await stack.PublishedFileAsync(title.Id, $"{rendition.Name}/media.mp4");
            var size = await Media.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", media]);
            Assert.Equal($"{rendition.Width},{rendition.Height}", size.StandardOutput.Trim());

            var frames = await Media.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey", "-show_entries", "frame=pts_time", "-of", "csv=p=0", media]);
            var keyframes = frames.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => double.Parse(l.Trim().TrimEnd(','), CultureInfo.InvariantCulture)).ToArray();
            // Times are relative to the first frame: the muxer shifts every timestamp by the same encoder delay.
            Assert.All(keyframes, t => Assert.True(Math.Abs(t - keyframes[0] - (Math.Round((t - keyframes[0]) / 4) * 4)) < 0.05, $"keyframe at {t} s is not on a 4 s boundary"));
            keyframeSets.Add(keyframes);
        }

        Assert.Equal([0.0, 4.0], keyframeSets[0].Select(t => Math.Round(t - keyframeSets[0][0])));
        var audio = Assert.Single(title.Audio);
        Assert.Equal(("mp4a.40.2", 2, 48000, "audio/index.m3u8"), (audio.Codecs, audio.Channels, audio.SampleRate, audio.Playlist));
        var audioStreams = await Media.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", await stack.PublishedFileAsync(title.Id, "audio/media.mp4")]);
        Assert.Equal("audio", audioStreams.StandardOutput.Trim());
        Assert.All(keyframeSets, set => Assert.Equal(keyframeSets[0], set));

        var master = await File.ReadAllTextAsync(await stack.PublishedFileAsync(title.Id, "master.m3u8"));
        Assert.Contains("AVERAGE-BANDWIDTH=", master, StringComparison.Ordinal);
        Assert.Contains("FRAME-RATE=30.000", master, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(stack.Store.Staging));
    }

    [Fact]
    public async Task PlaybackManifest_ListsEveryRenditionOnEveryEdge_AndFfmpegDecodesFullDurationThroughThem()
    {
        var title = await stack.SampleTitleAsync();
        var manifest = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}{title.PlaybackUrl}");

        var uris = manifest.Split('\n').Where(l => l.StartsWith("http", StringComparison.Ordinal)).ToList();
        // Other tests add and kill edges of their own; every routable one is listed, each with every rendition.
        Assert.Equal(0, uris.Count % title.Renditions.Count);
        foreach (var edge in stack.Edges)
        {
            Assert.Equal(title.Renditions.Count, uris.Count(u => u.StartsWith(edge.BaseUrl + "/titles/" + title.Id + "/", StringComparison.Ordinal)));
        }

        Assert.Equal(2, manifest.Split('\n').Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.EndsWith(",PATHWAY-ID=\"edge-1\"", StringComparison.Ordinal)));
        Assert.Contains("#EXT-X-CONTENT-STEERING:SERVER-URI=\"" + stack.Origin.BaseUrl + "/steering/" + title.Id + "\"", manifest, StringComparison.Ordinal);

        var play = await Media.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", $"{stack.Origin.BaseUrl}{title.PlaybackUrl}", "-f", "null", "-progress", "pipe:1", "-"]);
        Assert.True(play.ExitCode == 0, play.StandardError);
        var decodedMicroseconds = Regex.Matches(play.StandardOutput, @"out_time_us=(\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max();
        Assert.InRange(decodedMicroseconds / 1e6, 7.9, 8.5);
    }

    [Fact]
    public async Task DashManifest_ListsEveryEdgeAsABaseUrl_AndFfmpegDecodesVideoAndAudioThroughThem()
    {
        var title = await stack.SampleTitleAsync();
        Assert.Equal($"/play/{title.Id}/manifest.mpd", title.DashUrl);
        using var response = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}{title.DashUrl}");
        Assert.Equal("application/dash+xml", response.Content.Headers.ContentType?.MediaType);
        var mpd = System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        System.Xml.Linq.XNamespace ns = "urn:mpeg:dash:schema:mpd:2011";

        var version = (await stack.Store.ReadTitleAsync(title.Id))!.Version;
        var baseUrls = mpd.Elements(ns + "BaseURL").ToDictionary(b => (string)b.Attribute("serviceLocation")!, b => b.Value);
        foreach (var edge in stack.Edges)
        {
            Assert.Equal($"{edge.BaseUrl}/titles/{title.Id}/{version}/", baseUrls[edge.Name]);
        }

        Assert.Equal($"{stack.Origin.BaseUrl}/steering/{title.Id}", mpd.Element(ns + "ContentSteering")!.Value);
        Assert.Equal(["360p", "240p", "audio"], mpd.Descendants(ns + "Representation").Select(r => (string)r.Attribute("id")!));

        // The list form (for Shaka Player): every single file's ranges exactly as its HLS playlist has them.
        var listed = System.Xml.Linq.XDocument.Parse(await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}{title.DashUrl}?segments=list")).Root!;
        foreach (var representation in listed.Descendants(ns + "Representation"))
        {
            var name = (string)representation.Attribute("id")!;
            var playlist = await File.ReadAllTextAsync(await stack.PublishedFileAsync(title.Id, $"{name}/index.m3u8"));
            var expected = Regex.Matches(playlist, @"#EXT-X-BYTERANGE:(\d+)@(\d+)")
                .Select(m => $"{m.Groups[2].Value}-{long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) + long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1}");
            Assert.Equal(expected, representation.Descendants(ns + "SegmentURL").Select(u => (string)u.Attribute("mediaRange")!));
        }

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await stack.Http.GetAsync($"{stack.Origin.BaseUrl}{title.DashUrl}?segments=all")).StatusCode);

        var play = await Media.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", $"{stack.Origin.BaseUrl}{title.DashUrl}", "-map", "0:v:0", "-map", "0:a:0", "-f", "null", "-progress", "pipe:1", "-"]);
        Assert.True(play.ExitCode == 0 && play.StandardError.Length == 0, play.StandardError);
        var decodedMicroseconds = Regex.Matches(play.StandardOutput, @"out_time_us=(\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max();
        Assert.InRange(decodedMicroseconds / 1e6, 7.9, 8.5);
    }

    [Fact]
    public async Task Edge_FiftyRandomRanges_EqualTheBytesOnDisk()
    {
        var title = await stack.SampleTitleAsync();
        var version = (await stack.Store.ReadTitleAsync(title.Id))!.Version;
        var onDisk = await File.ReadAllBytesAsync(await stack.PublishedFileAsync(title.Id, "360p/media.mp4"));
        var random = new Random(20261127);

        for (var i = 0; i < 50; i++)
        {
            var edge = stack.Edges[i % stack.Edges.Count];
            var from = random.NextInt64(onDisk.Length);
            var to = Math.Min(onDisk.Length - 1, from + random.Next(1, 3 << 20));
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{edge.BaseUrl}/titles/{title.Id}/{version}/360p/media.mp4");
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(from, to);
            using var response = await stack.Http.SendAsync(request);

            Assert.Equal(System.Net.HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {from}-{to}/{onDisk.Length}", response.Content.Headers.ContentRange!.ToString());
            Assert.Equal(onDisk[(int)from..(int)(to + 1)], await response.Content.ReadAsByteArrayAsync());
        }

        var whole = await stack.Http.GetByteArrayAsync($"{stack.Edges[0].BaseUrl}/titles/{title.Id}/{version}/360p/media.mp4");
        Assert.Equal(onDisk, whole);
    }
}
