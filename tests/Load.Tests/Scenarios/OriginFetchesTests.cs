using Vod.Load.Scenarios;
using Vod.Load.Viewer;

namespace Vod.Load.Tests.Scenarios;

public sealed class OriginFetchesTests
{
    [Fact]
    public void Requested_RangesAcrossSlices_CountsDistinctObjectsAndSlices()
    {
        var fetches = new OriginFetches(sliceBytes: 1000);
        var media = new Uri("http://127.0.0.1:5201/titles/t/v/720p/media.mp4");

        fetches.Requested(media, new ByteRange(0, 100)); // slice 0
        fetches.Requested(new Uri("http://127.0.0.1:5202/titles/t/v/720p/media.mp4"), new ByteRange(900, 1200)); // slices 0-2, other edge
        fetches.Requested(new Uri("http://127.0.0.1:5201/titles/t/v/720p/index.m3u8"), ByteRange.Whole);

        Assert.Equal(2, fetches.DistinctObjects);
        Assert.Equal(4, fetches.DistinctSlices);
    }

    [Fact]
    public void Parse_PrometheusText_SumsOkFetchesByKind()
    {
        const string metrics = """
            # HELP vod_edge_origin_fetches_total Requests this edge made to the origin.
            # TYPE vod_edge_origin_fetches_total counter
            vod_edge_origin_fetches_total{kind="meta",outcome="ok"} 12
            vod_edge_origin_fetches_total{kind="slice",outcome="ok"} 40
            vod_edge_origin_fetches_total{kind="slice",outcome="error"} 3
            vod_edge_origin_bytes_total 123
            """;

        var parsed = OriginFetches.Parse(metrics).ToList();

        Assert.Equal([("meta", 12.0), ("slice", 40.0)], parsed);
    }
}
