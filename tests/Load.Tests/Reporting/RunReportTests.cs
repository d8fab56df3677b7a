using System.Text.Json;
using HdrHistogram;
using Microsoft.Extensions.Time.Testing;
using Vod.Load.Reporting;

namespace Vod.Load.Tests.Reporting;

public sealed class RunReportTests
{
    private static SessionResult Session(double startupMs, int rebuffers = 0, double stalled = 0, double watched = 30, int switches = 0, double bps = 3_000_000) =>
        new(TimeSpan.FromMilliseconds(startupMs), rebuffers, TimeSpan.FromSeconds(stalled), TimeSpan.FromSeconds(watched), switches, bps * watched, watched);

    [Fact]
    public void From_RecordedSessions_ComputesPercentilesRatioAndBitrate()
    {
        var time = new FakeTimeProvider();
        var recorder = new RunRecorder(time, TimeSpan.FromSeconds(10));
        for (var i = 1; i <= 100; i++)
        {
            recorder.SessionStarted();
            recorder.SessionEnded(SessionOutcome.Finished, Session(i * 10)); // 10 ms .. 1000 ms
        }

        recorder.SessionStarted();
        time.Advance(TimeSpan.FromSeconds(4));
        recorder.SessionEnded(SessionOutcome.Failed, new SessionResult(null, 2, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(0), 1, 0, 0), "edge gone");
        time.Advance(TimeSpan.FromSeconds(6));

        var report = RunReport.From("steady", 101, recorder.Snapshot());

        Assert.Equal(new SessionCounts(101, 100, 1, 0), report.Sessions);
        Assert.Equal(100, report.Startup.Count); // the failed session never started playing
        Assert.InRange(report.Startup.P50Ms, 499, 501);
        Assert.InRange(report.Startup.P95Ms, 949, 951);
        Assert.InRange(report.Startup.P99Ms, 989, 991);
        Assert.Equal(2, report.Rebuffers);
        Assert.Equal(3.0 / 3000, report.RebufferRatio, 9);
        Assert.Equal(3_000_000, report.AverageBitrateBps, 3);
        Assert.Equal(1, report.BitrateSwitches);
        Assert.Equal(["edge gone"], report.FailureReasons);
        Assert.Equal(1, report.Timeline[4].FailedSessions);
        Assert.Equal(1, report.Timeline.Sum(p => p.FailedSessions));
    }

