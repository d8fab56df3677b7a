using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Origin.Edges;
using Vod.ServiceDefaults;
using Vod.Storage;

namespace Vod.Origin.Steering;

/// <summary>
/// The content steering manifest, one answer for both protocols: HLS (draft-pantos-hls-rfc8216bis, "Content
/// Steering") reads <c>PATHWAY-PRIORITY</c>, DASH (DASH-IF Content Steering) reads <c>SERVICE-LOCATION-PRIORITY</c>;
/// the pathway ids are the MPD's <c>serviceLocation</c>s, so both lists are the same.
/// </summary>
internal sealed record SteeringManifest(
    [property: JsonPropertyName("VERSION")] int Version,
    [property: JsonPropertyName("TTL")] int Ttl,
    [property: JsonPropertyName("RELOAD-URI")] string ReloadUri,
    [property: JsonPropertyName("PATHWAY-PRIORITY")] IReadOnlyList<string> PathwayPriority,
    [property: JsonPropertyName("SERVICE-LOCATION-PRIORITY")] IReadOnlyList<string> ServiceLocationPriority);

/// <summary><c>GET /steering/{id}</c>: the pathway (edge) order for a title, re-read by HLS and DASH players every TTL.</summary>
internal static class SteeringEndpoints
{
    /// <summary>The pathway players use when there is no edge at all: the origin serves the media itself.</summary>
    public const string OriginPathway = "origin";

    private static readonly Prometheus.Histogram ReportedThroughput = Prometheus.Metrics.CreateHistogram(
        "vod_steering_reported_throughput_bits_per_second", "Throughput players report (_HLS_throughput) by the pathway they use.",
        new Prometheus.HistogramConfiguration { LabelNames = ["pathway"], Buckets = Prometheus.Histogram.ExponentialBuckets(250_000, 2, 10) });

    public static IServiceCollection AddSteering(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SteeringOptions>(configuration, SteeringOptions.Section);
        services.AddSingleton<PathwayReports>();
        return services;
    }

    public static IEndpointRouteBuilder MapSteering(this IEndpointRouteBuilder app)
    {
        app.MapGet("/steering/{id}", async (
            string id,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "_HLS_pathway")] string? pathway,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "_HLS_throughput")] long? throughput,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "_DASH_pathway")] string? dashPathway,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "_DASH_throughput")] long? dashThroughput,
            HttpContext context,
            IMediaStore store,
            EdgeMonitor monitor,
            PathwayReports reports,
            IOptions<SteeringOptions> options) =>
        {
            if (!TitleId.IsValid(id) || await store.ReadTitleAsync(id, context.RequestAborted) is null)
            {
                return Results.Problem($"no title with id '{id}'", statusCode: StatusCodes.Status404NotFound);
            }

            // DASH players report the same things under their own names.
            pathway ??= dashPathway;
            throughput ??= dashThroughput;
            var ordered = SteeringPolicy.Order(id, monitor.Snapshot);
            if (pathway is not null && ordered.Any(e => e.Id == pathway)
                && reports.TryCount(context.Connection.RemoteIpAddress, id, pathway))
            {
                // Passive signals from players, once per client, title and pathway per TTL (a replayed URL counts
                // once); labels only ever take known edge ids, and unknown ids count nothing.
                if (throughput is > 0)
                {
                    ReportedThroughput.WithLabels(pathway).Observe(throughput.Value);
                }

                if (ordered[0].Routable && pathway != ordered[0].Id)
                {
                    monitor.ReportAvoided(ordered[0].Id);
                }
            }

            context.Response.Headers.CacheControl = "no-store";
            var priority = ordered.Count > 0 ? ordered.Select(e => e.Id).ToList() : [OriginPathway];
            return Results.Json(new SteeringManifest(
                1,
                (int)options.Value.Ttl.TotalSeconds,
                // Absolute: Shaka Player takes RELOAD-URI as is and later builds `new URL(uri)` without a base
                // (lib/util/url.js, since shaka-player PR #10197), which throws on a relative one and stops steering.
                $"{context.Request.Scheme}://{context.Request.Host}/steering/{id}",
                priority,
                priority));
        });
        return app;
    }
}
