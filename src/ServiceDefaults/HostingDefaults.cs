using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;
using Vod.ServiceDefaults.Tls;

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
        builder.Services.AddKnownProxies(builder.Configuration);
        builder.Services.AddValidatedOptions<ManagementOptions>(builder.Configuration, ManagementOptions.Section);
        builder.Services.AddSingleton<ReadinessReport>();
        AddListeners(builder);
        return builder;
    }

    /// <summary>
    /// Binds the service's own URLs (<c>ASPNETCORE_URLS</c>, <c>--urls</c>) and then <c>Management:Urls</c>, so the first
    /// bound address, the one edges and origins announce by default, stays the public one; <c>https://</c> URLs serve TLS
    /// (<see cref="ServiceListeners"/>).
    /// </summary>
    private static void AddListeners(IHostApplicationBuilder builder)
    {
        if (builder is WebApplicationBuilder web)
        {
            var management = builder.Configuration.GetSection(ManagementOptions.Section).Get<ManagementOptions>();
            ServiceListeners.Add(web, management is { Enabled: true } ? management.UrlList() : []);
        }
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
    /// <c>/metrics</c> is Prometheus text (prometheus-net: process and .NET metrics plus each service's own), served to
    /// operators only (<see cref="OperationalAccess"/>). <c>/healthz</c> answers while the process runs (liveness);
    /// <c>/readyz</c> runs the checks tagged <see cref="ReadyTag"/> (Redis, the media store), at most once a second, and
    /// answers 503 when one fails, naming the checks to operators only (<see cref="ReadinessReport"/>).
    /// The forwarded-headers middleware (<see cref="KnownProxies"/>) comes first, so every later client address is the
    /// real client's.
    /// </summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseKnownProxies();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        app.UseOperationalAccess();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapMetrics("/metrics").RequireOperationalAccess();
        app.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], ReadinessReport.WriteAsync);
        return app;
    }
}
