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
/// Steering") and DASH (DASH-IF Content Steering) both read <c>PATHWAY-PRIORITY</c> (dash.js 5.2.1
/// <c>ContentSteeringController._handleSteeringResponse</c>, Shaka Player 5.2.12 <c>content_steering_manager.js</c>);
/// in an MPD the pathway ids are the <c>BaseURL@serviceLocation</c>s, which are the same edge ids.
/// </summary>
internal sealed record SteeringManifest(
    [property: JsonPropertyName("VERSION")] int Version,
    [property: JsonPropertyName("TTL")] int Ttl,
    [property: JsonPropertyName("RELOAD-URI")] string ReloadUri,
    [property: JsonPropertyName("PATHWAY-PRIORITY")] IReadOnlyList<string> PathwayPriority);

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
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "_DASH_throughput")] string? dashThroughput,
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

            // DASH players report the same things under their own names, and dash.js as lists.
            if (pathway is null && dashPathway is not null)
            {
                (pathway, throughput) = DashReport(dashPathway, dashThroughput);
            }

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
            return Results.Json(new SteeringManifest(
                1,
                (int)options.Value.Ttl.TotalSeconds,
                // Absolute: Shaka Player takes RELOAD-URI as is and later builds `new URL(uri)` without a base
                // (lib/util/url.js, since shaka-player PR #10197), which throws on a relative one and stops steering.
                $"{context.Request.Scheme}://{context.Request.Host}/steering/{id}",
                ordered.Count > 0 ? ordered.Select(e => e.Id).ToList() : [OriginPathway]));
        });
        return app;
    }

    /// <summary>
    /// A DASH player's report as one pathway and one throughput: the last entry of each list. dash.js sends the
    /// pathways used since its previous request, quoted and comma-separated (<c>_DASH_pathway="edge-1,edge-2"</c>),
    /// with one throughput per pathway (<c>_DASH_throughput=5000000,4000000</c>, empty at first); Shaka Player sends one
    /// of each, unquoted.
    /// </summary>
    internal static (string? Pathway, long? Throughput) DashReport(string pathways, string? throughputs)
    {
        var pathway = pathways.Trim('"').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        var throughput = (throughputs ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return (pathway, long.TryParse(throughput, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits) ? bits : null);
    }
}
