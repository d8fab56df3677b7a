using Microsoft.Net.Http.Headers;
using Vod.Common.Hls;
using Vod.Edge.Caching;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Delivery;

/// <summary>
/// <c>GET</c>/<c>HEAD /titles/{id}/...</c>: the data plane. Multi-range requests are answered with the whole object
/// (200), which RFC 9110 allows and every HLS player accepts; single ranges get 206 and unsatisfiable ones 416 with
/// <c>Content-Range: bytes */size</c>. What is stored depends only on the validated path: query strings and request
/// headers never change a cache key.
/// </summary>
internal static partial class MediaEndpoint
{
    public const string CorsPolicy = "media";

    public static IServiceCollection AddMediaDelivery(this IServiceCollection services)
    {
        services.AddCors(o => o.AddPolicy(CorsPolicy, p => p
            .AllowAnyOrigin()
            .WithMethods("GET", "HEAD")
            .WithHeaders("Range", "If-None-Match", "If-Modified-Since", "If-Range")
            .WithExposedHeaders("Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));
        return services;
    }

    public static IEndpointRouteBuilder MapMediaDelivery(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/titles/{**path}", [HttpMethods.Get, HttpMethods.Head], ServeAsync).RequireCors(CorsPolicy);
        return app;
    }

    private static async Task<IResult> ServeAsync(string? path, HttpContext context, SliceCache cache, ILoggerFactory loggers)
    {
        if (!MediaPath.TryParse(path, out var media))
        {
            return Results.Problem("not a valid media path", statusCode: StatusCodes.Status404NotFound);
        }

        ObjectMeta? meta;
        try
        {
            meta = await cache.GetMetaAsync(media, context.RequestAborted);
        }
        catch (OriginUnavailableException e)
        {
            Log.OriginFailed(loggers.CreateLogger(typeof(MediaEndpoint)), media.UrlPath, e.Message);
            return e.TimedOut
                ? Results.Problem("the origin timed out and this object is not cached", statusCode: StatusCodes.Status504GatewayTimeout)
                : Results.Problem("the origin failed and this object is not cached", statusCode: StatusCodes.Status502BadGateway);
        }

        if (meta is null)
        {
            return Results.Problem($"{media.UrlPath} does not exist", statusCode: StatusCodes.Status404NotFound);
        }

        if (meta.CacheControl is { } cacheControl)
        {
            context.Response.Headers.CacheControl = cacheControl;
        }

        return Results.Stream(
            new SliceStream(cache, media, meta, context.RequestAborted),
            meta.ContentType,
            lastModified: meta.LastModified,
            entityTag: EntityTagHeaderValue.Parse(meta.ETag),
            enableRangeProcessing: true);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Origin failed for {Path}: {Reason}")]
        public static partial void OriginFailed(ILogger logger, string path, string reason);
    }
}
