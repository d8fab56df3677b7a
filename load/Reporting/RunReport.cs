using HdrHistogram;

namespace Vod.Load.Reporting;

internal sealed record Percentiles(long Count, double P50Ms, double P90Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static readonly Percentiles Empty = new(0, 0, 0, 0, 0, 0);

    /// <param name="unitsPerMs">1 when the histogram holds milliseconds, 1000 when it holds microseconds.</param>
    public static Percentiles From(LongHistogram histogram, double unitsPerMs) => histogram.TotalCount == 0
        ? Empty
        : new Percentiles(histogram.TotalCount,
            histogram.GetValueAtPercentile(50) / unitsPerMs,
            histogram.GetValueAtPercentile(90) / unitsPerMs,
            histogram.GetValueAtPercentile(95) / unitsPerMs,
            histogram.GetValueAtPercentile(99) / unitsPerMs,
            histogram.GetMaxValue() / unitsPerMs);
}

/// <summary>Pass criteria; null means "not checked".</summary>
internal sealed record Thresholds(long MaxFailed = 0, double? MaxRebufferRatio = null, double? MaxStartupP95Ms = null, double? MaxOriginFetchesPerSlice = null);

/// <summary>The figures of a run, computed from a <see cref="RunSnapshot"/> (pure: what the JSON, HTML and console show).</summary>
internal sealed record RunReport(
    string Scenario,
    int Viewers,
    double DurationSeconds,
    SessionCounts Sessions,
    Percentiles Startup,
    long Rebuffers,
    double RebufferRatio,
    double StalledSeconds,
    double WatchedSeconds,
    long BitrateSwitches,
    double AverageBitrateBps,
    IReadOnlyDictionary<string, Percentiles> Latency,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> RequestsByPathway,
    long Requests,
    long Bytes,
    double RequestsPerSecond,
    double MegabytesPerSecond,
    IReadOnlyList<TimelinePoint> Timeline,
    IReadOnlyList<TimelineEvent> Events,
    IReadOnlyList<string> FailureReasons,
    IReadOnlyList<HistogramBucket> StartupDistribution)
{
    /// <summary>The chaos monkey's hits; null in other scenarios.</summary>
    public ChaosFigures? Chaos { get; init; }

    /// <summary>The clips uploaded during the run (<c>--uploads</c>); null when none were asked for.</summary>
    public UploadFigures? Uploads { get; init; }

    /// <summary>Scenario-specific figures (flash-crowd origin fetches, throughput), written as they are.</summary>
    public IReadOnlyDictionary<string, object> Extra { get; init; } = new Dictionary<string, object>();

    /// <summary>Thresholds that failed, in words; empty when the run passes.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    public bool Passed => Failures.Count == 0;

    public static RunReport From(string scenario, int viewers, RunSnapshot s)
    {
        var seconds = Math.Max(s.Elapsed.TotalSeconds, 1e-3);
        return new RunReport(
            scenario, viewers, Math.Round(s.Elapsed.TotalSeconds, 3), s.Sessions,
            Percentiles.From(s.Startup, 1),
            s.Rebuffers,
            StalledRatio(s.Stalled, s.Watched),
            s.Stalled.TotalSeconds, s.Watched.TotalSeconds,
            s.BitrateSwitches,
            s.MediaSeconds > 0 ? s.BitSeconds / s.MediaSeconds : 0,
            s.Latency.Where(kv => kv.Value.TotalCount > 0)
                .ToDictionary(kv => kv.Key.ToString().ToLowerInvariant(), kv => Percentiles.From(kv.Value, 1000), StringComparer.Ordinal),
            s.Errors, s.RequestsByPathway, s.Requests, s.Bytes,
            s.Requests / seconds, s.Bytes / seconds / 1e6,
            s.Timeline, s.Events, s.FailureReasons,
            Buckets(s.Startup, 20));
    }

    /// <summary>Stalled time over watched time; 0 when nothing was watched and nothing stalled, 1 when only stalled.</summary>
    public static double StalledRatio(TimeSpan stalled, TimeSpan watched) =>
        watched > TimeSpan.Zero ? stalled / watched : stalled > TimeSpan.Zero ? 1 : 0;

    /// <summary>The thresholds this report breaks, in words.</summary>
    public static IReadOnlyList<string> Check(RunReport report, Thresholds thresholds)
    {
        var failures = new List<string>();
        if (report.Scenario == "throughput")
        {
            // No sessions here: --max-failed bounds failed requests.
            var errors = report.Errors.Values.Sum();
            if (report.Requests == 0)
            {
                failures.Add("no request completed");
            }

            if (errors > thresholds.MaxFailed)
            {
                failures.Add($"{errors} failed requests (max {thresholds.MaxFailed})");
            }

            return failures;
        }

        if (report.Sessions.Failed > thresholds.MaxFailed)
        {
            failures.Add($"{report.Sessions.Failed} failed sessions (max {thresholds.MaxFailed})");
        }

        if (report.Sessions.Started == 0)
        {
            failures.Add("no session started");
        }

        if (thresholds.MaxRebufferRatio is { } ratio && report.RebufferRatio > ratio)
        {
            failures.Add($"rebuffer ratio {report.RebufferRatio:0.####} (max {ratio})");
        }

        if (thresholds.MaxStartupP95Ms is { } p95 && (report.Startup.Count == 0 || report.Startup.P95Ms > p95))
        {
            failures.Add($"startup p95 {report.Startup.P95Ms:0} ms (max {p95:0} ms)");
        }

        if (report.Uploads is { } u && (u.Failed > 0 || u.Ready != u.Requested))
        {
            failures.Add($"uploads: {u.Ready} of {u.Requested} ready, {u.Failed} failed");
        }

        return failures;
    }

    /// <summary>The histogram's values in <paramref name="count"/> equal-width buckets from 0 to its maximum (the chart).</summary>
    public static IReadOnlyList<HistogramBucket> Buckets(LongHistogram histogram, int count)
    {
        if (histogram.TotalCount == 0)
        {
            return [];
        }

        var max = Math.Max(1, histogram.GetMaxValue());
        var width = Math.Max(1, (long)Math.Ceiling(max / (double)count));
        var counts = new long[count];
        foreach (var v in histogram.RecordedValues())
        {
            counts[Math.Min(count - 1, (int)(v.ValueIteratedTo / width))] += v.CountAtValueIteratedTo;
        }

        return counts.Select((c, i) => new HistogramBucket(i * width, (i + 1) * width, c)).ToList();
    }
}

internal sealed record HistogramBucket(long From, long To, long Count);
