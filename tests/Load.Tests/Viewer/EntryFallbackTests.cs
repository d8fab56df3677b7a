using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vod.Load.Reporting;
using Vod.Load.Scenarios;
using Vod.Load.Tests.Infrastructure;
using Vod.Load.Viewer;

namespace Vod.Load.Tests.Viewer;

/// <summary>
/// <c>--origin a,b</c> against real Kestrel servers on loopback: a dead or failing entry moves the master, the steering
/// request and the tool's own calls to the next entry.
/// </summary>
public sealed class EntryFallbackTests
{
    private const string MasterPath = "/play/t1/master.m3u8";
    private static readonly byte[] Media = Enumerable.Range(0, 2100).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task PlayAsync_FirstEntryRefusesConnections_PlaysWithTheMasterFromTheSecond()
    {
        await using var live = await LoopbackServer.StartAsync(app => ServeTitle(app, Master(("edge-a", "")), Steering("edge-a")));
        var dead = LoopbackServer.ClosedUrl();

        var (outcome, failure, snapshot) = await PlayAsync([dead, live.Url]);

        Assert.Null(failure);
        Assert.Equal(SessionOutcome.Finished, outcome);
        Assert.Equal(1, live.Count("GET " + MasterPath));
        Assert.Equal(1, live.Count("GET /steering/t1"));
        Assert.Equal(2, snapshot.Errors["socket ConnectionRefused"]); // the first entry: one try and one retry
        Assert.True(snapshot.RequestsByPathway["edge-a"] >= 3, string.Join(", ", snapshot.RequestsByPathway)); // playlist, init, segments
        Assert.Equal(4, snapshot.RequestsByPathway["origin"]); // both failed master attempts, the master and steering
    }

    [Fact]
    public async Task PlayAsync_SteeringFailsOnTheMastersEntry_AsksTheNextEntryAndFollowsIt()
    {
        // B's steering puts edge-b (B itself) first; A, which serves the master listing edge-a (A) first, answers 503.
        await using var b = await LoopbackServer.StartAsync(app => ServeTitle(app, Master(("edge-b", "")), Steering("edge-b", "edge-a")));
        await using var a = await LoopbackServer.StartAsync(app => ServeTitle(app, Master(("edge-a", ""), ("edge-b", b.Url.ToString().TrimEnd('/'))), steering: null));

        var (outcome, failure, snapshot) = await PlayAsync([a.Url, b.Url]);

        Assert.Null(failure);
        Assert.Equal(SessionOutcome.Finished, outcome);
        Assert.Equal(1, a.Count("GET " + MasterPath));
        Assert.Equal(0, b.Count("GET " + MasterPath));
        Assert.Equal(2, a.Count("GET /steering/t1")); // one try and one retry
        Assert.Equal(1, b.Count("GET /steering/t1"));
        Assert.Equal(2, snapshot.Errors["http 503"]);
        Assert.True(snapshot.RequestsByPathway.ContainsKey("edge-b"), "the steering answer from the second entry was not followed");
        Assert.False(snapshot.RequestsByPathway.ContainsKey("edge-a"));
    }

