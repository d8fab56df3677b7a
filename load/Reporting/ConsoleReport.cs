using Spectre.Console;

namespace Vod.Load.Reporting;

/// <summary>The end-of-run tables on the console.</summary>
internal static class ConsoleReport
{
    public static void Write(IAnsiConsole console, RunReport r)
    {
        var throughput = r.Scenario == "throughput";
        var summary = new Table().Title($"[bold]{Markup.Escape(r.Scenario)}[/]: {r.Viewers} {(throughput ? "connections" : "viewers")}, {r.DurationSeconds:0.#} s")
            .AddColumns("figure", "value");
        if (!throughput)
        {
            summary.AddRow("sessions started / finished / interrupted / failed",
                $"{r.Sessions.Started} / {r.Sessions.Finished} / {r.Sessions.Interrupted} / {r.Sessions.Failed}");
            summary.AddRow("startup p50 / p95 / p99 / max", $"{r.Startup.P50Ms:0} / {r.Startup.P95Ms:0} / {r.Startup.P99Ms:0} / {r.Startup.MaxMs:0} ms ({r.Startup.Count} sessions)");
            summary.AddRow("rebuffers / rebuffer ratio", $"{r.Rebuffers} / {r.RebufferRatio:0.#####} ({r.StalledSeconds:0.0} s stalled of {r.WatchedSeconds:0} s watched)");
            summary.AddRow("average bitrate / switches", $"{r.AverageBitrateBps / 1e6:0.00} Mb/s / {r.BitrateSwitches}");
        }

        summary.AddRow("requests / bytes", $"{r.Requests} ({r.RequestsPerSecond:0.0}/s) / {r.Bytes / 1e6:0.0} MB ({r.MegabytesPerSecond:0.0} MB/s)");
        summary.AddRow("requests by pathway", Markup.Escape(string.Join(", ", r.RequestsByPathway.Select(kv => $"{kv.Key} {kv.Value}"))));
        summary.AddRow("errors", r.Errors.Count == 0 ? "none" : Markup.Escape(string.Join(", ", r.Errors.Select(kv => $"{kv.Key} {kv.Value}"))));
        if (r.Chaos is { } chaos)
        {
            summary.AddRow($"chaos: {chaos.Hits} × SIG{chaos.Signal} every {chaos.EverySeconds:0.#} s, by kind",
                Markup.Escape(string.Join(", ", chaos.KillsByKind.Select(kv => $"{kv.Key} {kv.Value}"))));
        }

        if (r.Uploads is { } u)
        {
            summary.AddRow("uploads started / ready / failed", $"{u.Started} / {u.Ready} / {u.Failed} of {u.Requested}" +
                (u is { P50SecondsToReady: { } p50, MaxSecondsToReady: { } max } ? $" (ready after p50 {p50:0.#} s, max {max:0.#} s)" : ""));
        }

        foreach (var (name, value) in r.Extra)
        {
            summary.AddRow(Markup.Escape(name), Markup.Escape(System.Text.Json.JsonSerializer.Serialize(value, value.GetType())));
        }

        console.Write(summary);
        if (r.Latency.Count > 0)
        {
            var latency = new Table().Title("request latency (ms)").AddColumns("kind", "count", "p50", "p90", "p99", "max");
            foreach (var (kind, p) in r.Latency)
            {
                latency.AddRow(kind, $"{p.Count}", $"{p.P50Ms:0.0}", $"{p.P90Ms:0.0}", $"{p.P99Ms:0.0}", $"{p.MaxMs:0.0}");
            }

            console.Write(latency);
        }

        foreach (var e in r.Events)
        {
            console.MarkupLineInterpolated($"  {e.AtSeconds,6:0.0} s  {e.Kind} {e.Text}");
        }

        foreach (var reason in r.FailureReasons)
        {
            console.MarkupLineInterpolated($"  [red]failed session:[/] {reason}");
        }

        console.MarkupLine(r.Passed ? "[green]PASS[/]" : $"[red]FAIL[/]: {Markup.Escape(string.Join("; ", r.Failures))}");
    }
}
