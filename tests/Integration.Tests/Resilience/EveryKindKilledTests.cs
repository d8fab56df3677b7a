using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Resilience;

/// <summary>
/// No single point of failure, proved with SIGKILL on the stack as run.sh shapes it (two origins, two transcoders, two
/// edges, Redis primary + replica + three Sentinels): while virtual viewers play and an upload is being transcoded, one
/// process of every kind is killed in turn and not restarted. Nobody may notice.
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class EveryKindKilledTests(ResilientStackFixture fixture) : IClassFixture<ResilientStackFixture>
{
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task Chaos_TranscoderOriginRedisPrimaryAndEdgeKilled_NoSessionFailsAndTheUploadIsPublished()
    {
        var watched = await _stack.UploadAndWaitAsync(await Media.ClipAsync(Path.Combine(_stack.Work, "watched.mp4"), 640, 360, 16));
        Assert.Equal(Vod.Common.Catalog.TitleStatus.Ready, watched.Status);
        var inFlight = await Media.ClipAsync(Path.Combine(_stack.Work, "in-flight.mp4"), 640, 360, 12);
        var entries = string.Join(",", _stack.Origins.Select(o => o.BaseUrl));
        var listedBefore = await TitleIdsAsync(_stack.Origins[1]);

        using var load = new LoadRun();
        var viewers = load.RunAsync(TimeSpan.FromSeconds(120), "steady", "--viewers", "6", "--duration", "32s", "--ramp", "3s",
            "--titles", watched.Id, "--origin", entries);

        // An upload, then its transcoder killed mid-job: the other transcoder claims the job once it has been idle.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var uploadId = await UploadAsync(_stack.Origins[1], inFlight);
        var worker = await WorkerOfAsync(uploadId);
        worker.Signal(Signals.Kill);
        await Task.Delay(TimeSpan.FromSeconds(4));

        // The origin that served the viewers' masters first.
        _stack.Origins[0].Signal(Signals.Kill);
        await Task.Delay(TimeSpan.FromSeconds(5));

        // The Redis primary: the Sentinels promote the replica and every service follows.
        var primary = await _stack.Sentinel!.PrimaryAsync();
        primary.Signal(Signals.Kill);
        await _stack.Sentinel.WaitForFailoverAsync(primary.Port);
        await Task.Delay(TimeSpan.FromSeconds(3));

        // The edge the title is steered to (asked of the surviving origin).
        var steering = JsonDocument.Parse(await _stack.Http.GetStringAsync($"{_stack.Origins[1].BaseUrl}/steering/{watched.Id}")).RootElement;
        var preferred = steering.GetProperty("PATHWAY-PRIORITY")[0].GetString();
        var edge = _stack.Edges.Single(e => e.Name == preferred);
        edge.Signal(Signals.Kill);

        var exit = await viewers;
        var report = load.Report;
        var context = $"exit {exit}\n{load.Output}";
        Assert.True(exit == 0, context);
        Assert.Equal(0, report.GetProperty("sessions").GetProperty("failed").GetInt64());
        Assert.Equal(0, report.GetProperty("rebuffer").GetProperty("count").GetInt64());
        Assert.InRange(report.GetProperty("sessions").GetProperty("started").GetInt64(), 6, 1000);

        // Everyone moved: masters came from the surviving origin too, media from the surviving edge after the kill.
        var byPathway = report.GetProperty("requests").GetProperty("by_pathway");
        var survivor = _stack.Edges.Single(e => e != edge).Name;
        Assert.True(byPathway.TryGetProperty(survivor, out _), $"nobody played from {survivor}\n{context}");

        // The upload that lost its transcoder (and saw the origin and Redis primary die) is published.
        var published = await _stack.WaitForFinalAsync(uploadId, TimeSpan.FromSeconds(150));
        Assert.True(published.Status == Vod.Common.Catalog.TitleStatus.Ready, $"upload {uploadId} is {published.Status}: {published.Error}");
        var survivingWorker = _stack.Transcoders.Single(t => t != worker);
        Assert.Contains($"Transcoding title {uploadId}", survivingWorker.Log, StringComparison.Ordinal);

        // Every title listed before is listed after, by the surviving origin.
        var listedAfter = await TitleIdsAsync(_stack.Origins[1]);
        Assert.Superset(listedBefore.Append(uploadId).ToHashSet(), listedAfter.ToHashSet());

        // And the surviving origin's master sends players to the surviving edge, which serves the new title.
        var master = await _stack.Http.GetStringAsync($"{_stack.Origins[1].BaseUrl}/play/{uploadId}/master.m3u8");
        var edgeUrl = _stack.Edges.Single(e => e.Name == survivor).BaseUrl;
        var variant = master.Split('\n').First(l => l.StartsWith(edgeUrl, StringComparison.Ordinal)).Trim();
        using var playlist = await _stack.Http.GetAsync(variant);
        Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
    }

    private async Task<string> UploadAsync(ServiceProcess origin, string file)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StreamContent(File.OpenRead(file)), "file", Path.GetFileName(file));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{origin.BaseUrl}/api/titles") { Content = form };
        request.Headers.Authorization = new("Bearer", StackFixture.AdminKey);
        using var response = await _stack.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TitleDto>(StackFixture.JsonOptions))!.Id;
    }

    /// <summary>The transcoder that started the title's job (its log says so), once one has.</summary>
    private async Task<ServiceProcess> WorkerOfAsync(string titleId)
    {
        ServiceProcess? worker = null;
        await Eventually.TrueAsync(() =>
        {
            worker = _stack.Transcoders.FirstOrDefault(t => t.Log.Contains($"Transcoding title {titleId}", StringComparison.Ordinal));
            return worker is not null;
        }, TimeSpan.FromSeconds(30), $"no transcoder started {titleId}");
        return worker!;
    }

    private async Task<string[]> TitleIdsAsync(ServiceProcess origin)
    {
        var titles = await _stack.ListTitlesAsync(origin);
        return [.. titles!.Select(t => t.Id)];
    }
}
