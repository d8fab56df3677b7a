using Vod.Common.Hls;
using Vod.Common.Hosting;
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
    public static IServiceCollection AddMediaDelivery(this IServiceCollection services) => services.AddMediaCors();

    public static IEndpointRouteBuilder MapMediaDelivery(this IEndpointRouteBuilder app)
    {
        var cache = app.ServiceProvider.GetRequiredService<SliceCache>();
        var logger = app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MediaEndpoint));
        app.MapMethods("/titles/{**path}", [HttpMethods.Get, HttpMethods.Head], context => ServeAsync(context, cache, logger))
            .RequireCors(MediaCors.Policy);
        return app;
    }

    internal static IResult OriginFailure(HttpContext context, OriginUnavailableException e)
    {
        if (e is EdgeBusyException)
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Problem($"this edge is busy ({e.Message}); try another edge", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return e.TimedOut
            ? Results.Problem($"the origin timed out and this object is not cached ({e.Message})", statusCode: StatusCodes.Status504GatewayTimeout)
            : Results.Problem("the origin failed and this object is not cached", statusCode: StatusCodes.Status502BadGateway);
    }

    /// <summary>A plain request delegate: no parameter binding or result objects on the hot path.</summary>
    private static async Task ServeAsync(HttpContext context, SliceCache cache, ILogger logger)
    {
        if (!MediaPath.TryParse(context.Request.RouteValues["path"] as string, out var media))
        {
            await Results.Problem("not a valid media path", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
            return;
        }

        Lookup<CachedObject?> lookup;
        try
        {
            lookup = await cache.GetObjectAsync(media, context.RequestAborted);
        }
        catch (OriginUnavailableException e)
        {
            if (e is not EdgeBusyException)
            {
                Log.OriginFailed(logger, media.UrlPath, e.Message); // overload is counted in metrics, not logged per request
            }

            EdgeMetrics.Request(CacheResult.Miss, 0);
            await OriginFailure(context, e).ExecuteAsync(context);
            return;
        }

        var error = lookup.Value is null
            ? Results.Problem($"{media.UrlPath} does not exist", statusCode: StatusCodes.Status404NotFound)
            : await ObjectResponse.WriteAsync(context, cache, media, lookup);
        if (error is not null)
        {
            await error.ExecuteAsync(context);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Origin failed for {Path}: {Reason}")]
        public static partial void OriginFailed(ILogger logger, string path, string reason);
    }
}
