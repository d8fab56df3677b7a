using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vod.Load.Reporting;
using Vod.Load.Scenarios;
using Vod.Load.Tests.Infrastructure;

namespace Vod.Load.Tests.Scenarios;

/// <summary>
/// The flash-crowd scenario's phases against one loopback server that is origin and edge at once: a catalog of two ready
/// titles, a fleet of one edge (itself), a purge, and an edge <c>/metrics</c> whose origin fetches grow by 1 meta and 6
/// slices across the run.
/// </summary>
public sealed class FlashCrowdScenarioTests
{
    [Fact]
    public async Task Summarise_AfterTheRun_ReportsTheNewestTitleItsFetchesAndTheRatioOverItsMaximum()
    {
        var scrapes = 0;
        await using var stack = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/api/titles", () => Results.Text("""
                [{"id":"old","status":"ready","createdAt":"2026-01-01T00:00:00Z"},
                 {"id":"new","status":"ready","createdAt":"2026-02-01T00:00:00Z"},
                 {"id":"wip","status":"transcoding","createdAt":"2026-03-01T00:00:00Z"}]
                """, "application/json"));
            app.MapGet("/api/edges", (HttpContext http) => Results.Json(new[] { new { id = "edge-1", url = $"http://{http.Request.Host}", routable = true } }));
            app.MapPost("/api/titles/{id}/purge", (HttpContext http) =>
                http.Request.Headers.Authorization == "Bearer k3y" ? Results.NoContent() : Results.Unauthorized());
            app.MapGet("/metrics", () => Interlocked.Increment(ref scrapes) == 1 ? Metrics(meta: 2, slice: 10) : Metrics(meta: 3, slice: 16));
            app.MapGet("/play/new/master.m3u8", () => Results.Text(
                "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240\n/titles/new/240p/index.m3u8\n", "application/vnd.apple.mpegurl"));
            app.MapGet("/titles/new/240p/index.m3u8", () => Results.Text(
                "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:0.5,\nsegment.mp4\n#EXT-X-ENDLIST\n", "application/vnd.apple.mpegurl"));
            app.MapGet("/titles/new/240p/segment.mp4", () => Results.Bytes(new byte[2000], "video/mp4"));
        });
        var options = LoadOptions.Parse(["flash-crowd", "--origin", stack.Url.ToString(), "--viewers", "2", "--ramp", "0s",
            "--admin-key", "k3y", "--max-origin-fetch-ratio", "1"]);
        var scenario = ScenarioRegistry.Create(options);
        using var output = new StringWriter();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var context = await ScenarioContext.OpenAsync(scenario, options, PlainConsole.Create(output), TimeProvider.System, limit.Token, limit.Token);

        await scenario.PrepareAsync(context, limit.Token);
        await scenario.RunAsync(context, limit.Token);
        var report = scenario.Summarise(RunReport.From(options.Scenario, scenario.Concurrency, context.Recorder.Snapshot()));

        var figures = Assert.IsType<Dictionary<string, object>>(report.Extra["flash_crowd"]);
        Assert.Equal("new", figures["title"]);
        Assert.Equal(true, figures["purged_first"]);
        Assert.Equal(1, figures["edges"]);
        Assert.Equal(2, figures["distinct_objects"]); // the playlist and the segment; the master comes from the origin
        Assert.Equal(2, figures["distinct_slices"]);
        Assert.Equal(new Dictionary<string, double> { ["meta"] = 1, ["slice"] = 6 }, figures["origin_fetches"]);
        Assert.Equal(3.0, figures["origin_slice_fetches_per_distinct_slice"]);
        Assert.Equal(["3 origin slice fetches per distinct slice (max 1)"], report.Failures);
        Assert.Equal(1, stack.Count("POST /api/titles/new/purge"));
        Assert.Equal(2, stack.Count("GET /play/new/master.m3u8"));
        Assert.Equal(0, stack.Count("GET /play/old/master.m3u8"));
        Assert.Equal(new SessionCounts(2, 2, 0, 0), report.Sessions);
    }

    private static IResult Metrics(int meta, int slice) => Results.Text(string.Create(CultureInfo.InvariantCulture, $$"""
        vod_edge_origin_fetches_total{kind="meta",outcome="ok"} {{meta}}
        vod_edge_origin_fetches_total{kind="slice",outcome="ok"} {{slice}}
        vod_edge_origin_fetches_total{kind="slice",outcome="error"} 5
        """), "text/plain");
}
