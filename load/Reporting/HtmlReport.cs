using System.Globalization;
using System.Net;
using System.Text;

namespace Vod.Load.Reporting;

/// <summary>
/// A self-contained HTML report (no script, no CDN): the summary, and inline SVG charts of the startup-time
/// distribution, rebuffers over time and throughput over time with kills (labelled with the process: <c>kill origin-1</c>),
/// recoveries and uploads marked.
/// </summary>
internal static class HtmlReport
{
    private const int Width = 760, Height = 180, Pad = 36;

    public static string Write(RunReport r)
    {
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>vod-load: ")
            .Append(E(r.Scenario)).Append("</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:820px}")
            .Append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}")
            .Append(".pass{color:#070}.fail{color:#b00}svg{background:#fafafa;border:1px solid #ddd}text{font-size:10px}</style></head><body>");
        sb.Append(CultureInfo.InvariantCulture, $"<h1>{E(r.Scenario)}: {r.Viewers} viewers, {r.DurationSeconds:0.#} s</h1>");
        sb.Append(r.Passed ? "<p class=\"pass\">PASS</p>" : "<p class=\"fail\">FAIL: " + E(string.Join("; ", r.Failures)) + "</p>");
        sb.Append("<table><tr><th>sessions started</th><th>finished</th><th>interrupted</th><th>failed</th><th>rebuffers</th><th>rebuffer ratio</th><th>startup p50 / p95 / p99</th><th>avg bitrate</th><th>switches</th></tr>");
        sb.Append(CultureInfo.InvariantCulture,
            $"<tr><td>{r.Sessions.Started}</td><td>{r.Sessions.Finished}</td><td>{r.Sessions.Interrupted}</td><td>{r.Sessions.Failed}</td><td>{r.Rebuffers}</td><td>{r.RebufferRatio:0.####}</td><td>{r.Startup.P50Ms:0} / {r.Startup.P95Ms:0} / {r.Startup.P99Ms:0} ms</td><td>{r.AverageBitrateBps / 1e6:0.00} Mb/s</td><td>{r.BitrateSwitches}</td></tr></table>");
        sb.Append("<h2>Request latency</h2><table><tr><th>kind</th><th>count</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>");
        foreach (var (kind, p) in r.Latency)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(kind)}</td><td>{p.Count}</td><td>{p.P50Ms:0.0}</td><td>{p.P90Ms:0.0}</td><td>{p.P99Ms:0.0}</td><td>{p.MaxMs:0.0}</td></tr>");
        }

        sb.Append("</table><p>");
        sb.Append(CultureInfo.InvariantCulture, $"{r.Requests} requests ({r.RequestsPerSecond:0.0}/s), {r.Bytes / 1e6:0.0} MB ({r.MegabytesPerSecond:0.0} MB/s). ");
        sb.Append("By pathway: ").Append(E(string.Join(", ", r.RequestsByPathway.Select(kv => $"{kv.Key} {kv.Value}")))).Append(". ");
        sb.Append("Errors: ").Append(r.Errors.Count == 0 ? "none" : E(string.Join(", ", r.Errors.Select(kv => $"{kv.Key} {kv.Value}")))).Append(".</p>");
        if (r.Chaos is { } chaos)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p><b>chaos</b>: {chaos.Hits} × SIG{E(chaos.Signal)} every {chaos.EverySeconds:0.#} s (targets {E(string.Join(", ", chaos.Targets))}); kills by kind: ")
                .Append(E(string.Join(", ", chaos.KillsByKind.Select(kv => $"{kv.Key} {kv.Value}")))).Append("</p>");
        }

        if (r.Uploads is { } u)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p><b>uploads</b>: {u.Started} started, {u.Ready} ready, {u.Failed} failed of {u.Requested}");
            if (u is { P50SecondsToReady: { } p50, MaxSecondsToReady: { } max })
            {
                sb.Append(CultureInfo.InvariantCulture, $"; ready after p50 {p50:0.#} s, max {max:0.#} s");
            }

            sb.Append("</p>");
        }

        foreach (var (name, value) in r.Extra)
        {
            sb.Append("<p><b>").Append(E(name)).Append("</b>: ").Append(E(System.Text.Json.JsonSerializer.Serialize(value, value.GetType()))).Append("</p>");
        }

        if (r.StartupDistribution.Count > 0)
        {
            sb.Append("<h2>Startup time distribution</h2>");
            Bars(sb, r.StartupDistribution.Select(b => ($"{b.To}", (double)b.Count)).ToList(), "ms (bucket upper bound)", "sessions");
        }

        sb.Append("<h2>Rebuffers (orange) and failed sessions (red) over time</h2>");
        Series(sb, r.Timeline.Select(p => (double)p.Rebuffers).ToList(), r.Events, "per second", "#e80",
            r.Timeline.Select(p => (double)p.FailedSessions).ToList());
        sb.Append("<h2>Throughput over time</h2>");
        Series(sb, r.Timeline.Select(p => p.Bytes * 8 / 1e6).ToList(), r.Events, "Mb/s", "#06c");
        sb.Append("<h2>Requests and errors over time</h2>");
        Series(sb, r.Timeline.Select(p => (double)p.Requests).ToList(), r.Events, "requests/s", "#555",
            r.Timeline.Select(p => (double)p.Errors).ToList());
        if (r.Events.Count > 0)
        {
            sb.Append("<h2>Events</h2><ul>");
            foreach (var e in r.Events)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<li>{e.AtSeconds:0.0} s: {E(e.Kind)} {E(e.Text)}</li>");
            }

            sb.Append("</ul>");
        }

        if (r.FailureReasons.Count > 0)
        {
            sb.Append("<h2>Failed sessions (first reasons)</h2><ul>");
            foreach (var reason in r.FailureReasons)
            {
                sb.Append("<li>").Append(E(reason)).Append("</li>");
            }

            sb.Append("</ul>");
        }

        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void Bars(StringBuilder sb, List<(string Label, double Value)> bars, string xLabel, string yLabel)
    {
        var max = Math.Max(1, bars.Max(b => b.Value));
        var w = (Width - 2.0 * Pad) / bars.Count;
        sb.Append(CultureInfo.InvariantCulture, $"<svg width=\"{Width}\" height=\"{Height + 20}\" viewBox=\"0 0 {Width} {Height + 20}\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var h = (Height - 2 * Pad) * bars[i].Value / max;
            var x = Pad + i * w;
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{x:0.#}\" y=\"{Height - Pad - h:0.#}\" width=\"{w - 2:0.#}\" height=\"{h:0.#}\" fill=\"#06c\"><title>≤ {E(bars[i].Label)}: {bars[i].Value}</title></rect>");
            if (i % Math.Max(1, bars.Count / 10) == 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Height - Pad + 12}\">{E(bars[i].Label)}</text>");
            }
        }

        Axes(sb, max, xLabel, yLabel);
        sb.Append("</svg>");
    }

    private static void Series(StringBuilder sb, List<double> values, IReadOnlyList<TimelineEvent> events, string yLabel, string color,
        List<double>? second = null)
    {
        var n = Math.Max(values.Count, 2);
        var max = Math.Max(1, Math.Max(values.DefaultIfEmpty(0).Max(), second?.DefaultIfEmpty(0).Max() ?? 0));
        double X(double s) => Pad + (Width - 2 * Pad) * s / (n - 1);
        double Y(double v) => Height - Pad - (Height - 2 * Pad) * v / max;
        sb.Append(CultureInfo.InvariantCulture, $"<svg width=\"{Width}\" height=\"{Height + 20}\" viewBox=\"0 0 {Width} {Height + 20}\">");
        foreach (var e in events.Where(e => e.AtSeconds <= n - 1)) // uploads may finish after the run: listed below, not drawn
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{X(e.AtSeconds):0.#}\" x2=\"{X(e.AtSeconds):0.#}\" y1=\"{Pad / 2}\" y2=\"{Height - Pad}\" stroke=\"{Stroke(e)}\" stroke-dasharray=\"4 3\"><title>{e.AtSeconds:0.0} s {E(e.Kind)} {E(e.Text)}</title></line>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(e.AtSeconds) + 2:0.#}\" y=\"{Pad / 2 + 8}\" fill=\"{Stroke(e)}\">{E(Label(e))}</text>");
        }

        Polyline(sb, values, X, Y, color);
        if (second is not null)
        {
            Polyline(sb, second, X, Y, "#b00");
        }

        for (var s = 0; s < n; s += Math.Max(1, n / 10))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(s):0.#}\" y=\"{Height - Pad + 12}\">{s} s</text>");
        }

        Axes(sb, max, "time", yLabel);
        sb.Append("</svg>");
    }

    /// <summary>Kills and stops red, uploads purple, recoveries green.</summary>
    private static string Stroke(TimelineEvent e) =>
        e.Kind is "kill" or "stop" ? "#b00" : e.Kind.StartsWith("upload", StringComparison.Ordinal) ? "#80c" : "#070";

    /// <summary>A chaos event names the process it hit (<c>kill origin-1</c>), so the kind shows on the chart.</summary>
    internal static string Label(TimelineEvent e) => e.Target is { } target ? $"{e.Kind} {target}" : e.Kind;

    private static void Polyline(StringBuilder sb, List<double> values, Func<double, double> x, Func<double, double> y, string color)
    {
        sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"");
        for (var i = 0; i < values.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{x(i):0.#},{y(values[i]):0.#} ");
        }

        sb.Append("\"/>");
    }

    private static void Axes(StringBuilder sb, double max, string xLabel, string yLabel)
    {
        sb.Append(CultureInfo.InvariantCulture,
            $"<line x1=\"{Pad}\" y1=\"{Height - Pad}\" x2=\"{Width - Pad}\" y2=\"{Height - Pad}\" stroke=\"#333\"/><line x1=\"{Pad}\" y1=\"{Pad / 2}\" x2=\"{Pad}\" y2=\"{Height - Pad}\" stroke=\"#333\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"{Pad / 2 + 4}\">{max:0.#}</text><text x=\"{Pad + 4}\" y=\"{Pad / 2 + 4}\">{E(yLabel)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Pad - 90}\" y=\"{Height + 12}\">{E(xLabel)}</text>");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
