using System.Text;
using System.Text.Json;

namespace Vod.Load.Reporting;

/// <summary>
/// The report for scripts and CI. Field names are a contract (docs/load-testing.md): <c>sessions.started</c>,
/// <c>sessions.failed</c>, <c>rebuffer.count</c>, <c>rebuffer.ratio</c>, <c>startup.p50_ms</c>/<c>p95_ms</c>/<c>p99_ms</c>,
/// <c>latency.&lt;kind&gt;.p50_ms</c>/<c>p99_ms</c>, ...
/// </summary>
internal static class JsonReport
{
    public static string Write(RunReport r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("scenario", r.Scenario);
            w.WriteNumber("viewers", r.Viewers);
            w.WriteNumber("duration_s", r.DurationSeconds);
            w.WriteBoolean("passed", r.Passed);
            w.WriteStartArray("failures");
            foreach (var f in r.Failures)
            {
                w.WriteStringValue(f);
            }

            w.WriteEndArray();
            w.WriteStartObject("sessions");
            w.WriteNumber("started", r.Sessions.Started);
            w.WriteNumber("finished", r.Sessions.Finished);
            w.WriteNumber("failed", r.Sessions.Failed);
            w.WriteNumber("interrupted", r.Sessions.Interrupted);
            w.WriteEndObject();
            w.WritePropertyName("startup");
            WritePercentiles(w, r.Startup);
            w.WriteStartObject("rebuffer");
            w.WriteNumber("count", r.Rebuffers);
            w.WriteNumber("ratio", Math.Round(r.RebufferRatio, 6));
            w.WriteNumber("stalled_s", Math.Round(r.StalledSeconds, 3));
            w.WriteNumber("watched_s", Math.Round(r.WatchedSeconds, 3));
            w.WriteEndObject();
            w.WriteStartObject("bitrate");
            w.WriteNumber("average_bps", Math.Round(r.AverageBitrateBps));
            w.WriteNumber("switches", r.BitrateSwitches);
            w.WriteEndObject();
            w.WriteStartObject("latency");
            foreach (var (kind, p) in r.Latency)
            {
                w.WritePropertyName(kind);
                WritePercentiles(w, p);
            }

            w.WriteEndObject();
            w.WriteStartObject("requests");
            w.WriteNumber("total", r.Requests);
            w.WriteNumber("per_second", Math.Round(r.RequestsPerSecond, 1));
            w.WriteStartObject("by_pathway");
            foreach (var (pathway, n) in r.RequestsByPathway)
            {
                w.WriteNumber(pathway, n);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("errors");
            foreach (var (status, n) in r.Errors)
            {
                w.WriteNumber(status, n);
            }

            w.WriteEndObject();
            w.WriteNumber("bytes", r.Bytes);
            w.WriteNumber("mb_per_second", Math.Round(r.MegabytesPerSecond, 2));
            w.WriteStartArray("failure_reasons");
            foreach (var reason in r.FailureReasons)
            {
                w.WriteStringValue(reason);
            }

            w.WriteEndArray();
            if (r.Chaos is { } chaos)
            {
                WriteChaos(w, chaos);
            }

            if (r.Uploads is { } uploads)
            {
                WriteUploads(w, uploads);
            }

            foreach (var (name, value) in r.Extra)
            {
                w.WritePropertyName(name);
                JsonSerializer.Serialize(w, value, value.GetType());
            }

            w.WriteStartArray("events");
            foreach (var e in r.Events)
            {
                w.WriteStartObject();
                w.WriteNumber("at_s", Math.Round(e.AtSeconds, 3));
                w.WriteString("kind", e.Kind);
                w.WriteString("text", e.Text);
                if (e.Target is { } target)
                {
                    w.WriteString("target", target);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("timeline");
            foreach (var p in r.Timeline)
            {
                w.WriteStartObject();
                w.WriteNumber("s", p.Second);
                w.WriteNumber("requests", p.Requests);
                w.WriteNumber("bytes", p.Bytes);
                w.WriteNumber("errors", p.Errors);
                w.WriteNumber("rebuffers", p.Rebuffers);
                w.WriteNumber("active", p.ActiveSessions);
                w.WriteNumber("failed_sessions", p.FailedSessions);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteChaos(Utf8JsonWriter w, ChaosFigures chaos)
    {
        w.WriteStartObject("chaos");
        w.WriteString("signal", chaos.Signal);
        w.WriteNumber("every_s", chaos.EverySeconds);
        w.WriteNumber("restart_after_s", chaos.RestartAfterSeconds);
        w.WriteNumber("hits", chaos.Hits);
        w.WriteNumber("seed", chaos.Seed);
        w.WriteStartArray("targets");
        foreach (var kind in chaos.Targets)
        {
            w.WriteStringValue(kind);
        }

        w.WriteEndArray();
        w.WriteStartObject("kills_by_kind");
        foreach (var (kind, n) in chaos.KillsByKind)
        {
            w.WriteNumber(kind, n);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteUploads(Utf8JsonWriter w, UploadFigures uploads)
    {
        w.WriteStartObject("uploads");
        w.WriteNumber("requested", uploads.Requested);
        w.WriteNumber("started", uploads.Started);
        w.WriteNumber("ready", uploads.Ready);
        w.WriteNumber("failed", uploads.Failed);
        if (uploads is { P50SecondsToReady: { } p50, MaxSecondsToReady: { } max })
        {
            w.WriteStartObject("seconds_to_ready");
            w.WriteNumber("p50", Math.Round(p50, 1));
            w.WriteNumber("max", Math.Round(max, 1));
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WritePercentiles(Utf8JsonWriter w, Percentiles p)
    {
        w.WriteStartObject();
        w.WriteNumber("count", p.Count);
        w.WriteNumber("p50_ms", Math.Round(p.P50Ms, 3));
        w.WriteNumber("p90_ms", Math.Round(p.P90Ms, 3));
        w.WriteNumber("p95_ms", Math.Round(p.P95Ms, 3));
        w.WriteNumber("p99_ms", Math.Round(p.P99Ms, 3));
        w.WriteNumber("max_ms", Math.Round(p.MaxMs, 3));
        w.WriteEndObject();
    }
}
