using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Vod.ServiceDefaults;

/// <summary>What every service sets up the same way: problem details, health endpoints, time, Redis.</summary>
public static class HostingDefaults
{
    public const string ReadyTag = "ready";

    /// <summary>The largest request body any endpoint takes unless it raises its own limit (only the upload does).</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <param name="redisRequiredForReady">Whether the service is unready while Redis is down.</param>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, bool redisRequiredForReady = true)
    {
        LeanDefaultMetrics.Apply();
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddRedis(builder.Configuration, redisRequiredForReady);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.Configure<KestrelServerOptions>(o => ApplyRequestLimits(o.Limits));
        return builder;
    }

    /// <summary>
    /// Request size limits for a server facing the internet: no request of ours needs more than a few KiB of line and
    /// headers, so an overlong target is 414 and oversized headers 431 from Kestrel before any of our code runs; a body
    /// is refused past <see cref="MaxRequestBodyBytes"/> (413) unless the endpoint raised its own limit.
    /// </summary>
    public static void ApplyRequestLimits(KestrelServerLimits limits)
    {
        limits.MaxRequestLineSize = 8 * 1024;
        limits.MaxRequestHeadersTotalSize = 16 * 1024;
        limits.MaxRequestHeaderCount = 64;
        limits.MaxRequestBodySize = MaxRequestBodyBytes;
        limits.Http2.MaxRequestHeaderFieldSize = 8 * 1024;
    }

    /// <summary>
    /// <c>/metrics</c> is Prometheus text (prometheus-net: process and .NET metrics plus each service's own).
    /// <c>/healthz</c> answers while the process runs (liveness); <c>/readyz</c> runs the checks tagged
    /// <see cref="ReadyTag"/> (Redis, the media store) and answers 503 with the failing check when one fails.
    /// </summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapMetrics("/metrics");
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        });
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }
}
