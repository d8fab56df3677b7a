using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vod.Load.Tests.Infrastructure;

namespace Vod.Load.Tests.Scenarios;

/// <summary>The throughput scenario through the tool's whole path (prepare, run, summarise, report) against a loopback URL.</summary>
public sealed class ThroughputScenarioTests : IDisposable
{
    private static readonly byte[] Segment = Enumerable.Range(0, 64 * 1024).Select(i => (byte)i).ToArray();
    private readonly string _json = Path.Combine(Path.GetTempPath(), $"vod-load-{Guid.NewGuid():N}.json");

    [Fact]
    public async Task RunAsync_RangeOfALoopbackUrl_ReportsItsTargetAndPasses()
    {
        await using var edge = await LoopbackServer.StartAsync(app =>
            app.MapGet("/segment.mp4", () => Results.Bytes(Segment, "video/mp4", enableRangeProcessing: true)));
        var url = new Uri(edge.Url, "/segment.mp4");
        using var output = new StringWriter();

        var exit = await LoadTool.RunAsync(["throughput", "--url", url.ToString(), "--range-bytes", "1000", "--connections", "2",
            "--duration", "2s", "--json", _json], PlainConsole.Create(output), CancellationToken.None);

        Assert.True(exit == 0, $"exit {exit}\n{output}");
        Assert.Contains("throughput: 2 connections, 2 s against http://127.0.0.1:5100/", output.ToString(), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(_json));
        var report = json.RootElement;
        Assert.Equal("throughput", report.GetProperty("scenario").GetString());
        Assert.Equal(2, report.GetProperty("viewers").GetInt32());
        var target = report.GetProperty("throughput");
        Assert.Equal(url.ToString(), target.GetProperty("url").GetString());
        Assert.Equal(1000, target.GetProperty("range_bytes").GetInt64());
        Assert.Equal(2, target.GetProperty("connections").GetInt32());
        var requests = report.GetProperty("requests").GetProperty("total").GetInt64();
        Assert.True(requests > 0);
        // The warm-up request before the run too, and at most one per connection cut off (unrecorded) by the run's end.
        Assert.InRange(edge.Count("GET /segment.mp4"), requests + 1, requests + 3);
        Assert.Empty(report.GetProperty("errors").EnumerateObject());
    }

    public void Dispose() => File.Delete(_json);
}