    [Fact]
    public async Task PlayAsync_EveryEntryDown_FailsNamingEachEntry()
    {
        var first = LoopbackServer.ClosedUrl();
        var second = LoopbackServer.ClosedUrl();

        var (outcome, failure, _) = await PlayAsync([first, second]);

        Assert.Equal(SessionOutcome.Failed, outcome);
        Assert.Contains($"{first.Authority}: socket ConnectionRefused", failure, StringComparison.Ordinal);
        Assert.Contains($"{second.Authority}: socket ConnectionRefused", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStringAsync_FirstEntry503_AnswersFromTheSecond()
    {
        await using var failing = await LoopbackServer.StartAsync(app => app.MapGet("/api/titles", () => Results.StatusCode(503)));
        await using var healthy = await LoopbackServer.StartAsync(app => app.MapGet("/api/titles", () => Results.Text("[]", "application/json")));
        using var http = new HttpClient();
        var origins = new OriginEntries(http, [failing.Url, healthy.Url]);

        var (text, uri) = await origins.GetStringAsync("/api/titles", CancellationToken.None);

        Assert.Equal("[]", text);
        Assert.Equal(new Uri(healthy.Url, "/api/titles"), uri);
        Assert.Equal(1, failing.Count("GET /api/titles"));
    }

    [Fact]
    public async Task GetStringAsync_NotFoundOnTheFirstEntry_IsTheAnswerNotAnOutage()
    {
        await using var first = await LoopbackServer.StartAsync(_ => { });
        await using var second = await LoopbackServer.StartAsync(app => app.MapGet("/api/titles", () => "[]"));
        using var http = new HttpClient();
        var origins = new OriginEntries(http, [first.Url, second.Url]);

        await Assert.ThrowsAsync<HttpRequestException>(() => origins.GetStringAsync("/api/titles", CancellationToken.None));
        Assert.Equal(0, second.Count("GET /api/titles"));
    }

    [Fact]
    public async Task GetStringAsync_EveryEntryDown_ThrowsNamingEachEntry()
    {
        var first = LoopbackServer.ClosedUrl();
        var second = LoopbackServer.ClosedUrl();
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => new OriginEntries(http, [first, second]).GetStringAsync("/api/edges", CancellationToken.None));

        Assert.Contains(first.Authority, e.Message, StringComparison.Ordinal);
        Assert.Contains(second.Authority, e.Message, StringComparison.Ordinal);
    }

    private static async Task<(SessionOutcome Outcome, string? Failure, RunSnapshot Snapshot)> PlayAsync(IReadOnlyList<Uri> entries)
    {
        var recorder = new RunRecorder(TimeProvider.System, TimeSpan.FromSeconds(30));
        using var http = HlsLoader.CreateClient();
        var viewer = new VirtualViewer(new HlsLoader(http, recorder, TimeProvider.System), recorder, TimeProvider.System,
            new ViewerSettings(StartSegments: 1));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (outcome, _, failure) = await viewer.PlayAsync(entries.Select(e => new Uri(e, MasterPath)).ToList(), timeout.Token);
        return (outcome, failure, recorder.Snapshot());
    }

    /// <summary>A master with one 240p variant per pathway; "" as the base is the master's own server (a relative URI).</summary>
    private static string Master(params (string Pathway, string Base)[] pathways) =>
        "#EXTM3U\n#EXT-X-VERSION:7\n" +
        $"#EXT-X-CONTENT-STEERING:SERVER-URI=\"/steering/t1\",PATHWAY-ID=\"{pathways[0].Pathway}\"\n" +
        string.Concat(pathways.Select(p =>
            $"#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240,PATHWAY-ID=\"{p.Pathway}\"\n{p.Base}/titles/t1/v1/240p/index.m3u8\n"));

    private static string Steering(params string[] priority) =>
        $"{{\"VERSION\":1,\"TTL\":300,\"PATHWAY-PRIORITY\":[{string.Join(",", priority.Select(p => $"\"{p}\""))}]}}";

    /// <summary>The master, the steering answer (null: 503) and a rendition of two 0.5 s byte-range segments.</summary>
    private static void ServeTitle(WebApplication app, string master, string? steering)
    {
        app.MapGet(MasterPath, () => Results.Text(master, "application/vnd.apple.mpegurl"));
        app.MapGet("/steering/t1", () => steering is null ? Results.StatusCode(503) : Results.Text(steering, "application/json"));
        app.MapGet("/titles/t1/v1/240p/index.m3u8", () => Results.Text(
            "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MAP:URI=\"media.mp4\",BYTERANGE=\"100@0\"\n" +
            "#EXTINF:0.5,\n#EXT-X-BYTERANGE:1000@100\nmedia.mp4\n#EXTINF:0.5,\n#EXT-X-BYTERANGE:1000@1100\nmedia.mp4\n#EXT-X-ENDLIST\n",
            "application/vnd.apple.mpegurl"));
        app.MapGet("/titles/t1/v1/240p/media.mp4", () => Results.Bytes(Media, "video/mp4", enableRangeProcessing: true));
    }
}
