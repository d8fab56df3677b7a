using Vod.Common.Hls;
using Vod.Common.Hosting;
using Vod.Common.Security;
using Vod.Edge.Caching;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Delivery;

/// <summary>
/// <c>GET</c>/<c>HEAD /titles/{id}/...</c>: the data plane. What is stored depends only on the validated path: query
/// strings and request headers never change a cache key (no cache poisoning). An origin failure with nothing cached
/// is 502 (or 504 on a timeout), never 404: players retry 5xx and give up on 4xx.
/// With signed playback on (<c>Playback:SigningKey</c>), only <c>/t/{token}/titles/{id}/...</c> is served: the token is
/// verified here without state (403 when expired, forged or for another title), then the request is served exactly as
/// the unsigned path, so the token is never part of a cache key.
/// </summary>
internal static partial class MediaEndpoint
{
    private const string TitlesPrefix = MediaPath.UrlPrefix;

    public static IServiceCollection AddMediaDelivery(this IServiceCollection services, IConfiguration configuration) =>
        services.AddMediaCors().AddPlaybackTokens(configuration);

    /// <summary>
    /// The data plane is the first thing in the pipeline: a media request is served before routing and the service
    /// middleware run (more range hits per second than as a routed endpoint: bench/README.md). CORS for
    /// players on other sites comes from the same library policy as everywhere else, preflights included.
    /// Anything else (health, metrics) goes on to routing.
    /// </summary>
    public static WebApplication UseMediaDelivery(this WebApplication app)
    {
        var cache = app.Services.GetRequiredService<SliceCache>();
        var tokens = app.Services.GetRequiredService<PlaybackTokens>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MediaEndpoint));
        app.MapWhen(IsMediaRequest, media => media.UseCors(MediaCors.Policy).Run(context => ServeRequestAsync(context, cache, tokens, logger)));
        return app;
    }

    private static bool IsMediaRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments(TitlesPrefix) || context.Request.Path.StartsWithSegments(PlaybackTokens.PathPrefix);

    private static Task ServeRequestAsync(HttpContext context, SliceCache cache, PlaybackTokens tokens, ILogger logger)
    {
        var request = context.Request;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            return Results.Problem($"{request.Method} is not allowed here: media is read with GET or HEAD",
                statusCode: StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
        }

        if (request.Path.StartsWithSegments(TitlesPrefix, out var rest))
        {
            return tokens.Enabled
                ? Results.Problem("this edge serves signed playback URLs only (/t/{token}/titles/...): get them from the playback manifest",
                    statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context)
                : MediaPath.TryParse(rest.Value is { Length: > 1 } relative ? relative[1..] : null, out var media)
                    ? ServeAsync(context, cache, logger, media)
                    : NotAMediaPath(context);
        }

        return ServeSignedAsync(context, cache, tokens, logger);
    }

    private static Task ServeSignedAsync(HttpContext context, SliceCache cache, PlaybackTokens tokens, ILogger logger)
    {
        if (!tokens.Enabled)
        {
            return Results.Problem("signed playback is not configured on this edge", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
        }

        if (!tokens.TryVerifySignedPath(context.Request.Path, out var media, out var check))
        {
            return NotAMediaPath(context);
        }

        return check == TokenCheck.Valid
            ? ServeAsync(context, cache, logger, media)
            : Results.Problem(PlaybackTokens.Describe(check), statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
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

    private static Task NotAMediaPath(HttpContext context) =>
        Results.Problem("not a valid media path", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);

    /// <summary>A plain request delegate for a validated path: no parameter binding or result objects on the hot path.</summary>
    private static async Task ServeAsync(HttpContext context, SliceCache cache, ILogger logger, MediaPath media)
    {
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
}
