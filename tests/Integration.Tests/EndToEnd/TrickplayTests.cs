using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.EndToEnd;

/// <summary>
/// Trick-play previews and stills through the real stack (the shared sample title): the storyboard the origin hands
/// out names sheets on an edge that answer as JPEGs, and the thumbnail endpoint makes, bounds and caches stills.
/// </summary>
[Collection(UntimedStackDefinition.Name)]
public sealed partial class TrickplayTests(StackFixture stack)
{
    [Fact]
    public async Task Storyboard_CuesCoverTheTitle_AndEverySheetIsAJpegOnTheFirstEdge()
    {
        var sample = await stack.SampleTitleAsync();
        var title = (await stack.Store.ReadTitleAsync(sample.Id))!;
        Assert.NotNull(title.Trickplay);

        using var response = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/storyboard.vtt");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/vtt", response.Content.Headers.ContentType?.MediaType);
        var cues = Cues(await response.Content.ReadAsStringAsync());

        Assert.Equal(0, cues[0].Start);
        Assert.Equal(title.DurationSeconds!.Value, cues[^1].End, 3);
        Assert.All(cues.Zip(cues.Skip(1)), p => Assert.Equal(p.First.End, p.Second.Start));
        var first = Assert.Single(cues.Select(c => c.Url[..c.Url.IndexOf("/titles/", StringComparison.Ordinal)]).Distinct());
        Assert.Contains(stack.Edges, e => e.BaseUrl == first);
        foreach (var url in cues.Select(c => c.Url).Distinct())
        {
            Assert.StartsWith($"{first}/titles/{title.Id}/{title.Version}/trickplay/sheet_", url, StringComparison.Ordinal);
            using var sheet = await stack.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, sheet.StatusCode);
            Assert.Equal("image/jpeg", sheet.Content.Headers.ContentType?.MediaType);
        }

        // The published files themselves are served like the media, with their types, by the origin and the edges.
        foreach (var server in new[] { stack.Origin.BaseUrl, stack.Edges[0].BaseUrl, stack.Edges[1].BaseUrl })
        {
            using var raw = await stack.Http.GetAsync($"{server}/titles/{title.Id}/{title.Version}/{title.Trickplay.Storyboard}");
            Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
            Assert.Equal("text/vtt", raw.Content.Headers.ContentType?.MediaType);
            using var jpeg = await stack.Http.GetAsync($"{server}/titles/{title.Id}/{title.Version}/trickplay/sheet_000.jpg");
            Assert.Equal(HttpStatusCode.OK, jpeg.StatusCode);
            Assert.Equal("image/jpeg", jpeg.Content.Headers.ContentType?.MediaType);
        }

        var resource = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/api/titles/{title.Id}");
        Assert.Contains($"\"storyboardUrl\":\"/play/{title.Id}/storyboard.vtt\"", resource, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thumbnail_SnapsTheWidth_AndServesTheSecondRequestFromItsCache()
    {
        var sample = await stack.SampleTitleAsync();
        var version = (await stack.Store.ReadTitleAsync(sample.Id))!.Version;
        var url = $"{stack.Origin.BaseUrl}/api/titles/{sample.Id}/thumbnail.jpg?time=3.14&width=300";

        using var first = await stack.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/jpeg", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal("miss", first.Headers.GetValues("X-Thumbnail-Cache").Single());
        var jpeg = Path.Combine(stack.Work, $"thumb-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(jpeg, await first.Content.ReadAsByteArrayAsync());
        var probe = await Media.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", jpeg]);
        Assert.Equal("mjpeg,320,180", probe.StandardOutput.Trim()); // 300 snapped up to 320, 16:9 kept
        var etag = first.Headers.ETag!.Tag;
        Assert.Contains(version!, etag, StringComparison.Ordinal);

        // Same still by another spelling (time in the same tenth, width in the same step): one entry, no ffmpeg.
        using var second = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/api/titles/{sample.Id}/thumbnail.jpg?time=3.19&width=320");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("hit", second.Headers.GetValues("X-Thumbnail-Cache").Single());
        Assert.Equal(await File.ReadAllBytesAsync(jpeg), await second.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var notModified = await stack.Http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("time=9999", 400, "beyond the title's duration")]
    [InlineData("time=-1", 400, "number of seconds")]
    [InlineData("time=abc", 400, "number of seconds")]
    [InlineData("width=5000", 400, "from 64 to 1280")]
    [InlineData("width=10", 400, "from 64 to 1280")]
    [InlineData("width=wide", 400, "from 64 to 1280")]
    public async Task Thumbnail_OutOfBounds_Is400WithTheReason(string query, int status, string reason)
    {
        var sample = await stack.SampleTitleAsync();

        using var response = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/api/titles/{sample.Id}/thumbnail.jpg?{query}");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thumbnail_UnknownOrUnreadyTitle_Is404Or409()
    {
        using var unknown = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/api/titles/zzzzzzzzzzzz/thumbnail.jpg");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // A failed title (written straight into the store: no job is ever made for it) has no stills.
        var now = DateTimeOffset.UtcNow;
        var failed = new Title { Id = "trickfailedz", Name = "failed", Status = TitleStatus.Failed, CreatedAt = now, UpdatedAt = now, Source = "none.mp4" };
        await stack.Store.WriteTitleAsync(failed);
        try
        {
            using var response = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/api/titles/{failed.Id}/thumbnail.jpg?time=1");
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Contains("it is failed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await stack.Store.DeleteTitleAsync(failed);
        }
    }

    internal sealed record Cue(double Start, double End, string Url);

    internal static List<Cue> Cues(string vtt)
    {
        Assert.StartsWith("WEBVTT", vtt, StringComparison.Ordinal);
        var cues = CueLine().Matches(vtt).Select(m => new Cue(
            TimeSpan.Parse(m.Groups["start"].Value, CultureInfo.InvariantCulture).TotalSeconds,
            TimeSpan.Parse(m.Groups["end"].Value, CultureInfo.InvariantCulture).TotalSeconds,
            m.Groups["url"].Value)).ToList();
        Assert.NotEmpty(cues);
        return cues;
    }

    [GeneratedRegex(@"(?<start>\d\d:\d\d:\d\d\.\d{3}) --> (?<end>\d\d:\d\d:\d\d\.\d{3})\n(?<url>https?://\S+?)#xywh=\d+,\d+,\d+,\d+\n")]
    private static partial Regex CueLine();
}