    [Fact]
    public void StalledRatio_NothingWatched_IsZeroOrOne()
    {
        Assert.Equal(0, RunReport.StalledRatio(TimeSpan.Zero, TimeSpan.Zero));
        Assert.Equal(1, RunReport.StalledRatio(TimeSpan.FromSeconds(1), TimeSpan.Zero));
        Assert.Equal(0.25, RunReport.StalledRatio(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void Request_ByKindAndPathway_CountsLatencyBytesErrorsAndTimeline()
    {
        var time = new FakeTimeProvider();
        var recorder = new RunRecorder(time, TimeSpan.FromSeconds(5));
        recorder.Request(RequestKind.Media, "edge-1", TimeSpan.FromMilliseconds(2), 1000, null);
        recorder.Request(RequestKind.Media, "edge-1", TimeSpan.FromMilliseconds(4), 1000, null);
        time.Advance(TimeSpan.FromSeconds(2));
        recorder.Request(RequestKind.Media, "edge-2", TimeSpan.FromMilliseconds(2000), 0, "timeout");
        recorder.Request(RequestKind.Master, "origin", TimeSpan.FromMilliseconds(1), 500, null);
        recorder.RebufferStarted();
        recorder.Mark("kill", "edge-2 (pid 1)");

        var report = RunReport.From("chaos", 1, recorder.Snapshot());

        Assert.Equal(3, report.Latency["media"].Count);
        Assert.InRange(report.Latency["media"].P50Ms, 3.9, 4.1);
        Assert.InRange(report.Latency["media"].MaxMs, 1999, 2002);
        Assert.Equal(1, report.Latency["master"].Count);
        Assert.False(report.Latency.ContainsKey("steering")); // no request of that kind: not reported
        Assert.Equal(new Dictionary<string, long> { ["edge-1"] = 2, ["edge-2"] = 1, ["origin"] = 1 }, report.RequestsByPathway);
        Assert.Equal(new Dictionary<string, long> { ["timeout"] = 1 }, report.Errors);
        Assert.Equal(2500, report.Bytes);
        Assert.Equal(2, report.Timeline[0].Requests);
        Assert.Equal(2, report.Timeline[2].Requests);
        Assert.Equal(1, report.Timeline[2].Errors);
        Assert.Equal(1, report.Timeline[2].Rebuffers);
        Assert.Equal(0, report.Timeline[2].FailedSessions);
        Assert.Equal(2.0, Assert.Single(report.Events).AtSeconds, 3);
    }

    [Fact]
    public void Check_FailedSessionsAndThresholds_ListsEveryBrokenCriterion()
    {
        var time = new FakeTimeProvider();
        var recorder = new RunRecorder(time, TimeSpan.FromSeconds(5));
        recorder.SessionStarted();
        recorder.SessionEnded(SessionOutcome.Finished, Session(1500, rebuffers: 1, stalled: 3, watched: 30));
        recorder.SessionStarted();
        recorder.SessionEnded(SessionOutcome.Failed, new SessionResult(null, 0, TimeSpan.Zero, TimeSpan.Zero, 0, 0, 0));
        var report = RunReport.From("steady", 2, recorder.Snapshot());

        Assert.Single(RunReport.Check(report, new Thresholds()));
        Assert.Empty(RunReport.Check(report, new Thresholds(MaxFailed: 1)));
        Assert.Equal(3, RunReport.Check(report, new Thresholds(MaxFailed: 0, MaxRebufferRatio: 0.05, MaxStartupP95Ms: 1000)).Count);
        Assert.Empty(RunReport.Check(report, new Thresholds(MaxFailed: 1, MaxRebufferRatio: 0.2, MaxStartupP95Ms: 2000)));
    }

    [Fact]
    public void Check_Throughput_BoundsFailedRequestsNotSessions()
    {
        var recorder = new RunRecorder(new FakeTimeProvider(), TimeSpan.FromSeconds(1));
        recorder.Request(RequestKind.Media, "127.0.0.1:5201", TimeSpan.FromMilliseconds(1), 65536, null);
        recorder.Request(RequestKind.Media, "127.0.0.1:5201", TimeSpan.FromMilliseconds(1), 0, "http 502");
        var report = RunReport.From("throughput", 32, recorder.Snapshot());

        Assert.Equal(["1 failed requests (max 0)"], RunReport.Check(report, new Thresholds()));
        Assert.Empty(RunReport.Check(report, new Thresholds(MaxFailed: 1)));
    }

    [Fact]
    public void Check_NoSessionAtAll_Fails()
    {
        var report = RunReport.From("steady", 1, new RunRecorder(new FakeTimeProvider(), TimeSpan.FromSeconds(1)).Snapshot());

        Assert.Contains("no session started", RunReport.Check(report, new Thresholds()));
    }

    [Fact]
    public void Buckets_Values_SpreadOverEqualWidthsUpToMax()
    {
        var histogram = new LongHistogram(3_600_000, 3);
        foreach (var v in new long[] { 10, 20, 30, 100 })
        {
            histogram.RecordValue(v);
        }

        var buckets = RunReport.Buckets(histogram, 10);

        Assert.Equal(10, buckets.Count);
        Assert.Equal(4, buckets.Sum(b => b.Count));
        Assert.Equal(1, buckets[1].Count); // 10..20
        Assert.Equal(1, buckets[^1].Count); // the maximum lands in the last bucket
    }

    [Fact]
    public void JsonReport_Run_HasTheFieldsScriptsReadAndHtmlIsSelfContained()
    {
        var time = new FakeTimeProvider();
        var recorder = new RunRecorder(time, TimeSpan.FromSeconds(5));
        recorder.SessionStarted();
        recorder.SessionEnded(SessionOutcome.Finished, Session(120));
        recorder.Request(RequestKind.Media, "edge-1", TimeSpan.FromMilliseconds(3), 100, null);
        recorder.Request(RequestKind.Playlist, "edge-1", TimeSpan.FromMilliseconds(1), 100, "http 502");
        recorder.Mark("kill", "edge-1");
        time.Advance(TimeSpan.FromSeconds(3));
        var report = RunReport.From("steady", 1, recorder.Snapshot()) with { Failures = ["x"] };

        var json = JsonDocument.Parse(JsonReport.Write(report)).RootElement;

        Assert.Equal(1, json.GetProperty("sessions").GetProperty("started").GetInt64());
        Assert.Equal(0, json.GetProperty("sessions").GetProperty("failed").GetInt64());
        Assert.Equal(0, json.GetProperty("rebuffer").GetProperty("count").GetInt64());
        Assert.Equal(0, json.GetProperty("rebuffer").GetProperty("ratio").GetDouble());
        Assert.InRange(json.GetProperty("startup").GetProperty("p50_ms").GetDouble(), 119, 121);
        Assert.True(json.GetProperty("startup").TryGetProperty("p95_ms", out _));
        Assert.True(json.GetProperty("startup").TryGetProperty("p99_ms", out _));
        Assert.InRange(json.GetProperty("latency").GetProperty("media").GetProperty("p99_ms").GetDouble(), 2.9, 3.1);
        Assert.True(json.GetProperty("latency").GetProperty("playlist").TryGetProperty("p50_ms", out _));
        Assert.Equal(1, json.GetProperty("errors").GetProperty("http 502").GetInt64());
        Assert.Equal(2, json.GetProperty("requests").GetProperty("by_pathway").GetProperty("edge-1").GetInt64());
        Assert.False(json.GetProperty("passed").GetBoolean());
        Assert.Equal("kill", json.GetProperty("events")[0].GetProperty("kind").GetString());

        var html = HtmlReport.Write(report);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("Startup time distribution", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http 502", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void JsonReport_ChaosAndUploads_WritesKillsByKindAndUploadCounts()
    {
        var time = new FakeTimeProvider();
        var recorder = new RunRecorder(time, TimeSpan.FromSeconds(90));
        recorder.Mark("kill", "origin-1 (pid 1234)", "origin-1");
        var report = RunReport.From("chaos", 10, recorder.Snapshot()) with
        {
            Chaos = new ChaosFigures("KILL", 15, 5, 7, ["origin", "redis", "edge"], new Dictionary<string, int> { ["origin"] = 2, ["redis"] = 2, ["edge"] = 0 }),
            Uploads = new UploadFigures(3, 3, 2, 1, [40, 20]),
        };

        var json = JsonDocument.Parse(JsonReport.Write(report)).RootElement;

        var chaos = json.GetProperty("chaos");
        Assert.Equal("KILL", chaos.GetProperty("signal").GetString());
        Assert.Equal(4, chaos.GetProperty("hits").GetInt32());
        Assert.Equal(15, chaos.GetProperty("every_s").GetDouble());
        Assert.Equal(["origin", "redis", "edge"], chaos.GetProperty("targets").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal([("origin", 2), ("redis", 2), ("edge", 0)],
            chaos.GetProperty("kills_by_kind").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
        var uploads = json.GetProperty("uploads");
        Assert.Equal(3, uploads.GetProperty("started").GetInt32());
        Assert.Equal(2, uploads.GetProperty("ready").GetInt32());
        Assert.Equal(1, uploads.GetProperty("failed").GetInt32());
        Assert.Equal(30, uploads.GetProperty("seconds_to_ready").GetProperty("p50").GetDouble());
        Assert.Equal(40, uploads.GetProperty("seconds_to_ready").GetProperty("max").GetDouble());
        var kill = json.GetProperty("events")[0];
        Assert.Equal("origin-1", kill.GetProperty("target").GetString());
        Assert.Equal("origin-1 (pid 1234)", kill.GetProperty("text").GetString());
    }

    [Fact]
    public void JsonReport_NoChaosNoUploads_LeavesTheirObjectsOut()
    {
        var json = JsonDocument.Parse(JsonReport.Write(RunReport.From("steady", 1, new RunRecorder(new FakeTimeProvider(), TimeSpan.FromSeconds(1)).Snapshot()))).RootElement;

        Assert.False(json.TryGetProperty("chaos", out _));
        Assert.False(json.TryGetProperty("uploads", out _));
    }

    [Theory]
    [InlineData(2, 2, 0, 0)]
    [InlineData(2, 1, 1, 1)]
    [InlineData(2, 1, 0, 1)] // one never started (the run was cut short) or still transcoding
    public void Check_Uploads_PassOnlyWhenEveryUploadIsReady(int requested, int ready, int failed, int expectedFailures)
    {
        var recorder = new RunRecorder(new FakeTimeProvider(), TimeSpan.FromSeconds(5));
        recorder.SessionStarted();
        recorder.SessionEnded(SessionOutcome.Finished, Session(100));
        var report = RunReport.From("steady", 1, recorder.Snapshot()) with { Uploads = new UploadFigures(requested, requested, ready, failed, []) };

        var failures = RunReport.Check(report, new Thresholds());

        Assert.Equal(expectedFailures, failures.Count);
        Assert.All(failures, f => Assert.StartsWith("uploads:", f, StringComparison.Ordinal));
    }

    [Fact]
    public void HtmlReport_KillEvents_LabelTheProcessOnTheTimelineAndCountKinds()
    {
        var time = new FakeTimeProvider();
        var recorder = new RunRecorder(time, TimeSpan.FromSeconds(10));
        recorder.Request(RequestKind.Media, "edge-1", TimeSpan.FromMilliseconds(2), 100, null);
        time.Advance(TimeSpan.FromSeconds(3));
        recorder.Mark("kill", "redis-1 (pid 42, primary)", "redis-1");
        time.Advance(TimeSpan.FromSeconds(3));
        var report = RunReport.From("chaos", 1, recorder.Snapshot()) with
        {
            Chaos = new ChaosFigures("KILL", 3, 5, 1, ["redis"], new Dictionary<string, int> { ["redis"] = 1 }),
            Uploads = new UploadFigures(1, 1, 1, 0, [12.5]),
        };

        var html = HtmlReport.Write(report);

        Assert.Contains(">kill redis-1</text>", html, StringComparison.Ordinal);
        Assert.Contains("kills by kind: redis 1", html, StringComparison.Ordinal);
        Assert.Contains("1 started, 1 ready, 0 failed of 1", html, StringComparison.Ordinal);
    }
}
