using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vod.ServiceDefaults;

/// <summary>
/// <c>/readyz</c>: the checks tagged <see cref="HostingDefaults.ReadyTag"/>, run at most once per <see cref="Lifetime"/>
/// however many ask, every caller of that second sharing the one run (a flood of probes costs one Redis ping, not one
/// each). The framework's <c>MapHealthChecks</c> runs every check on every request, and its periodic publisher runs
/// them whether anyone asks or not; this runs them on demand only. The run is not tied to the first caller's
/// cancellation: each caller waits with its own.
/// </summary>
internal sealed class ReadinessReport(HealthCheckService checks, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private Task<HealthReport>? _run;
    private DateTimeOffset _startedAt;

    public Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_run is null || (_run.IsCompleted && now - _startedAt >= Lifetime))
            {
                _startedAt = now;
                _run = checks.CheckHealthAsync(r => r.Tags.Contains(HostingDefaults.ReadyTag), CancellationToken.None);
            }

            return _run.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// 200 unless a check is unhealthy (503). The body names each check with its status and description for operators
    /// (<see cref="OperationalAccess.MaySeeDetails"/>); anyone else gets the overall status only.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, ReadinessReport readiness)
    {
        var report = await readiness.GetAsync(context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        object body = OperationalAccess.MaySeeDetails(context)
            ? new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
            }
            : new { status = report.Status.ToString() };
        await JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
