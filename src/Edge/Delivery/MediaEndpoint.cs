using Vod.Common.Hls;
using Vod.Edge.Caching;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Delivery;

/// <summary>
/// <c>GET</c>/<c>HEAD /titles/{id}/...</c>: the data plane. What is stored depends only on the validated path: query
/// strings and request headers never change a cache key (no cache poisoning). An origin failure with nothing cached
/// is 502 (or 504 on a timeout), never 404: players retry 5xx and give up on 4xx.
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
            .WithExposedHeaders("Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "X-Cache")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));
        return services;
    }

    public static IEndpointRouteBuilder MapMediaDelivery(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/titles/{**path}", [HttpMethods.Get, HttpMethods.Head], ServeAsync).RequireCors(CorsPolicy);
        return app;
    }

    internal static IResult OriginFailure(OriginUnavailableException e) => e.TimedOut
        ? Results.Problem("the origin timed out and this object is not cached", statusCode: StatusCodes.Status504GatewayTimeout)
        : Results.Problem("the origin failed and this object is not cached", statusCode: StatusCodes.Status502BadGateway);

    private static async Task<IResult> ServeAsync(string? path, HttpContext context, SliceCache cache, ILoggerFactory loggers)
    {
        if (!MediaPath.TryParse(path, out var media))
        {
            return Results.Problem("not a valid media path", statusCode: StatusCodes.Status404NotFound);
        }

        Lookup<ObjectMeta?> lookup;
        try
        {
            lookup = await cache.GetMetaAsync(media, context.RequestAborted);
        }
        catch (OriginUnavailableException e)
        {
            Log.OriginFailed(loggers.CreateLogger(typeof(MediaEndpoint)), media.UrlPath, e.Message);
            EdgeMetrics.Request(CacheResult.Miss, 0);
            return OriginFailure(e);
        }

        if (lookup.Value is null)
        {
            return Results.Problem($"{media.UrlPath} does not exist", statusCode: StatusCodes.Status404NotFound);
        }

        return await ObjectResponse.WriteAsync(context, cache, media, lookup) ?? Results.Empty;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Origin failed for {Path}: {Reason}")]
        public static partial void OriginFailed(ILogger logger, string path, string reason);
    }
}
