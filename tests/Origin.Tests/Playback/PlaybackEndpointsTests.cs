using Vod.Common.Catalog;
using Vod.Origin.Playback;

namespace Vod.Origin.Tests.Playback;

public class PlaybackEndpointsTests
{
    private const string Origin = "http://origin.example:5100";

    private static readonly Title Ready = new()
    {
        Id = "abcdefgh2345",
        Name = "Big Buck Bunny",
        Status = TitleStatus.Ready,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Source = "abcdefgh2345.mp4",
        Version = "v7",
        Renditions =
        [
            new RenditionInfo("360p", 640, 360, 820_000, 700_000, "avc1.64001e,mp4a.40.2", 25, "360p/index.m3u8"),
            new RenditionInfo("720p", 1280, 720, 3_400_000, 2_900_000, "avc1.64001f,mp4a.40.2", 25, "720p/index.m3u8"),
        ],
    };

    /// <summary>Each EXT-X-STREAM-INF line with the URI on the line after it.</summary>
    private static List<(string StreamInf, string Uri)> Variants(string playlist)
    {
        var lines = playlist.Split('\n');
        return lines
            .Select((line, i) => (line, i))
            .Where(x => x.line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            .Select(x => (x.line, lines[x.i + 1]))
            .ToList();
    }

    [Fact]
    public void Pathways_TwoEdges_NumbersThemInOrderWithoutTrailingSlash()
    {
        var options = new PlaybackOptions { Edges = ["http://edge-a.example:5201/", "https://edge-b.example"] };

        var pathways = PlaybackEndpoints.Pathways(options, Origin);

        Assert.Equal([("edge-1", "http://edge-a.example:5201"), ("edge-2", "https://edge-b.example")], pathways);
    }

    [Fact]
    public void Pathways_NoEdges_ServesFromTheOrigin()
    {
        var pathways = PlaybackEndpoints.Pathways(new PlaybackOptions(), Origin);

        Assert.Equal([("origin", Origin)], pathways);
    }

    [Fact]
    public void Manifest_TwoEdges_ListsEachRenditionOncePerEdgeWithAbsoluteUrls()
    {
        var pathways = PlaybackEndpoints.Pathways(new PlaybackOptions { Edges = ["http://edge-a.example:5201", "http://edge-b.example:5202/"] }, Origin);

        var variants = Variants(PlaybackEndpoints.Manifest(Ready, pathways));

        Assert.Equal(
            [
                "http://edge-a.example:5201/titles/abcdefgh2345/v7/720p/index.m3u8",
                "http://edge-a.example:5201/titles/abcdefgh2345/v7/360p/index.m3u8",
                "http://edge-b.example:5202/titles/abcdefgh2345/v7/720p/index.m3u8",
                "http://edge-b.example:5202/titles/abcdefgh2345/v7/360p/index.m3u8",
            ],
            variants.Select(v => v.Uri));
        Assert.All(variants, v => Assert.True(Uri.IsWellFormedUriString(v.Uri, UriKind.Absolute), v.Uri));
    }

    [Fact]
    public void Manifest_TwoEdges_TagsEachVariantWithItsEdgesPathway()
    {
        var pathways = PlaybackEndpoints.Pathways(new PlaybackOptions { Edges = ["http://edge-a.example:5201", "http://edge-b.example:5202"] }, Origin);

        var variants = Variants(PlaybackEndpoints.Manifest(Ready, pathways));

        Assert.Equal(4, variants.Count);
        Assert.All(variants, v =>
        {
            var pathway = v.Uri.StartsWith("http://edge-a.example:5201/", StringComparison.Ordinal) ? "edge-1" : "edge-2";
            Assert.EndsWith($",PATHWAY-ID=\"{pathway}\"", v.StreamInf, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Manifest_Rendition_CarriesItsBandwidthResolutionAndCodecs()
    {
        var variants = Variants(PlaybackEndpoints.Manifest(Ready, [("origin", Origin)]));

        var hd = Assert.Single(variants, v => v.Uri.EndsWith("/720p/index.m3u8", StringComparison.Ordinal));
        Assert.Contains("BANDWIDTH=3400000,AVERAGE-BANDWIDTH=2900000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\"", hd.StreamInf, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifest_NoEdges_PointsEveryVariantAtTheOrigin()
    {
        var pathways = PlaybackEndpoints.Pathways(new PlaybackOptions(), Origin);

        var variants = Variants(PlaybackEndpoints.Manifest(Ready, pathways));

        Assert.Equal(
            [
                $"{Origin}/titles/abcdefgh2345/v7/720p/index.m3u8",
                $"{Origin}/titles/abcdefgh2345/v7/360p/index.m3u8",
            ],
            variants.Select(v => v.Uri));
        Assert.All(variants, v => Assert.EndsWith(",PATHWAY-ID=\"origin\"", v.StreamInf, StringComparison.Ordinal));
    }
}
