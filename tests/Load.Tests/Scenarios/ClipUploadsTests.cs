using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vod.Load.Reporting;
using Vod.Load.Scenarios;
using Vod.Load.Tests.Infrastructure;

namespace Vod.Load.Tests.Scenarios;

/// <summary>Uploads against real Kestrel origins on loopback (a small file stands in for an ffmpeg clip).</summary>
public sealed class ClipUploadsTests : IDisposable
{
    private readonly string _clip = Path.Combine(Path.GetTempPath(), $"vod-load-clip-{Guid.NewGuid():N}.mp4");
    private readonly byte[] _bytes = Enumerable.Range(0, 50_000).Select(i => (byte)(i * 7)).ToArray();

    public ClipUploadsTests() => File.WriteAllBytes(_clip, _bytes);

    [Fact]
    public async Task RunAsync_FirstEntryAnswers503_UploadsOnTheNextAndWaitsUntilReady()
    {
        await using var dying = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/api/titles", () => Results.StatusCode(503));
            app.MapGet("/api/titles/{id}", () => Results.StatusCode(503));
        });
        var received = new ConcurrentQueue<(string? Auth, string? Name, byte[] File)>();
        var polls = 0;
        await using var healthy = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/api/titles", async (HttpRequest request) =>
            {
                var form = await request.ReadFormAsync();
                using var file = new MemoryStream();
                await form.Files["file"]!.CopyToAsync(file);
                received.Enqueue((request.Headers.Authorization.ToString(), form["name"].ToString(), file.ToArray()));
                return Results.Accepted("/api/titles/t9", new { id = "t9", status = "queued" });
            });
            app.MapGet("/api/titles/{id}", (string id) =>
                Results.Json(new { id, status = Interlocked.Increment(ref polls) < 3 ? "transcoding" : "ready" }));
        });
        var recorder = new RunRecorder(TimeProvider.System, TimeSpan.FromSeconds(10));

        var figures = await UploadAsync([dying.Url, healthy.Url], recorder);

        Assert.Equal(new UploadFigures(1, 1, 1, 0, figures.SecondsToReady), figures);
        Assert.Single(figures.SecondsToReady);
        Assert.Equal(1, dying.Count("POST /api/titles"));
        var (auth, name, bytes) = Assert.Single(received);
        Assert.Equal("Bearer k3y", auth);
        Assert.Equal("vod-load clip 1/1", name);
        Assert.Equal(_bytes, bytes);
        Assert.Equal(3, healthy.Count("GET /api/titles/t9")); // polled through the dying entry's 503s until ready
        Assert.Equal(["upload-retry", "upload", "upload-ready"], recorder.Snapshot().Events.Select(e => e.Kind));
    }

    [Fact]
    public async Task RunAsync_Refused_FailsWithoutRetrying()
    {
        await using var first = await LoopbackServer.StartAsync(app => app.MapPost("/api/titles", () => Results.StatusCode(401)));
        await using var second = await LoopbackServer.StartAsync(app => app.MapPost("/api/titles", () => Results.StatusCode(500)));
        var recorder = new RunRecorder(TimeProvider.System, TimeSpan.FromSeconds(10));

        var figures = await UploadAsync([first.Url, second.Url], recorder);

        Assert.Equal((1, 0, 1), (figures.Started, figures.Ready, figures.Failed));
        Assert.Equal(0, second.Count("POST /api/titles"));
        Assert.Contains("http 401", Assert.Single(recorder.Snapshot().Events).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EveryEntryFails_GivesUpAfterMaxAttempts()
    {
        await using var first = await LoopbackServer.StartAsync(app => app.MapPost("/api/titles", () => Results.StatusCode(502)));
        var dead = LoopbackServer.ClosedUrl();
        var recorder = new RunRecorder(TimeProvider.System, TimeSpan.FromSeconds(10));

        var figures = await UploadAsync([first.Url, dead], recorder);

        Assert.Equal((1, 0, 1), (figures.Started, figures.Ready, figures.Failed));
        Assert.Equal(2, first.Count("POST /api/titles")); // attempts 1 and 3; attempt 2 went to the dead entry
        var kinds = recorder.Snapshot().Events.Select(e => e.Kind).ToList();
        Assert.Equal(Enumerable.Repeat("upload-retry", ClipUploads.MaxAttempts).Append("upload-failed"), kinds);
    }

    [Fact]
    public async Task RunAsync_TitleNeverReady_FailsAtTheDeadline()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var polls = 0;
        await using var origin = await LoopbackServer.StartAsync(app =>
        {
            // No location header: the id comes from the body alone.
            app.MapPost("/api/titles", () => Results.Json(new { id = "t1" }, statusCode: 202));
            app.MapGet("/api/titles/{id}", (string id) =>
            {
                if (Interlocked.Increment(ref polls) == 3)
                {
                    deadline.Cancel(); // the upload time-out passes while the title is still transcoding
                }

                return Results.Json(new { id, status = "transcoding" });
            });
        });
        var recorder = new RunRecorder(TimeProvider.System, TimeSpan.FromSeconds(10));

        var figures = await UploadAsync([origin.Url], recorder, deadline);

        Assert.Equal((1, 0, 1), (figures.Started, figures.Ready, figures.Failed));
        Assert.Contains("last status: transcoding", recorder.Snapshot().Events[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void FfmpegArguments_TwoClips_DifferInPatternAndTone()
    {
        var first = ClipUploads.FfmpegArguments(0, "a.mp4");
        var second = ClipUploads.FfmpegArguments(1, "b.mp4");

        Assert.Contains("testsrc2=size=640x360:rate=25", first);
        Assert.Contains("sine=frequency=440:sample_rate=48000", first);
        Assert.Contains("sine=frequency=550:sample_rate=48000", second);
        Assert.DoesNotContain("testsrc2=size=640x360:rate=25", second);
        Assert.Equal(["-t", "10"], first.SkipWhile(a => a != "-t").Take(2));
        Assert.Equal("a.mp4", first[^1]);
    }

    private async Task<UploadFigures> UploadAsync(IReadOnlyList<Uri> entries, RunRecorder recorder, CancellationTokenSource? deadline = null)
    {
        using var http = new HttpClient();
        var uploads = new ClipUploads([_clip], new OriginEntries(http, entries), "k3y", recorder, TimeProvider.System)
        {
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await uploads.RunAsync(TimeSpan.Zero, CancellationToken.None, (deadline ?? limit).Token);
        return uploads.Figures;
    }

    public void Dispose() => File.Delete(_clip);
}
