using Vod.Common.Catalog;
using Vod.Origin.Edges;
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

    private static string Manifest(Title title, IReadOnlyList<(string Id, string BaseUrl)> pathways, string signedPrefix = "") =>
        PlaybackEndpoints.Manifest(title, PlaybackEndpoints.VersionBases(title, pathways, signedPrefix), Origin);

    private static EdgeStatus Edge(string id, string url, bool routable = true) =>
        new(id, url, routable, routable ? "up" : "down", routable ? null : "probe failed", DateTimeOffset.UnixEpoch, null, null, 0);

    [Fact]
    public void Pathways_RoutableEdges_UseEdgeIdsAndUrlsWithoutTrailingSlash()
    {
        var pathways = PlaybackEndpoints.Pathways(Ready.Id, [Edge("edge-a", "http://edge-a.example:5201/"), Edge("edge-b", "https://edge-b.example")], Origin);

        Assert.Equal(2, pathways.Count);
        Assert.Contains(("edge-a", "http://edge-a.example:5201"), pathways);
        Assert.Contains(("edge-b", "https://edge-b.example"), pathways);
    }

    [Fact]
    public void Pathways_UnroutableEdge_IsListedLastSoALaterSessionCanStillMoveToIt()
    {
        var pathways = PlaybackEndpoints.Pathways(Ready.Id, [Edge("edge-a", "http://a", routable: false), Edge("edge-b", "http://b")], Origin);

        Assert.Equal([("edge-b", "http://b"), ("edge-a", "http://a")], pathways);
        Assert.Contains("#EXT-X-CONTENT-STEERING:SERVER-URI=\"http://origin.example:5100/steering/abcdefgh2345\",PATHWAY-ID=\"edge-b\"\n", Manifest(Ready, pathways), StringComparison.Ordinal);
    }

    [Fact]
    public void Pathways_NoRoutableEdge_ListsEveryKnownEdgeRatherThanNone()
    {
        var pathways = PlaybackEndpoints.Pathways(Ready.Id, [Edge("edge-a", "http://a", routable: false)], Origin);

        Assert.Equal([("edge-a", "http://a")], pathways);
    }

    [Fact]
    public void Manifest_TwoEdges_ListsEachRenditionOncePerEdgeTopRungFirstWithSteering()
    {
        var manifest = Manifest(Ready, [("edge-a", "http://a:5201"), ("edge-b", "http://b:5202")]);
        var variants = Variants(manifest);

        Assert.Equal(
            [
                "http://a:5201/titles/abcdefgh2345/v7/720p/index.m3u8",
                "http://a:5201/titles/abcdefgh2345/v7/360p/index.m3u8",
                "http://b:5202/titles/abcdefgh2345/v7/720p/index.m3u8",
                "http://b:5202/titles/abcdefgh2345/v7/360p/index.m3u8",
            ],
            variants.Select(v => v.Uri));
        Assert.Equal(2, variants.Count(v => v.StreamInf.EndsWith(",PATHWAY-ID=\"edge-a\"", StringComparison.Ordinal)));
        Assert.Contains("#EXT-X-CONTENT-STEERING:SERVER-URI=\"http://origin.example:5100/steering/abcdefgh2345\",PATHWAY-ID=\"edge-a\"\n", manifest, StringComparison.Ordinal);
        Assert.Contains("BANDWIDTH=3400000,AVERAGE-BANDWIDTH=2900000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\",FRAME-RATE=25.000", variants[0].StreamInf, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifest_NoEdges_PointsEveryVariantAtTheOrigin()
    {
        var pathways = PlaybackEndpoints.Pathways(Ready.Id, [], Origin);

        var variants = Variants(Manifest(Ready, pathways));

        Assert.Equal(
            [
                $"{Origin}/titles/abcdefgh2345/v7/720p/index.m3u8",
                $"{Origin}/titles/abcdefgh2345/v7/360p/index.m3u8",
            ],
            variants.Select(v => v.Uri));
        Assert.All(variants, v => Assert.EndsWith(",PATHWAY-ID=\"origin\"", v.StreamInf, StringComparison.Ordinal));
    }

    [Fact]
    public void Manifest_Signed_PutsTheTokenPrefixBeforeTitlesInEveryVariant()
    {
        var variants = Variants(Manifest(Ready, [("edge-a", "http://a:5201"), ("edge-b", "http://b:5202")], "/t/tok.en"));

        Assert.Equal(4, variants.Count);
        Assert.All(variants, v => Assert.Matches(@"^http://[ab]:520[12]/t/tok\.en/titles/abcdefgh2345/v7/(360p|720p)/index\.m3u8$", v.Uri));
    }
}
